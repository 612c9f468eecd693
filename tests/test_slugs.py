import re

import pytest
from django.urls import reverse

from mapapp.models import Entry
from mapapp.slugs import slug_for


def test_the_slug_is_made_from_the_name(make_entry):
    assert make_entry(name="Hebden Bridge Repair Café").slug == "hebden-bridge-repair-cafe"


def test_entries_with_the_same_name_get_distinct_slugs(make_entry):
    slugs = [make_entry(name="Community Garden").slug for _ in range(3)]
    assert slugs == ["community-garden", "community-garden-2", "community-garden-3"]
    assert Entry.objects.filter(slug__startswith="community-garden").count() == 3


def test_a_name_with_nothing_to_transliterate_gets_a_short_stable_fallback(make_entry):
    first, second = make_entry(name="!!!").slug, make_entry(name="!!!").slug
    assert first == slug_for("!!!", fallback="entry") and first.startswith("entry-")
    assert second == f"{first}-2"


@pytest.mark.parametrize(
    "name,readable",
    [("Библиотека", "biblioteka"), ("图书馆", "tu-shu-guan"), ("مكتبة", "mktb")],
)
def test_names_in_other_scripts_are_transliterated(make_entry, name, readable):
    assert make_entry(name=name).slug == readable


def test_sixty_entries_with_one_non_latin_name_all_save_with_distinct_slugs(make_entry):
    """Past the fifty numbered slugs a random suffix takes over; saving never fails."""
    for name, base in [("Библиотека", "biblioteka"), ("图书馆", "tu-shu-guan"), ("🌳🌳", "entry-")]:
        slugs = [make_entry(name=name).slug for _ in range(60)]
        assert len(set(slugs)) == 60 and all(slug.startswith(base) for slug in slugs)
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)
        assert Entry.objects.filter(name=name).count() == 60
    assert Entry.objects.filter(slug__startswith="biblioteka").count() == 60


def test_tag_slugs_transliterate_and_symbol_only_tags_stay_distinct(db):
    from mapapp.services import tags_from_names

    assert [t.slug for t in tags_from_names(["Библиотека"])] == ["biblioteka"]
    trees, apples = tags_from_names(["🌳"]), tags_from_names(["🍎"])
    assert trees[0].slug != apples[0].slug and trees[0].slug.startswith("tag-")
    assert tags_from_names(["🌳"]) == trees  # the same text finds the same tag again


def test_the_slug_does_not_change_when_the_entry_is_renamed(make_entry):
    from mapapp import services

    entry = make_entry(name="Old Name")
    entry = services.entry_update(entry=entry, data={"name": "New Name"}, expected_version=1)
    assert entry.slug == "old-name" and entry.name == "New Name" and entry.version == 2


def test_an_entry_named_like_a_page_under_entries_gets_a_slug_its_own_page_answers(
    client, make_entry
):
    """/entries/new/ is the add form: an entry called "New" cannot have the slug "new"."""
    entry = make_entry(name="New", status="published")
    assert entry.slug == "new-2"
    response = client.get(reverse("entry-detail", args=[entry.slug]))
    assert response.status_code == 200 and response.context["entry"] == entry


def test_a_tag_of_only_invisible_characters_is_left_out(db):
    from mapapp.models import Tag
    from mapapp.services import tags_from_names

    assert [t.name for t in tags_from_names(["\u200b", "\u202e\u200d", "food"])] == ["food"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["food"]
