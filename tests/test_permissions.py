"""Who may do what: every role against every action, each cell asserted."""

import pytest

from mapapp.models import Entry, Report

ROLES = ["anonymous", "resident", "owner", "trusted", "moderator", "superuser"]
STAFF = {"moderator", "superuser"}


@pytest.fixture
def pending(make_entry, people):
    return make_entry(name="Owned Pending", status="pending", author=people["owner"])


@pytest.fixture
def published(make_entry, people):
    return make_entry(name="Owned Published", author=people["owner"])


def form_for(entry, **changes):
    data = {
        "name": entry.name,
        "category": entry.category.slug,
        "longitude": entry.location.x,
        "latitude": entry.location.y,
        "precision": entry.precision,
        "threat": entry.threat,
        "version": entry.version,
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ROLES)
def test_view_pending(client_for, pending, role):
    allowed = role in STAFF | {"owner"}
    status = client_for(role).get(f"/entries/{pending.slug}/").status_code
    assert status == (200 if allowed else 404)


@pytest.mark.parametrize("role", ROLES)
def test_create(client_for, entry_form, role):
    response = client_for(role).post("/entries/new/", entry_form)
    assert response.status_code == 302
    expected = "published" if role in STAFF | {"trusted"} else "pending"
    assert Entry.objects.get().status == expected


@pytest.mark.parametrize("role", ROLES)
def test_edit(client_for, published, role):
    response = client_for(role).post(
        f"/entries/{published.slug}/edit/", form_for(published, name="Edited")
    )
    allowed = role in STAFF | {"owner"}
    if allowed:
        assert response.status_code == 302
    elif role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert (Entry.objects.get().name == "Edited") == allowed


@pytest.mark.parametrize("role", ROLES)
def test_suggest_change(client_for, published, role):
    response = client_for(role).post(
        f"/entries/{published.slug}/suggest/", form_for(published, name="Better", message="Renamed")
    )
    assert response.status_code == 302
    assert published.change_requests.count() == 1


@pytest.mark.parametrize(
    "action,status", [("publish", "published"), ("reject", "rejected"), ("archive", "archived")]
)
@pytest.mark.parametrize("role", ROLES)
def test_moderation_actions(client_for, pending, role, action, status):
    response = client_for(role).post(
        f"/moderation/entries/{pending.slug}/{action}/", {"reason": "Because"}
    )
    allowed = role in STAFF
    assert response.status_code == (302 if allowed or role == "anonymous" else 403)
    assert (Entry.objects.get().status == status) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_revert(client_for, published, people, role):
    from mapapp import services

    services.entry_edit(
        entry=published, editor=people["owner"], data={"name": "Changed"}, expected_version=1
    )
    first = published.history.order_by("history_id").first()
    client_for(role).post(f"/entries/{published.slug}/history/{first.history_id}/revert/")
    assert (Entry.objects.get().name == "Owned Published") == (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_report(client_for, published, role):
    response = client_for(role).post(f"/entries/{published.slug}/report/", {"kind": "wrong"})
    assert response.status_code == 302 and Report.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_archived_entries_cannot_be_edited_by_their_owner(client_for, make_entry, people, role):
    entry = make_entry(name="Gone", status="archived", author=people["owner"])
    response = client_for(role).post(f"/entries/{entry.slug}/edit/", form_for(entry, name="Back"))
    assert (Entry.objects.get().name == "Back") == (role in STAFF)
    assert response.status_code in {302, 403, 404}
