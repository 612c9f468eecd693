from mapapp.models import Entry


def test_the_slug_is_made_from_the_name(make_entry):
    assert make_entry(name="Hebden Bridge Repair Café").slug == "hebden-bridge-repair-cafe"


def test_entries_with_the_same_name_get_distinct_slugs(make_entry):
    slugs = [make_entry(name="Community Garden").slug for _ in range(3)]
    assert slugs == ["community-garden", "community-garden-2", "community-garden-3"]
    assert Entry.objects.filter(slug__startswith="community-garden").count() == 3


def test_a_name_with_no_latin_letters_still_gets_a_slug(make_entry):
    assert make_entry(name="!!!").slug == "entry"


def test_the_slug_does_not_change_when_the_entry_is_renamed(make_entry):
    from mapapp import services

    entry = make_entry(name="Old Name")
    entry = services.entry_update(entry=entry, data={"name": "New Name"}, expected_version=1)
    assert entry.slug == "old-name" and entry.name == "New Name" and entry.version == 2
