"""Freshness: when an entry was last verified (by a role, never a person), visitors' "still
here" confirmations, reminders to owners with signed one-click answers, and the filter
"verified in the last 12 months"."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from mapapp import services
from mapapp.models import Entry, ModerationDecision, Report
from mapapp.services import freshness

pytestmark = pytest.mark.django_db
START = "2026-01-05 09:00:00Z"


def days_after(start, days):
    return time_machine.travel(timezone.datetime.fromisoformat(start) + timedelta(days=days))


@pytest.fixture
def owned(make_entry, people):
    with time_machine.travel(START, tick=False):
        entry = make_entry(name="Easton Repair Café", status=Entry.Status.PENDING)
        Entry.objects.filter(pk=entry.pk).update(created_by=people["owner"])
        entry.refresh_from_db()
        published = services.entry_moderate(
            entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.PUBLISH
        )
    mail.outbox.clear()  # the decision's own email
    return published


def remind_on(day):
    with days_after(START, day):
        return freshness.remind_owners()


def links_in(message):
    return dict(re.findall(r"- (.+?): http://127\.0\.0\.1:8000(/freshness/[^/\s]+/)", message.body))


def token_of(message, label):
    return links_in(message)[freshness.ANSWERS[label]].split("/")[2]


def download_csv(client):
    response = client.get("/api/v1/entries/", {"format": "csv"})
    return b"".join(response.streaming_content).decode()


def api_properties(client, entry):
    return client.get(f"/api/v1/entries/{entry.slug}/").json()["properties"]


# --- verification ------------------------------------------------------------------------


def test_publishing_verifies_an_entry_as_a_moderator(owned):
    assert owned.verified_by == "moderator"
    assert owned.verified_at == owned.published_at


def test_the_owner_confirms_it_still_runs_from_the_entry_page(owned, client_for):
    owner = client_for("owner")
    assert "Still running — confirm" in owner.get(owned.get_absolute_url()).content.decode()
    with days_after(START, 200):
        response = owner.post(f"/entries/{owned.slug}/verify/")
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.verified_by == "owner" and owned.verified_at.date().isoformat() == "2026-07-24"
    assert owned.version == 2  # publication made version 2; verifying is not an edit


def test_a_moderator_confirms_any_entry_as_a_moderator(owned, client_for):
    client_for("moderator").post(f"/entries/{owned.slug}/verify/")
    owned.refresh_from_db()
    assert owned.verified_by == "moderator"


def test_a_trusted_contributor_confirms_another_persons_entry_as_the_community(owned, client_for):
    trusted = client_for("trusted")
    assert "Still running — confirm" in trusted.get(owned.get_absolute_url()).content.decode()
    assert trusted.post(f"/entries/{owned.slug}/verify/").status_code == 302
    owned.refresh_from_db()
    assert owned.verified_by == Entry.VerifiedBy.COMMUNITY
    body = Client().get(owned.get_absolute_url()).content.decode()
    assert "a contributor" in body and "trusted" not in body


def test_other_people_cannot_verify_and_are_not_offered_the_button(owned, client_for):
    resident = client_for("resident")
    assert "Still running — confirm" not in resident.get(owned.get_absolute_url()).content.decode()
    assert resident.post(f"/entries/{owned.slug}/verify/").status_code == 403
    assert Client().post(f"/entries/{owned.slug}/verify/").status_code == 302  # to sign in
    owned.refresh_from_db()
    assert owned.verified_by == "moderator"


def test_verification_reaches_the_page_the_list_the_api_and_the_downloads(owned, client):
    page = client.get(owned.get_absolute_url()).content.decode()
    assert "Last verified" in page and "by a moderator" in page
    assert "Verified <time" in client.get("/entries/").content.decode()
    properties = api_properties(client, owned)
    assert properties["verified_by"] == "moderator" and properties["verified"].startswith(
        "2026-01-05"
    )
    assert properties["confirmations"] == 0 and properties["unverified"] is False
    listed = client.get("/api/v1/entries/").json()["features"][0]["properties"]
    assert listed["verified"].startswith("2026-01-05") and listed["unverified"] is False
    csv_text = download_csv(client)
    header = csv_text.splitlines()[0].split(",")
    assert {"verified", "verified_by", "confirmations", "confirmed", "unverified"} <= set(header)


# --- visitors' confirmations ---------------------------------------------------------------


def test_an_anonymous_visitor_says_it_is_still_here_counted_apart(owned):
    visitor = Client()
    assert "it's still here" in visitor.get(owned.get_absolute_url()).content.decode()
    assert visitor.post(f"/entries/{owned.slug}/still-here/").status_code == 302
    owned.refresh_from_db()
    assert owned.confirmations == 1 and owned.confirmed_at is not None
    assert owned.verified_by == "moderator"  # a visitor's word is not a verification


def test_the_visitor_button_needs_no_form_token_so_entry_pages_stay_cacheable(owned):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(f"/entries/{owned.slug}/")
    assert "no-store" not in page.get("Cache-Control", "")
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert strict.post(f"/entries/{owned.slug}/still-here/").status_code == 302
    owned.refresh_from_db()
    assert owned.confirmations == 1


def test_the_visitor_button_is_rate_limited_per_address(owned, make_entry, settings):
    settings.VISIT_CONFIRMATIONS_PER_HOUR = 2
    second = make_entry()
    visitor = Client()
    paths = [f"/entries/{e.slug}/still-here/" for e in (owned, second, owned)]
    assert [visitor.post(path).status_code for path in paths] == [302, 302, 429]
    owned.refresh_from_db()
    assert owned.confirmations == 1
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert other.post(f"/entries/{owned.slug}/still-here/").status_code == 302


def test_one_address_counts_once_a_day_for_one_entry(owned):
    visitor = Client()
    path = f"/entries/{owned.slug}/still-here/"
    visitor.post(path)
    again = visitor.post(path, follow=True)
    assert "already counted today" in again.content.decode()
    owned.refresh_from_db()
    assert owned.confirmations == 1
    Client(REMOTE_ADDR="192.0.2.10").post(path)
    owned.refresh_from_db()
    assert owned.confirmations == 2


def test_pending_entries_take_no_confirmations(make_entry):
    entry = make_entry(status=Entry.Status.PENDING)
    assert Client().post(f"/entries/{entry.slug}/still-here/").status_code == 404


# --- reminders -------------------------------------------------------------------------------


def test_the_owner_is_reminded_once_a_year_after_the_last_verification(owned):
    assert remind_on(364) == (0, 0)
    assert remind_on(366) == (1, 0)
    [reminder] = mail.outbox
    assert reminder.to == ["owner@private.example"]
    assert "Easton Repair Café" in reminder.subject
    assert set(links_in(reminder)) == set(freshness.ANSWERS.values())


def test_reminders_come_at_most_once_per_interval_and_then_the_entry_goes_unverified(owned):
    assert [remind_on(day) for day in (366, 367, 395)] == [(1, 0), (0, 0), (0, 0)]
    assert remind_on(396) == (1, 0)
    assert remind_on(426) == (1, 0)
    assert len(mail.outbox) == 3
    owned.refresh_from_db()
    assert not owned.unverified
    assert remind_on(456) == (0, 1)
    assert len(mail.outbox) == 3
    owned.refresh_from_db()
    assert owned.unverified and owned.status == Entry.Status.PUBLISHED
    assert remind_on(600) == (0, 0)  # flagged: the moderators have it now


class ReadEarlier:
    """Rows as the job read them before the owner's click: the job then writes from these."""

    def __init__(self, rows):
        self.rows = rows

    def iterator(self, chunk_size):
        return iter(self.rows)


def test_a_day_sends_at_most_its_share_of_reminders_the_longest_unverified_first(
    make_entry, settings
):
    settings.FRESHNESS_REMINDERS_PER_DAY = 2
    for day in (20, 0, 10):
        with days_after(START, day):
            entry = make_entry()
        Entry.objects.filter(pk=entry.pk).update(submitter_email=f"day{day}@private.example")
    assert remind_on(400) == (2, 0)
    assert [m.to for m in mail.outbox] == [["day0@private.example"], ["day10@private.example"]]
    assert remind_on(401) == (1, 0)
    assert mail.outbox[-1].to == ["day20@private.example"]


@pytest.mark.parametrize("sent", [0, 3], ids=["due a reminder", "due the flag"])
def test_an_owner_who_confirms_while_the_job_runs_is_neither_flagged_nor_reminded(
    owned, monkeypatch, sent
):
    Entry.objects.filter(pk=owned.pk).update(reminders_sent=sent)
    with days_after(START, 500):
        read = list(freshness.due_for_reminder(timezone.now()))
        assert [entry.pk for entry in read] == [owned.pk]
        freshness.entry_verify(entry=owned, role=Entry.VerifiedBy.OWNER)
        monkeypatch.setattr(freshness, "due_for_reminder", lambda now: ReadEarlier(read))
        assert freshness.remind_owners() == (0, 0)
    owned.refresh_from_db()
    assert (owned.unverified, owned.reminders_sent) == (False, 0)
    assert owned.verified_by == Entry.VerifiedBy.OWNER
    assert mail.outbox == []


def test_publishing_an_archived_entry_again_verifies_it_afresh(owned, people):
    Entry.objects.filter(pk=owned.pk).update(unverified=True, reminders_sent=3)
    for action in (ModerationDecision.Action.ARCHIVE, ModerationDecision.Action.PUBLISH):
        with days_after(START, 800):
            services.entry_moderate(entry=owned, moderator=people["moderator"], action=action)
    owned.refresh_from_db()
    assert (owned.unverified, owned.reminders_sent, owned.verified_at.date()) == (
        False,
        0,
        (timezone.datetime.fromisoformat(START) + timedelta(days=800)).date(),
    )


def test_a_deactivated_owner_is_not_written_to(owned, people):
    people["owner"].is_active = False
    people["owner"].save()
    assert remind_on(366) == (0, 0)
    assert mail.outbox == []


def test_a_signed_link_with_a_payload_not_of_ours_is_refused_not_a_500(owned, client):
    for payload in ([1, 2], "running", {"e": [owned.pk], "a": "running"}, {"e": "x"}):
        token = signing.dumps(payload, salt=freshness.REMINDER_SALT, compress=True)
        for method in (client.get, client.post):
            response = method(f"/freshness/{token}/")
            assert response.status_code == 400, (payload, response.status_code)
    owned.refresh_from_db()
    assert owned.verified_by == Entry.VerifiedBy.MODERATOR


def test_a_reminder_link_stops_answering_once_the_entry_changes_hands(owned, people):
    remind_on(366)
    path = f"/freshness/{token_of(mail.outbox[0], 'running')}/"
    Entry.objects.filter(pk=owned.pk).update(created_by=people["moderator"])
    response = Client().post(path)
    assert response.status_code == 400
    assert "no longer looks after this entry" in response.content.decode()
    owned.refresh_from_db()
    assert owned.verified_by == Entry.VerifiedBy.MODERATOR and owned.reminders_sent == 1


def test_a_suggesters_link_carries_no_address_and_answers_only_for_that_address(make_entry):
    with time_machine.travel(START, tick=False):
        entry = make_entry()
    Entry.objects.filter(pk=entry.pk).update(submitter_email="suggester@private.example")
    remind_on(366)
    token = token_of(mail.outbox[0], "running")
    payload = str(signing.loads(token, salt=freshness.REMINDER_SALT))
    assert "private.example" not in payload
    unkeyed = hashlib.sha256(b"suggester@private.example").hexdigest()
    assert not any(unkeyed[:n] in payload for n in (8, 16))
    Entry.objects.filter(pk=entry.pk).update(submitter_email="new@private.example")
    assert Client().post(f"/freshness/{token}/").status_code == 400


def test_an_anonymous_suggesters_private_address_is_reminded(make_entry):
    with time_machine.travel(START, tick=False):
        entry = make_entry()
    Entry.objects.filter(pk=entry.pk).update(submitter_email="suggester@private.example")
    remind_on(366)
    assert [m.to for m in mail.outbox] == [["suggester@private.example"]]


def test_verifying_clears_the_flag_and_the_count_of_reminders(owned):
    for day in (366, 396, 426, 456):
        remind_on(day)
    owned.refresh_from_db()
    assert owned.unverified
    with days_after(START, 460):
        freshness.entry_verify(entry=owned, role="owner")
    owned.refresh_from_db()
    assert not owned.unverified and owned.reminders_sent == 0
    assert remind_on(480) == (0, 0)


def test_still_running_asks_first_then_verifies_as_the_owner(owned):
    remind_on(366)
    path = f"/freshness/{token_of(mail.outbox[0], 'running')}/"
    visitor = Client()
    asked = visitor.get(path)
    assert asked.status_code == 200 and "Confirm that it is still running" in asked.content.decode()
    owned.refresh_from_db()
    assert owned.verified_at.year == 2026 and owned.reminders_sent == 1  # GET changed nothing
    with days_after(START, 367):
        done = visitor.post(path)
    assert done.status_code == 200 and "verified by its owner" in done.content.decode()
    owned.refresh_from_db()
    assert owned.verified_by == "owner" and owned.verified_at.year == 2027
    assert owned.reminders_sent == 0


def test_needs_changes_opens_the_edit_page(owned):
    remind_on(366)
    response = Client().post(f"/freshness/{token_of(mail.outbox[0], 'changes')}/")
    assert response.status_code == 302 and response["Location"] == f"/entries/{owned.slug}/edit/"


def test_it_has_closed_becomes_one_report_of_a_closure(owned):
    remind_on(366)
    path = f"/freshness/{token_of(mail.outbox[0], 'closed')}/"
    Client().post(path)
    Client().post(path)
    [report] = Report.objects.filter(entry=owned)
    assert report.kind == Report.Kind.CLOSED and report.status == Report.Status.OPEN
    owned.refresh_from_db()
    assert owned.status == Entry.Status.PUBLISHED


def test_a_forged_link_gets_a_clear_page_and_changes_nothing(owned):
    forged = signing.dumps({"e": owned.pk, "a": "closed"}, salt="somebody else's salt")
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/freshness/{forged}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not Report.objects.exists()


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(owned):
    remind_on(366)
    path = f"/freshness/{token_of(mail.outbox[0], 'running')}/"
    with days_after(START, 366 + 91):
        response = Client().post(path)
    assert response.status_code == 400 and "expired" in response.content.decode()
    owned.refresh_from_db()
    assert owned.verified_by == "moderator" and owned.verified_at.year == 2026


# --- privacy -----------------------------------------------------------------------------------


def test_no_public_surface_names_who_verified(owned, client_for, people):
    client_for("owner").post(f"/entries/{owned.slug}/verify/")
    Client().post(f"/entries/{owned.slug}/still-here/")
    surfaces = [
        Client().get(owned.get_absolute_url()).content.decode(),
        Client().get("/entries/").content.decode(),
        json.dumps(api_properties(Client(), owned)),
        download_csv(Client()),
    ]
    for text in surfaces:
        assert "private.example" not in text
        assert "owner@" not in text and "reminders_sent" not in text and "reminded" not in text
    assert "by its owner" in surfaces[0]


# --- the filter "verified in the last 12 months" ------------------------------------------------


@pytest.fixture
def old_and_fresh(make_entry):
    with time_machine.travel(START, tick=False):
        old = make_entry(name="Old Library of Things", lon=-2.59, lat=51.45)
        fresh = make_entry(name="Fresh Repair Café", lon=-2.6, lat=51.46)
    with days_after(START, 500):
        freshness.entry_verify(entry=fresh, role="moderator")
    return old, fresh


def test_the_list_the_api_and_the_clusters_select_entries_verified_within_a_year(old_and_fresh):
    _old, fresh = old_and_fresh
    with days_after(START, 520):
        listed = Client().get("/entries/", {"verified_within": "365"})
        api = Client().get("/api/v1/entries/", {"verified_within": "365"}).json()
        clusters = Client().get("/api/v1/clusters/", {"verified_within": "365", "zoom": "3"}).json()
        ogc = Client().get("/ogc/collections/entries/items", {"verified_within": "365"}).json()
        everything = Client().get("/api/v1/clusters/", {"zoom": "3"}).json()
    assert [e.name for e in listed.context["page"].object_list] == [fresh.name]
    ticked = r'<input type="checkbox" name="verified_within" value="365" id="[^"]+" checked>'
    assert re.search(ticked, listed.content.decode())
    assert [f["id"] for f in api["features"]] == [fresh.slug]
    assert [f["id"] for f in ogc["features"]] == [fresh.slug] and ogc["numberMatched"] == 1
    count = lambda body: sum(f["properties"]["count"] for f in body["features"])  # noqa: E731
    assert (count(clusters), count(everything)) == (1, 2)


def test_the_list_offers_the_filter_unticked_without_it(old_and_fresh):
    body = Client().get("/entries/").content.decode()
    assert re.search(r'<input type="checkbox" name="verified_within" value="365" id="[^"]+">', body)


@pytest.mark.parametrize("value", ["0", "soon", "99999", ""])
def test_a_bad_verified_within_is_named_by_every_door(value, old_and_fresh):
    api = Client().get("/api/v1/entries/", {"verified_within": value})
    assert api.status_code == 400 and "verified_within" in api.json()
    ogc = Client().get("/ogc/collections/entries/items", {"verified_within": value})
    assert ogc.status_code == 400 and "verified_within" in ogc.json()["description"]
    if value:  # the list drops blank fields as a form's untouched controls
        page = Client().get("/entries/", {"verified_within": value})
        assert page.status_code == 400 and "verified_within" in page.content.decode()


# --- the moderation dashboard ------------------------------------------------------------------


def test_the_dashboard_says_when_nothing_is_unverified_or_reported_closed(client_for):
    body = client_for("moderator").get("/moderation/").content.decode()
    assert "Gone unverified (0)" in body and "No entry has gone unverified." in body
    assert "Reports of closures (0)" in body and "No closures are reported." in body


def test_unverified_entries_and_closures_reach_the_dashboard(owned, client_for):
    for day in (366, 396, 426, 456):
        remind_on(day)
    Client().post(f"/freshness/{token_of(mail.outbox[0], 'closed')}/")
    moderator = client_for("moderator")
    body = moderator.get("/moderation/").content.decode()
    assert "Gone unverified (1)" in body and "Reports of closures (1)" in body
    assert body.count("Easton Repair Café") >= 2 and freshness.CLOSED_MESSAGE in body
    assert "Reports (0)" in body  # a closure is listed once, in its own section
    done = moderator.post(f"/entries/{owned.slug}/verify/", {"next": "/moderation/"})
    assert done["Location"] == "/moderation/"
    assert "Gone unverified (0)" in moderator.get("/moderation/").content.decode()


def test_the_dashboards_unverified_section_pages(make_entry, client_for):
    for n in range(30):
        make_entry(name=f"Quiet {n:02d}")
    Entry.objects.update(unverified=True)
    moderator = client_for("moderator")
    first = moderator.get("/moderation/").content.decode()
    assert "Gone unverified (30)" in first and "?unverified_page=2#unverified-title" in first
    second = moderator.get("/moderation/", {"unverified_page": 2}).content.decode()
    assert second.count("Still running — confirm") == 5
