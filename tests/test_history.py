"""Every change is recorded; the public history shows what and when, never who beyond a name."""

from django.test import Client

from mapapp import services
from mapapp.models import Profile


def edit(entry, editor, **data):
    return services.entry_edit(
        entry=entry, editor=editor, data=data, expected_version=entry.version
    )


def test_each_change_is_a_version(make_entry, people):
    entry = make_entry(author=people["owner"], name="Cafe")
    entry = edit(entry, people["owner"], name="Café")
    entry = edit(entry, people["owner"], summary="Pay as you feel")
    assert entry.history.count() == 3
    assert [h.name for h in entry.history.order_by("history_id")] == ["Cafe", "Café", "Café"]


def test_the_public_history_shows_changes_and_display_names_only(make_entry, people):
    services.profile_update(user=people["owner"], display_name="Sam from the cafe")
    entry = make_entry(author=people["owner"], name="Cafe")
    edit(entry, people["owner"], name="Café", opening_times="Fridays")
    body = Client().get(f"/entries/{entry.slug}/history/").content.decode()
    assert "Name, Opening times" in body and "Sam from the cafe" in body
    assert "owner@private.example" not in body and ">owner<" not in body
    assert "Revert" not in body


def test_editors_without_a_display_name_stay_anonymous(make_entry, people):
    entry = make_entry(author=people["resident"])
    edit(entry, people["moderator"], name="Renamed")
    body = Client().get(f"/entries/{entry.slug}/history/").content.decode()
    assert "moderator" not in body.lower().replace("moderators", "")


def test_a_moderator_reverts_to_an_earlier_version(make_entry, people, client_for):
    entry = make_entry(author=people["owner"], name="Good Name", summary="Right")
    entry = edit(entry, people["owner"], name="Vandalised", summary="Wrong")
    first = entry.history.order_by("history_id").first()
    response = client_for("moderator").post(
        f"/entries/{entry.slug}/history/{first.history_id}/revert/", {"reason": "Vandalism"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.name, entry.summary) == ("Good Name", "Right")
    assert entry.history.count() == 3  # the revert is itself recorded
    assert entry.decisions.get().reason == "Vandalism"


def test_only_moderators_can_revert(make_entry, people, client_for):
    entry = make_entry(author=people["owner"], name="Keep")
    first = entry.history.first()
    for role in ("owner", "resident", "trusted"):
        response = client_for(role).post(
            f"/entries/{entry.slug}/history/{first.history_id}/revert/"
        )
        assert response.status_code == 403
    assert Profile.objects.count() == 0


def test_history_of_an_unpublished_entry_is_not_public(make_entry):
    entry = make_entry(status="pending")
    assert Client().get(f"/entries/{entry.slug}/history/").status_code == 404
