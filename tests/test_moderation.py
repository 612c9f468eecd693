"""The moderation queue: decisions with reasons, suggested changes, reports, and the log."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from mapapp import services
from mapapp.models import ChangeRequest, Entry, ModerationDecision, Report
from tests.concurrency import at_the_same_moment


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


@pytest.fixture
def open_items(make_entry):
    entry = make_entry(name="Open Library")
    change = services.change_request_create(
        entry=entry, proposer=None, message="New hours", changes={"opening_times": "Mon"}
    )
    report = services.report_create(entry=entry, reporter=None, kind="closed")
    return {"changes": change, "reports": report}


@pytest.mark.parametrize("kind,action", [("changes", "decline"), ("reports", "dismiss")])
def test_deciding_an_item_twice_logs_one_decision_and_says_why(
    client_for, open_items, kind, action
):
    moderator = client_for("moderator")
    url = f"/moderation/{kind}/{open_items[kind].pk}/{action}/"
    first = moderator.post(url, {"reason": "First look"})
    second = moderator.post(url, {"reason": "Second look"}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "already been decided" in second.content.decode()
    assert list(ModerationDecision.objects.values_list("reason", flat=True)) == ["First look"]


def test_a_resolved_report_cannot_be_dismissed_afterwards(open_items, people):
    report = open_items["reports"]
    services.report_close(report=report, moderator=people["moderator"], resolved=True)
    with pytest.raises(ValidationError):
        services.report_close(report=report, moderator=people["moderator"], resolved=False)
    report.refresh_from_db()
    assert report.status == "resolved" and ModerationDecision.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["changes", "reports"])
def test_two_moderators_deciding_at_the_same_moment_log_one_decision(open_items, people, kind):
    """Both click at once; the database makes one wait, so it sees the item decided."""
    model = ChangeRequest if kind == "changes" else Report

    def decide(moderator):
        item = model.objects.get(pk=open_items[kind].pk)
        try:
            if kind == "changes":
                services.change_request_decline(change_request=item, moderator=moderator)
            else:
                services.report_close(report=item, moderator=moderator, resolved=False)
            return "decided"
        except ValidationError as refused:
            return " ".join(refused.messages)

    outcomes = at_the_same_moment(model, decide, [people["moderator"], people["superuser"]])
    noun = "suggestion" if kind == "changes" else "report"
    assert sorted(outcomes) == sorted(["decided", f"This {noun} has already been decided."])
    assert ModerationDecision.objects.count() == 1


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "http:/\\evil"]
)
def test_a_decision_never_follows_next_to_another_site(client_for, pending, open_items, target):
    moderator = client_for("moderator")
    published = moderator.post(
        f"/moderation/entries/{pending.slug}/publish/", {"next": target, "reason": ""}
    )
    declined_twice = [
        moderator.post(f"/moderation/changes/{open_items['changes'].pk}/decline/", {"next": target})
        for _ in range(2)
    ]
    for response in [published, *declined_twice]:
        assert response.status_code == 302 and response["Location"] == "/moderation/"


def test_a_decision_returns_to_the_same_site_page_it_came_from(client_for, pending):
    response = client_for("moderator").post(
        f"/moderation/entries/{pending.slug}/publish/", {"next": "/moderation/?pending_page=2"}
    )
    assert response["Location"] == "/moderation/?pending_page=2"


def test_a_secure_queue_never_sends_the_moderator_back_over_plain_http(client_for, pending):
    response = client_for("moderator").post(
        f"/moderation/entries/{pending.slug}/publish/",
        {"next": "http://testserver/moderation/?pending_page=2"},
        secure=True,
    )
    assert response["Location"] == "/moderation/"


@pytest.fixture
def many_pending(make_entry):
    return [make_entry(status="pending") for _ in range(60)]


def test_the_queue_shows_one_page_of_pending_entries_at_a_time(client_for, many_pending):
    import re

    moderator = client_for("moderator")
    pages, url = [], "/moderation/"
    while url and len(pages) < 10:
        response = moderator.get(url)
        body = response.content.decode()
        assert "Pending entries (60)" in body
        pages.append([e.pk for e in response.context["pending"].object_list])
        found = re.search(r'rel="next" href="(\?pending_page=\d+)#pending-title"', body)
        url = found and f"/moderation/{found[1]}"
    shown = [pk for page in pages for pk in page]
    assert len(pages) > 1 and len({len(page) for page in pages[:-1]}) == 1
    assert sorted(shown) == sorted(e.pk for e in many_pending)
    second = moderator.get("/moderation/?pending_page=2").content.decode()
    assert f"Page 2 of {len(pages)}" in second
    last = moderator.get(f"/moderation/?pending_page={len(pages)}").content.decode()
    assert f'name="next" value="/moderation/?pending_page={len(pages)}"' in last


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999999999999999999", "2.5", "\u0661"])
def test_a_bad_queue_page_number_shows_a_real_page(client_for, many_pending, page):
    response = client_for("moderator").get("/moderation/", {"pending_page": page})
    assert response.status_code == 200
    page = response.context["pending"]
    assert 1 <= page.number <= page.paginator.num_pages < 60


def test_an_empty_queue_says_so_on_every_section(client_for):
    body = client_for("moderator").get("/moderation/", {"changes_page": "3"}).content.decode()
    for text in ("No entries are waiting.", "No suggestions are waiting.", "No open reports."):
        assert text in body
    assert "Pending entries (0)" in body and 'class="pagination"' not in body


def test_publishing_twice_logs_and_emails_once(client_for, pending, mailoutbox):
    moderator = client_for("moderator")
    for reason in ("First look", "Second look"):
        response = moderator.post(
            f"/moderation/entries/{pending.slug}/publish/", {"reason": reason}
        )
        assert response.status_code == 302
    assert list(ModerationDecision.objects.values_list("reason", flat=True)) == ["First look"]
    assert len(mailoutbox) == 1
    assert Entry.objects.get(pk=pending.pk).version == 2


def test_a_decision_from_a_stale_queue_does_not_undo_another_moderators_decision(
    client_for, pending, mailoutbox
):
    """One moderator publishes; another, on a queue page loaded before, clicks Reject."""
    client_for("moderator").post(f"/moderation/entries/{pending.slug}/publish/", {"reason": ""})
    stale = client_for("moderator").post(
        f"/moderation/entries/{pending.slug}/reject/", {"reason": "Spam"}, follow=True
    )
    assert "already been decided: it is published now" in stale.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.version) == ("published", 2)
    assert list(ModerationDecision.objects.values_list("action", flat=True)) == ["publish"]
    assert len(mailoutbox) == 1
