"""A suggestion made at an older version never silently overwrites edits made since."""

import pytest

from mapapp import services
from mapapp.models import ChangeRequest, ModerationDecision


@pytest.fixture
def entry(make_entry, people):
    return make_entry(author=people["owner"], name="Old Name", opening_times="Sat")


def suggest(entry, **changes):
    return services.change_request_create(
        entry=entry, proposer=None, message="They changed", changes=changes
    )


def owner_edits(entry, people, **data):
    entry.refresh_from_db()
    return services.entry_edit(
        entry=entry, editor=people["owner"], data=data, expected_version=entry.version
    )


def test_a_stale_suggestion_shows_a_three_way_view_and_changes_nothing(entry, people, client_for):
    change = suggest(entry, name="Suggested Name")
    owner_edits(entry, people, name="Owner's Name")
    response = client_for("moderator").post(f"/moderation/changes/{change.pk}/apply/")
    body = response.content.decode()
    assert response.status_code == 409
    for text in ("When suggested (then)", "Old Name", "Owner&#x27;s Name", "Suggested Name"):
        assert text in body, text
    assert 'name="confirm_version" value="2"' in body and "Apply anyway" in body
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("Owner's Name", 2)
    change.refresh_from_db()
    assert change.status == "open" and not ModerationDecision.objects.exists()


def test_apply_anyway_applies_the_version_the_moderator_saw(entry, people, client_for):
    change = suggest(entry, name="Suggested Name")
    owner_edits(entry, people, name="Owner's Name")
    response = client_for("moderator").post(
        f"/moderation/changes/{change.pk}/apply/", {"confirm_version": "2"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("Suggested Name", 3)
    assert ChangeRequest.objects.get().status == "applied"


def test_an_edit_after_the_three_way_view_is_shown_again_not_overwritten(entry, people, client_for):
    change = suggest(entry, name="Suggested Name")
    owner_edits(entry, people, name="Owner's Name")
    owner_edits(entry, people, name="Owner's Second Name")  # lands while the moderator reads
    response = client_for("moderator").post(
        f"/moderation/changes/{change.pk}/apply/", {"confirm_version": "2"}
    )
    assert response.status_code == 409
    assert "Owner&#x27;s Second Name" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("Owner's Second Name", 3)


def test_edits_to_other_fields_since_do_not_stop_the_suggestion(entry, people, client_for):
    change = suggest(entry, name="Suggested Name")
    owner_edits(entry, people, opening_times="Sun")
    response = client_for("moderator").post(f"/moderation/changes/{change.pk}/apply/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.name, entry.opening_times, entry.version) == ("Suggested Name", "Sun", 3)


def test_a_field_already_changed_to_the_suggested_value_is_no_conflict(entry, people):
    change = suggest(entry, name="Same New Name")
    owner_edits(entry, people, name="Same New Name")
    services.change_request_apply(change_request=change, moderator=people["moderator"])
    assert ChangeRequest.objects.get().status == "applied"


def test_the_service_says_then_now_and_suggested_for_a_moved_location(entry, people):
    from django.contrib.gis.geos import Point

    old = entry.location
    change = suggest(entry, location=[-2.6, 51.46])
    owner_edits(entry, people, location=Point(-2.7, 51.5, srid=4326))
    with pytest.raises(services.StaleSuggestion) as stale:
        services.change_request_apply(change_request=change, moderator=people["moderator"])
    [moved] = stale.value.fields
    assert moved["field"] == "location" and moved["then"].coords == old.coords
    assert moved["now"].coords == (-2.7, 51.5) and moved["suggested"].coords == (-2.6, 51.46)
    assert stale.value.entry.version == 2


def test_the_three_way_view_never_follows_a_foreign_next(entry, people, client_for):
    change = suggest(entry, name="Suggested Name")
    owner_edits(entry, people, name="Owner's Name")
    response = client_for("moderator").post(
        f"/moderation/changes/{change.pk}/apply/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 409 and "evil.example" not in response.content.decode()


def test_the_three_way_view_names_categories(entry, people, client_for):
    from django.utils.html import escape

    from mapapp.models import Category

    change = suggest(entry, category="public-goods")
    owner_edits(entry, people, category=Category.objects.get(slug="campaigns-resistance"))
    response = client_for("moderator").post(f"/moderation/changes/{change.pk}/apply/")
    body = response.content.decode()
    assert response.status_code == 409
    names = Category.objects.filter(slug__in=["commoning", "campaigns-resistance", "public-goods"])
    for category in names:
        assert f"<td>{escape(category.name)}</td>" in body, category.name
