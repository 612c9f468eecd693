"""The entry page's timeline of threat cases, and the pages that open a case, edit it and add
an event: who may, what waits for review, and bad input refused on the field it concerns."""

import datetime
import re

import pytest
import time_machine
from django.test import Client

from mapapp import services
from mapapp.models import ThreatCase, ThreatEvent
from mapapp.services import threats as threat_services

TODAY = datetime.date(2026, 12, 2)
CASE = {
    "title": "Library closure",
    "kind": "closure",
    "status": "active",
    "opened_on": "2026-11-01",
    "closed_on": "",
    "summary": "The council proposes to close the branch.",
    "decider_name": "Riverside Borough Council",
    "decider_url": "https://council.example/cabinet",
}
EVENT = {
    "kind": "consultation_closes",
    "happened_on": "2026-12-11",
    "source_url": "https://council.example/consultation",
    "note": "Respond online or at the library.",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def entry(make_entry, people):
    return make_entry(name="Riverside Library", author=people["owner"])


def open_case(entry, author=None, **data):
    values = {
        "title": "Library closure",
        "kind": ThreatCase.Kind.CLOSURE,
        "opened_on": datetime.date(2026, 11, 1),
        **data,
    }
    return services.case_create(entry=entry, author=author, data=values)


def add_event(case, kind, day, **data):
    return services.event_create(
        case=case, author=None, data={"kind": kind, "happened_on": day, **data}
    )


def page(client, entry):
    response = client.get(f"/entries/{entry.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def section(body, case):
    start = body.index(f'id="case-{case.pk}"')
    return body[start : body.index("</section>", start)]


# The timeline


def test_the_timeline_shows_each_case_with_its_events_in_date_order(client, entry):
    case = open_case(
        entry,
        summary="Proposed for closure in the budget.",
        decider_name="Riverside Borough Council",
        decider_url="https://council.example/",
    )
    add_event(case, "consultation_opens", datetime.date(2026, 11, 10), note="Online survey")
    add_event(case, "announced", datetime.date(2026, 11, 1), source_url="https://news.example/1")
    old = open_case(
        entry,
        title="Sale of the reading room",
        kind=ThreatCase.Kind.DISPOSAL,
        status=ThreatCase.Status.SAVED,
        opened_on=datetime.date(2019, 3, 4),
        closed_on=datetime.date(2020, 1, 15),
    )
    body = page(client, entry)
    assert body.index(f'id="case-{case.pk}"') < body.index(f'id="case-{old.pk}"')  # newest first
    first = section(body, case)
    for text in (
        "Library closure",
        "Closure",
        "Active",
        '<time datetime="2026-11-01">1 November 2026</time>',
        "Proposed for closure in the budget.",
        '<a href="https://council.example/" rel="noopener nofollow ugc">Riverside Borough Council',
        "Online survey",
    ):
        assert text in first, text
    events = re.search(r'<ol class="events">(.*?)</ol>', first, re.S)[1]
    assert events.index("Announced") < events.index("Consultation opens")
    assert '<a href="https://news.example/1" rel="noopener nofollow ugc">source</a>' in events
    second = section(body, old)
    assert "Sale or disposal" in second and "Saved" in second
    assert '<time datetime="2020-01-15">15 January 2020</time>' in second


def test_an_entry_without_cases_says_no_threat_is_recorded(client, entry):
    body = page(client, entry)
    assert "No threats to this entry are recorded." in body
    assert 'class="case ' not in body and "Next deadline" not in body


def test_the_next_deadline_counts_down_on_the_page_and_passed_ones_are_marked(client, entry):
    case = open_case(entry)
    add_event(case, "consultation_closes", datetime.date(2026, 12, 11))
    add_event(case, "foi_sent", datetime.date(2026, 11, 2))  # answer due 30 November: passed
    body = page(client, entry)
    summary = body[body.index('aria-label="Threat status"') : body.index("</section>")]
    assert "Next deadline" in summary and "Consultation closes in 9 days" in summary
    assert f'href="#case-{case.pk}"' in summary
    assert '<time datetime="2026-12-11">11 December 2026</time>' in summary
    deadlines = section(body, case)
    nxt = re.search(r'<li class="deadline is-next">(.*?)</li>', deadlines, re.S)[1]
    assert "Consultation closes" in nxt and "in 9 days" in nxt
    passed = re.search(r'<li class="deadline is-past">(.*?)</li>', deadlines, re.S)[1]
    assert "Freedom-of-information answer due" in passed and "passed, 2 days ago" in passed
    assert "Freedom of Information Act 2000, s.10" in passed


def test_a_closed_case_has_no_next_deadline(client, entry, people):
    case = open_case(entry)
    add_event(case, "consultation_closes", datetime.date(2026, 11, 20))
    add_event(case, "acv_listed", datetime.date(2026, 11, 21))  # listed until 2031
    services.case_update(
        case=case,
        editor=people["moderator"],
        data={"status": "saved", "closed_on": datetime.date(2026, 12, 1)},
    )
    body = page(client, entry)
    assert "Next deadline" not in body and "is-next" not in body
    # The record keeps the dates (a saved place's listing still lapses), with no countdown.
    assert "Asset of Community Value listing expires" in section(body, case)
    assert "(in " not in section(body, case)


def test_contribution_links_are_for_signed_in_people_and_editing_for_those_who_may(
    client_for, entry
):
    case = open_case(entry)
    edit = f"/entries/{entry.slug}/cases/{case.pk}/edit/"
    add = f"/entries/{entry.slug}/cases/{case.pk}/events/new/"
    new = f"/entries/{entry.slug}/cases/new/"
    anonymous = page(client_for("anonymous"), entry)
    assert new not in anonymous and add not in anonymous and edit not in anonymous
    resident = page(client_for("resident"), entry)
    assert new in resident and add in resident and edit not in resident
    for role in ("owner", "trusted", "moderator"):
        assert edit in page(client_for(role), entry), role


# The forms


def test_the_forms_take_dates_in_date_inputs(client_for, entry):
    case = open_case(entry)
    client = client_for("owner")
    for url in (
        f"/entries/{entry.slug}/cases/new/",
        f"/entries/{entry.slug}/cases/{case.pk}/edit/",
        f"/entries/{entry.slug}/cases/{case.pk}/events/new/",
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url  # a form: never cached
        body = response.content.decode()
        assert re.search(r'<input type="date" name="(opened_on|happened_on)"', body), url
    event = client.get(f"/entries/{entry.slug}/cases/{case.pk}/events/new/").content.decode()
    assert 'min="2026-11-01"' in event and 'max="2036-12-02"' in event  # the case's span
    edit = client.get(f"/entries/{entry.slug}/cases/{case.pk}/edit/").content.decode()
    assert 'value="2026-11-01"' in edit and 'value="Library closure"' in edit


def test_anonymous_visitors_are_sent_to_sign_in(client, entry):
    case = open_case(entry)
    for url in (
        f"/entries/{entry.slug}/cases/new/",
        f"/entries/{entry.slug}/cases/{case.pk}/edit/",
        f"/entries/{entry.slug}/cases/{case.pk}/events/new/",
    ):
        for method in (client.get, client.post):
            response = method(url, {})
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/?next="), url
    assert ThreatCase.objects.count() == 1


@pytest.mark.parametrize("role", ["owner", "trusted", "moderator"])
def test_an_owner_or_trusted_contributor_opens_a_case_public_at_once(client_for, entry, role):
    response = client_for(role).post(f"/entries/{entry.slug}/cases/new/", CASE, follow=True)
    case = ThreatCase.objects.get()
    assert case.review == ThreatCase.Review.ACCEPTED and case.created_by.username == role
    assert response.redirect_chain[-1][0] == f"/entries/{entry.slug}/#case-{case.pk}"
    body = response.content.decode()
    assert "Your case is published." in body and f'id="case-{case.pk}"' in body
    entry.refresh_from_db()
    assert entry.threat == "at_risk"


def test_a_residents_case_awaits_review_and_stays_invisible_until_accepted(
    client_for, entry, people
):
    resident = client_for("resident")
    assert (
        "A moderator will review"
        in resident.get(f"/entries/{entry.slug}/cases/new/").content.decode()
    )
    response = resident.post(f"/entries/{entry.slug}/cases/new/", CASE, follow=True)
    assert response.redirect_chain[-1][0] == f"/entries/{entry.slug}/"
    assert "awaits review" in response.content.decode()
    case = ThreatCase.objects.get()
    assert case.review == ThreatCase.Review.PENDING
    for client in (Client(), resident):
        assert "Library closure" not in page(client, entry)
    entry.refresh_from_db()
    assert entry.threat == "none"
    services.contribution_review(item=case, moderator=people["moderator"], accept=True)
    assert f'id="case-{case.pk}"' in page(Client(), entry)


def test_the_owner_edits_a_case_and_closes_it(client_for, entry):
    case = open_case(entry)
    data = {**CASE, "status": "saved", "closed_on": "2026-12-01", "title": "Library saved"}
    data["version"] = case.version
    response = client_for("owner").post(f"/entries/{entry.slug}/cases/{case.pk}/edit/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.title) == (
        "saved",
        datetime.date(2026, 12, 1),
        "Library saved",
    )
    entry.refresh_from_db()
    assert entry.threat == "none"


def test_a_resident_may_not_edit_a_case(client_for, entry):
    case = open_case(entry)
    url = f"/entries/{entry.slug}/cases/{case.pk}/edit/"
    resident = client_for("resident")
    assert resident.get(url).status_code == 403
    assert resident.post(url, {**CASE, "title": "Vandalised"}).status_code == 403
    case.refresh_from_db()
    assert case.title == "Library closure"


def test_a_case_of_another_entry_is_not_found_under_this_one(client_for, entry, make_entry):
    case = open_case(make_entry(name="Elsewhere"))
    client = client_for("moderator")
    assert client.get(f"/entries/{entry.slug}/cases/{case.pk}/edit/").status_code == 404
    assert client.get(f"/entries/{entry.slug}/cases/{case.pk}/events/new/").status_code == 404


def test_an_event_from_the_owner_is_public_and_derives_its_deadline(client_for, entry):
    case = open_case(entry)
    url = f"/entries/{entry.slug}/cases/{case.pk}/events/new/"
    response = client_for("owner").post(url, EVENT, follow=True)
    event = ThreatEvent.objects.get()
    assert event.review == ThreatEvent.Review.ACCEPTED
    body = response.content.decode()
    assert "Your event is published." in body and "Consultation closes in 9 days" in body


def test_a_residents_event_awaits_review(client_for, entry, people):
    case = open_case(entry)
    url = f"/entries/{entry.slug}/cases/{case.pk}/events/new/"
    response = client_for("resident").post(url, EVENT, follow=True)
    assert "awaits review" in response.content.decode()
    event = ThreatEvent.objects.get()
    assert event.review == ThreatEvent.Review.PENDING
    assert "Respond online" not in page(Client(), entry)
    services.contribution_review(item=event, moderator=people["moderator"], accept=True)
    assert "Respond online" in page(Client(), entry)


def test_residents_cannot_add_events_to_a_case_still_awaiting_review(client_for, entry, people):
    pending = services.case_submit(
        entry=entry,
        author=people["resident"],
        data={"title": "Cut", "kind": "funding_cut", "opened_on": datetime.date(2026, 11, 1)},
    )
    url = f"/entries/{entry.slug}/cases/{pending.pk}/events/new/"
    assert client_for("resident").post(url, EVENT).status_code == 404
    assert client_for("owner").get(url).status_code == 200
    assert not ThreatEvent.objects.exists()


def errors_on(body, field):
    """The error messages shown on one field of a form."""
    block = re.search(rf'<div class="field-errors" id="id_{field}_error">(.*?)</div>', body, re.S)
    return re.findall(r'<p class="field-error" role="alert">(.*?)</p>', block[1]) if block else []


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"happened_on": "2026-10-31"}, "happened_on", "an event cannot come before it"),
        ({"happened_on": "2041-01-01"}, "happened_on", "at most 10 years from today"),
        ({"happened_on": "1850-06-01"}, "happened_on", "from 1900 onwards"),
        ({"happened_on": "2026-02-30"}, "happened_on", "Enter a valid date"),
        ({"source_url": "not a web address"}, "source_url", "Enter a valid URL"),
        ({"kind": "rumour"}, "kind", "Select a valid choice"),
    ],
)
def test_a_bad_event_is_refused_on_its_field_and_nothing_is_saved(
    client_for, entry, change, field, message
):
    case = open_case(entry)
    url = f"/entries/{entry.slug}/cases/{case.pk}/events/new/"
    response = client_for("owner").post(url, {**EVENT, **change})
    assert response.status_code == 400
    problems = errors_on(response.content.decode(), field)
    assert any(message in problem for problem in problems), problems
    assert not ThreatEvent.objects.exists()


def test_an_event_after_its_case_closed_is_refused(client_for, entry):
    case = open_case(entry, status=ThreatCase.Status.LOST, closed_on=datetime.date(2026, 11, 20))
    url = f"/entries/{entry.slug}/cases/{case.pk}/events/new/"
    response = client_for("owner").post(url, {**EVENT, "happened_on": "2026-11-25"})
    assert response.status_code == 400
    problems = errors_on(response.content.decode(), "happened_on")
    assert problems == ["The case closed on 2026-11-20; an event cannot come after it."]
    assert not ThreatEvent.objects.exists()


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"closed_on": "2026-11-30"}, "closed_on", "An active case has no closing date"),
        ({"status": "lost"}, "closed_on", "Give the date the case was lost."),
        ({"status": "saved", "closed_on": "2026-10-01"}, "closed_on", "cannot close before"),
        ({"opened_on": "2027-01-05"}, "opened_on", "This date is in the future"),
        ({"opened_on": "1850-01-01"}, "opened_on", "from 1900 onwards"),
        ({"kind": "meteor"}, "kind", "Select a valid choice"),
        ({"status": "doomed"}, "status", "Select a valid choice"),
        ({"decider_url": "http://"}, "decider_url", "Enter a valid URL"),
        ({"title": "   "}, "title", "This field is required"),
    ],
)
def test_a_bad_case_is_refused_on_its_field_and_nothing_is_saved(
    client_for, entry, change, field, message
):
    response = client_for("owner").post(f"/entries/{entry.slug}/cases/new/", {**CASE, **change})
    assert response.status_code == 400
    problems = errors_on(response.content.decode(), field)
    assert any(message in problem for problem in problems), problems
    assert not ThreatCase.objects.exists()


def test_closing_a_case_before_its_last_event_is_refused_on_the_closing_date(client_for, entry):
    case = open_case(entry)
    add_event(case, "decision", datetime.date(2026, 11, 25))
    url = f"/entries/{entry.slug}/cases/{case.pk}/edit/"
    data = {**CASE, "status": "lost", "closed_on": "2026-11-20", "version": case.version}
    response = client_for("owner").post(url, data)
    assert response.status_code == 400
    assert "after this closing date" in " ".join(errors_on(response.content.decode(), "closed_on"))
    case.refresh_from_db()
    assert case.status == "active" and case.closed_on is None


def test_the_forms_post_only_with_a_csrf_token(entry, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["owner"])
    assert client.post(f"/entries/{entry.slug}/cases/new/", CASE).status_code == 403
    assert not ThreatCase.objects.exists()
    assert client.put(f"/entries/{entry.slug}/cases/new/").status_code in (403, 405)


def test_a_resident_sending_too_many_contributions_is_told_to_wait(client_for, entry, monkeypatch):
    monkeypatch.setattr(threat_services, "PENDING_PER_HOUR", 1)
    resident = client_for("resident")
    url = f"/entries/{entry.slug}/cases/new/"
    assert resident.post(url, CASE).status_code == 302
    response = resident.post(url, {**CASE, "title": "Again"})
    assert response.status_code == 429 and "Retry-After" in response
    assert "Too many contributions" in response.content.decode()
    assert ThreatCase.objects.count() == 1
    assert client_for("owner").post(url, {**CASE, "title": "Owner's"}).status_code == 302


# Privacy and history


def test_no_contributors_account_shows_on_the_entry_page_or_its_history(
    client, make_entry, django_user_model
):
    contributor = django_user_model.objects.create_user(
        "qz-contrib-91", "qz-contrib-91@private.example", "pw-123456!"
    )
    entry = make_entry(author=contributor)
    case = open_case(entry, author=contributor)
    services.event_create(
        case=case,
        author=contributor,
        data={"kind": "announced", "happened_on": datetime.date(2026, 11, 2)},
    )
    for path in (f"/entries/{entry.slug}/", f"/entries/{entry.slug}/history/"):
        body = client.get(path).content.decode()
        assert "qz-contrib-91" not in body and "private.example" not in body, path


def test_the_history_lists_changes_to_public_cases_and_events(client, entry, people):
    services.profile_update(user=people["owner"], display_name="Friends of the Library")
    case = open_case(entry, author=people["owner"])
    services.case_update(case=case, editor=people["owner"], data={"summary": "Budget cut"})
    services.event_submit(
        case=case,
        author=people["owner"],
        data={"kind": "announced", "happened_on": datetime.date(2026, 11, 2)},
    )
    hidden = services.case_submit(
        entry=entry,
        author=people["resident"],
        data={"title": "Unreviewed", "kind": "other", "opened_on": datetime.date(2026, 11, 1)},
    )
    body = client.get(f"/entries/{entry.slug}/history/").content.decode()
    history = body[body.index('id="case-history"') :]
    assert "Case “Library closure”: Summary · by Friends of the Library" in history
    assert "Case “Library closure”: Created" in history
    assert "Event “Announced” of 2 November 2026, case “Library closure”: Created" in history
    assert hidden.title not in body and "owner@private.example" not in body


def test_an_edit_over_someone_elses_newer_save_is_refused_and_kept_in_the_form(
    client_for, entry, people
):
    case = open_case(entry)
    url = f"/entries/{entry.slug}/cases/{case.pk}/edit/"
    opened = case.version
    services.case_update(
        case=case,
        editor=people["moderator"],
        data={"summary": "Moderator's words"},
        expected_version=opened,
    )
    data = {**CASE, "title": "Owner's title", "version": opened}
    response = client_for("owner").post(url, data)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone saved this case since you opened it" in body
    assert "Owner&#x27;s title" in body and f'name="version" value="{opened + 1}"' in body
    case.refresh_from_db()
    assert case.summary == "Moderator's words" and case.title == "Library closure"
    # Saving again from the form as shown is a deliberate choice, and goes through.
    again = client_for("owner").post(url, {**data, "version": opened + 1})
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.title == "Owner's title" and case.version == opened + 2
