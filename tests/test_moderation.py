"""The moderation queue: decisions with reasons, suggested changes, reports, and the log."""

import pytest
from django.test import Client

from mapapp import services
from mapapp.models import ChangeRequest, Entry, ModerationDecision, Report


@pytest.fixture
def pending(make_entry, people):
    return make_entry(name="Pending Pantry", status="pending", author=people["resident"])


def test_the_queue_lists_pending_entries_changes_and_reports(client_for, pending, make_entry):
    published = make_entry(name="Open Library")
    services.change_request_create(
        entry=published, proposer=None, message="New hours", changes={"opening_times": "Mon 9-5"}
    )
    services.report_create(entry=published, reporter=None, kind="closed", message="Shut in May")
    body = client_for("moderator").get("/moderation/").content.decode()
    for text in ("Pending Pantry", "New hours", "Mon 9-5", "Shut in May", "It has closed"):
        assert text in body, text


@pytest.mark.parametrize("role", ["anonymous", "resident", "owner", "trusted"])
def test_the_queue_is_for_moderators_only(client_for, role):
    response = client_for(role).get("/moderation/")
    assert response.status_code in {302, 403}
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_publishing_logs_who_when_and_why(client_for, pending, people):
    response = client_for("moderator").post(
        f"/moderation/entries/{pending.slug}/publish/", {"reason": "Checked with the group."}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "published"
    decision = ModerationDecision.objects.get()
    assert decision.moderator == people["moderator"] and decision.action == "publish"
    assert decision.reason == "Checked with the group." and decision.created_at
    assert "Checked with the group." in client_for("moderator").get("/moderation/").content.decode()


def test_rejecting_needs_a_reason(client_for, pending):
    response = client_for("moderator").post(f"/moderation/entries/{pending.slug}/reject/", {})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "pending" and not ModerationDecision.objects.exists()
    follow = client_for("moderator").get("/moderation/")
    assert follow.status_code == 200


def test_decisions_are_never_shown_to_the_public(client_for, pending):
    client_for("moderator").post(
        f"/moderation/entries/{pending.slug}/publish/", {"reason": "secret-moderator-note"}
    )
    for path in (
        f"/entries/{pending.slug}/",
        f"/entries/{pending.slug}/history/",
        f"/api/v1/entries/{pending.slug}/",
    ):
        assert "secret-moderator-note" not in Client().get(path).content.decode()


def test_a_suggested_change_is_applied_in_one_click(client_for, make_entry):
    entry = make_entry(name="Old Name", opening_times="Sat")
    client_for("resident").post(
        f"/entries/{entry.slug}/suggest/",
        {
            "message": "They renamed",
            "version": entry.version,
            "name": "New Name",
            "category": "commoning",
            "longitude": entry.location.x,
            "latitude": entry.location.y,
            "precision": "exact",
            "threat": "none",
            "opening_times": "Sat",
        },
    )
    change = ChangeRequest.objects.get()
    assert change.changes == {"name": "New Name"}
    response = client_for("moderator").post(f"/moderation/changes/{change.pk}/apply/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "New Name" and entry.version == 2
    change.refresh_from_db()
    assert change.status == "applied"


def test_a_suggestion_that_changes_nothing_is_refused(client_for, make_entry):
    entry = make_entry(name="Same")
    response = client_for("resident").post(
        f"/entries/{entry.slug}/suggest/",
        {
            "message": "No change",
            "version": entry.version,
            "name": "Same",
            "category": "commoning",
            "longitude": entry.location.x,
            "latitude": entry.location.y,
            "precision": "exact",
            "threat": "none",
        },
    )
    assert response.status_code == 400 and not ChangeRequest.objects.exists()


def test_reports_can_be_anonymous_and_reach_the_queue(make_entry, client_for):
    entry = make_entry()
    response = Client().post(
        f"/entries/{entry.slug}/report/", {"kind": "duplicate", "message": "Same as the other one"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None and report.kind == "duplicate"
    client_for("moderator").post(f"/moderation/reports/{report.pk}/resolve/", {"reason": "Merged"})
    report.refresh_from_db()
    assert report.status == "resolved"


def test_reports_validate_their_fields(make_entry):
    entry = make_entry()
    response = Client().post(f"/entries/{entry.slug}/report/", {"kind": "boring"})
    assert response.status_code == 400 and not Report.objects.exists()
    response = Client().post(
        f"/entries/{entry.slug}/report/", {"kind": "other", "message": "x" * 2001}
    )
    assert response.status_code == 400 and not Report.objects.exists()


def test_anonymous_reports_are_rate_limited(make_entry, settings):
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 1
    entry = make_entry()
    client = Client()
    first = client.post(f"/entries/{entry.slug}/report/", {"kind": "closed"})
    second = client.post(f"/entries/{entry.slug}/report/", {"kind": "closed"})
    assert (first.status_code, second.status_code) == (302, 429)
    assert int(second["Retry-After"]) > 0 and Report.objects.count() == 1


def test_unknown_actions_are_refused(client_for, pending):
    response = client_for("moderator").post(f"/moderation/entries/{pending.slug}/explode/")
    assert response.status_code == 403
    assert Entry.objects.get(pk=pending.pk).status == "pending"
