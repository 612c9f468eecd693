"""Writing threat cases and events through the API: the pages' permissions (the owner, trusted
contributors and moderators publish at once, anyone else's wait for review), and bad bodies
answered with a 400 naming the field, nothing half-saved."""

import json
from datetime import date

import pytest
import time_machine
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from mapapp import services
from mapapp.models import Entry, ThreatCase
from tests.fuzzing import errors_name_fields, fuzz_settings, json_fragments

CASE = {"title": "Library to close", "kind": "closure", "opened_on": "2026-09-01"}
EVENT = {"kind": "consultation_closes", "happened_on": "2026-12-01"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-11-15 12:00:00Z", tick=False):
        yield


@pytest.fixture
def token_for(people):
    def make(role):
        return Token.objects.get_or_create(user=people[role])[0].key

    return make


@pytest.fixture
def entry(make_entry, people):
    return make_entry(name="Easton Library", author=people["owner"])


@pytest.fixture
def case(entry, people):
    data = {"title": "Closure", "kind": "closure", "opened_on": date(2026, 9, 1)}
    return services.case_create(entry=entry, author=people["owner"], data=data)


def call(method, path, body=None, role_token=None, raw=None, if_match=None):
    headers = {"Authorization": f"Token {role_token}"} if role_token else {}
    if method == "patch" and if_match is None:
        # A PATCH of a case names the version it read: here the current one, unless a test
        # says otherwise.
        pk = path.removeprefix("/api/v1/threats/").strip("/")
        current = ThreatCase.objects.filter(pk=pk).first() if pk.isdigit() else None
        if_match = str(current.version if current else 1)
    if if_match:
        headers["If-Match"] = if_match
    data = raw if raw is not None else json.dumps(body)
    response = getattr(Client(), method)(
        path, data=data, content_type="application/json", headers=headers
    )
    try:
        parsed = json.loads(response.content) if response.content else None
    except ValueError:
        parsed = None
    return response.status_code, parsed


def cases_url(entry):
    return f"/api/v1/entries/{entry.slug}/cases/"


@pytest.mark.parametrize("role", ["owner", "trusted", "moderator"])
def test_the_owner_trusted_contributors_and_moderators_open_public_cases(entry, token_for, role):
    status, body = call("post", cases_url(entry), CASE, token_for(role))
    assert status == 201, body
    assert body["review"] == "accepted" and body["entry"] == entry.slug
    assert body["opened_on"] == "2026-09-01" and body["status"] == "active"
    entry.refresh_from_db()
    assert entry.threat == Entry.Threat.AT_RISK


def test_anyone_elses_case_waits_for_review(entry, token_for, client):
    status, body = call("post", cases_url(entry), CASE, token_for("resident"))
    assert status == 202 and body["review"] == "pending"
    entry.refresh_from_db()
    assert entry.threat == Entry.Threat.NONE
    assert client.get("/api/v1/threats/").json()["features"] == []
    assert client.get(f"/api/v1/threats/{body['id']}/").status_code == 404


def test_anonymous_writes_are_refused(entry, case):
    assert call("post", cases_url(entry), CASE)[0] == 401
    assert call("post", f"/api/v1/threats/{case.pk}/events/", EVENT)[0] == 401
    assert call("patch", f"/api/v1/threats/{case.pk}/", {"title": "x"})[0] == 401


def test_a_case_on_an_entry_one_cannot_see_is_not_found(make_entry, token_for):
    hidden = make_entry(status="pending")
    status, body = call("post", cases_url(hidden), CASE, token_for("resident"))
    assert status == 404
    assert not ThreatCase.objects.filter(entry=hidden).exists()


@pytest.mark.parametrize("role,status", [("owner", 201), ("trusted", 201), ("resident", 202)])
def test_events_are_public_at_once_or_pending_by_who_adds_them(case, token_for, role, status):
    code, body = call("post", f"/api/v1/threats/{case.pk}/events/", EVENT, token_for(role))
    assert code == status, body
    assert body["review"] == ("accepted" if status == 201 else "pending")
    assert body["case"] == case.pk and body["happened_on"] == "2026-12-01"
    listed = Client().get(f"/api/v1/threats/{case.pk}/events/").json()
    assert len(listed) == (1 if status == 201 else 0)


def test_an_accepted_event_derives_its_deadline(case, token_for):
    call("post", f"/api/v1/threats/{case.pk}/events/", EVENT, token_for("owner"))
    feature = Client().get(f"/api/v1/threats/{case.pk}/").json()
    assert feature["properties"]["next_deadline"] == {
        "name": "Consultation closes",
        "due_on": "2026-12-01",
        "days": 16,
    }


@pytest.mark.parametrize("role", ["owner", "trusted", "moderator"])
def test_the_owner_trusted_contributors_and_moderators_edit_a_case(case, token_for, role):
    body = {"status": "saved", "closed_on": "2026-11-10"}
    status, answer = call("patch", f"/api/v1/threats/{case.pk}/", body, token_for(role))
    assert status == 200, answer
    assert answer["status"] == "saved" and answer["closed_on"] == "2026-11-10"
    case.refresh_from_db()
    assert case.status == "saved"


def test_anyone_else_may_not_edit_a_case(case, token_for):
    status, body = call(
        "patch", f"/api/v1/threats/{case.pk}/", {"title": "Mine"}, token_for("resident")
    )
    assert status == 403, body
    case.refresh_from_db()
    assert case.title == "Closure"


def test_a_pending_case_is_found_by_its_author_and_moderators_only(
    entry, token_for, django_user_model
):
    _, body = call("post", cases_url(entry), CASE, token_for("resident"))
    path = f"/api/v1/threats/{body['id']}/events/"
    stranger = django_user_model.objects.create_user("stranger", "s@private.example", "x")
    assert call("post", path, EVENT, Token.objects.create(user=stranger).key)[0] == 404
    # Its author sees it, but adds events only once it is accepted (as on the pages).
    assert call("post", path, EVENT, token_for("resident"))[0] == 403
    assert call("post", path, EVENT, token_for("moderator"))[0] == 201


def test_an_event_on_a_declined_case_is_refused(entry, token_for, people):
    _, body = call("post", cases_url(entry), CASE, token_for("resident"))
    pending = ThreatCase.objects.get(pk=body["id"])
    services.contribution_review(item=pending, moderator=people["moderator"], accept=False)
    path = f"/api/v1/threats/{pending.pk}/events/"
    status, answer = call("post", path, EVENT, token_for("owner"))
    assert status == 400 and "declined" in answer["body"][0], answer
    assert not pending.events.exists()


def test_unknown_cases_are_not_found(db, token_for):
    assert call("post", "/api/v1/threats/99999/events/", EVENT, token_for("owner"))[0] == 404
    assert call("patch", "/api/v1/threats/99999/", {"title": "x"}, token_for("owner"))[0] == 404


def test_threat_and_threat_note_are_no_longer_written_on_entries(entry, token_for):
    """An entry's threat is derived from its cases: a body naming it is refused like any
    field the API does not know, and nothing changes."""
    body = {
        "name": "New",
        "category": "commoning",
        "geometry": {"type": "Point", "coordinates": [-2.5, 51.4]},
        "threat": "at_risk",
        "threat_note": "Sale planned",
    }
    status, answer = call("post", "/api/v1/entries/", body, token_for("owner"))
    assert status == 400 and "threat" in answer["unknown"][0]
    assert "threat_note" in answer["unknown"][0]
    client = Client(headers={"Authorization": f"Token {token_for('owner')}"})
    response = client.patch(
        f"/api/v1/entries/{entry.slug}/",
        data=json.dumps({"threat": "lost"}),
        content_type="application/json",
        headers={"If-Match": str(entry.version)},
    )
    assert response.status_code == 400 and "unknown" in response.json()
    entry.refresh_from_db()
    assert entry.threat == Entry.Threat.NONE


@pytest.mark.parametrize(
    "body,field",
    [
        ({**CASE, "kind": "meteor"}, "kind"),
        ({**CASE, "status": "doomed"}, "status"),
        ({**CASE, "opened_on": "2026-13-01"}, "opened_on"),
        ({**CASE, "opened_on": "1850-01-01"}, "opened_on"),
        ({**CASE, "opened_on": "2027-01-01"}, "opened_on"),
        ({**CASE, "opened_on": "99999-01-01"}, "opened_on"),
        ({**CASE, "status": "lost"}, "closed_on"),
        ({**CASE, "closed_on": "2026-10-01"}, "closed_on"),
        ({**CASE, "status": "lost", "closed_on": "2026-08-01"}, "closed_on"),
        ({**CASE, "decider_url": "not a url"}, "decider_url"),
        ({**CASE, "decider_url": "javascript:alert(1)"}, "decider_url"),
        ({**CASE, "title": "   "}, "title"),
        ({**CASE, "title": {"nested": {"deep": [1, 2]}}}, "title"),
        ({**CASE, "title": "x" * 201}, "title"),
        ({**CASE, "summary": "x" * 2001}, "summary"),
        ({**CASE, "opened_on": 2026}, "opened_on"),
        ({**CASE, "review": "accepted"}, "unknown"),
        ({**CASE, "created_by": 1}, "unknown"),
        ({"kind": "closure", "opened_on": "2026-09-01"}, "title"),
        ([CASE], "body"),
    ],
)
def test_a_bad_case_gets_a_400_naming_the_field(entry, token_for, body, field):
    status, answer = call("post", cases_url(entry), body, token_for("owner"))
    assert status == 400 and field in answer, answer
    assert not ThreatCase.objects.filter(entry=entry).exists()
    entry.refresh_from_db()
    assert entry.threat == Entry.Threat.NONE


@pytest.mark.parametrize(
    "body,field",
    [
        ({**EVENT, "happened_on": "2026-08-31"}, "happened_on"),
        ({**EVENT, "happened_on": "2037-01-01"}, "happened_on"),
        ({**EVENT, "happened_on": "1899-12-31"}, "happened_on"),
        ({**EVENT, "kind": "alien_invasion"}, "kind"),
        ({**EVENT, "source_url": "ftp//broken"}, "source_url"),
        ({**EVENT, "source_url": "http://"}, "source_url"),
        ({**EVENT, "note": ["a", {"b": "c"}]}, "note"),
        ({**EVENT, "note": "x" * 2001}, "note"),
        ({**EVENT, "review": "accepted"}, "unknown"),
        ({"kind": "decision"}, "happened_on"),
        ("just text", "body"),
    ],
)
def test_a_bad_event_gets_a_400_naming_the_field(case, token_for, body, field):
    path = f"/api/v1/threats/{case.pk}/events/"
    status, answer = call("post", path, body, token_for("owner"))
    assert status == 400 and field in answer, answer
    assert not case.events.exists() and not case.deadlines.exists()


def test_an_event_after_a_closed_case_closed_is_refused(case, token_for):
    services.case_update(
        case=case,
        editor=Token.objects.get(key=token_for("moderator")).user,
        data={"status": "lost", "closed_on": date(2026, 10, 1)},
    )
    path = f"/api/v1/threats/{case.pk}/events/"
    status, answer = call("post", path, {**EVENT, "happened_on": "2026-10-05"}, token_for("owner"))
    assert status == 400 and "happened_on" in answer


def test_closing_a_case_before_its_last_event_is_refused(case, token_for):
    # An event that has happened (one still to come is set aside by the closing instead).
    past = {"kind": "decision", "happened_on": "2026-11-10"}
    call("post", f"/api/v1/threats/{case.pk}/events/", past, token_for("owner"))
    body = {"status": "saved", "closed_on": "2026-11-01"}
    status, answer = call("patch", f"/api/v1/threats/{case.pk}/", body, token_for("owner"))
    assert status == 400 and "closed_on" in answer, answer
    case.refresh_from_db()
    assert case.status == "active" and case.closed_on is None


def test_a_huge_number_or_deep_nesting_in_a_body_names_the_field_or_the_body(case, token_for):
    path = f"/api/v1/threats/{case.pk}/events/"
    huge = '{"kind": "decision", "happened_on": ' + "9" * 500 + "}"
    status, answer = call("post", path, raw=huge, role_token=token_for("owner"))
    assert status == 400 and "happened_on" in answer, answer
    deep = '{"kind": "decision", "note": ' + "[" * 100 + "]" * 100 + "}"
    status, answer = call("post", path, raw=deep, role_token=token_for("owner"))
    assert status == 400 and "body" in answer, answer
    status, answer = call("post", path, raw="{not json", role_token=token_for("owner"))
    assert status == 400 and "body" in answer
    assert not case.events.exists()


def test_a_patch_with_nothing_wrong_but_an_unknown_field_changes_nothing(case, token_for):
    body = {"title": "Renamed", "threat": "lost"}
    status, answer = call("patch", f"/api/v1/threats/{case.pk}/", body, token_for("owner"))
    assert status == 400 and "unknown" in answer
    case.refresh_from_db()
    assert case.title == "Closure"


SENTINEL = "\x01fuzz\x01"
GENERAL = {"body", "unknown", "non_field_errors"}


def fuzzed(body, where, fragment):
    """Raw JSON of body with a generated fragment as the value of `where` (or as the body)."""
    if not where:
        return fragment
    return json.dumps({**body, where: SENTINEL}).replace(json.dumps(SENTINEL), fragment)


@given(where=st.sampled_from([*services.CASE_FIELDS, "", "no_such_field"]), fragment=json_fragments)
@fuzz_settings(40)
def test_fuzzed_case_bodies_never_fail_and_name_what_is_wrong(entry, token_for, where, fragment):
    raw = fuzzed(CASE, where, fragment)
    status, answer = call("post", cases_url(entry), raw=raw, role_token=token_for("moderator"))
    assert status in (201, 400, 413), (raw[:200], answer)
    if status == 400:
        assert errors_name_fields(answer, {*services.CASE_FIELDS, *GENERAL, where}), answer


@given(
    where=st.sampled_from([*services.EVENT_FIELDS, "", "no_such_field"]), fragment=json_fragments
)
@fuzz_settings(40)
def test_fuzzed_event_bodies_never_fail_and_name_what_is_wrong(case, token_for, where, fragment):
    raw = fuzzed(EVENT, where, fragment)
    path = f"/api/v1/threats/{case.pk}/events/"
    status, answer = call("post", path, raw=raw, role_token=token_for("owner"))
    assert status in (201, 400, 413), (raw[:200], answer)
    if status == 400:
        assert errors_name_fields(answer, {*services.EVENT_FIELDS, *GENERAL, where}), answer


def test_a_case_edit_without_if_match_is_refused_and_changes_nothing(case, token_for):
    client = Client(headers={"Authorization": f"Token {token_for('owner')}"})
    response = client.patch(
        f"/api/v1/threats/{case.pk}/",
        data=json.dumps({"title": "New"}),
        content_type="application/json",
    )
    assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    case.refresh_from_db()
    assert case.title == "Closure" and case.version == 1


def test_a_case_edit_from_a_stale_version_is_refused_with_412(case, token_for):
    first = call("patch", f"/api/v1/threats/{case.pk}/", {"title": "First"}, token_for("owner"))
    assert first[0] == 200 and first[1]["version"] == 2
    status, body = call(
        "patch",
        f"/api/v1/threats/{case.pk}/",
        {"title": "Second"},
        token_for("moderator"),
        if_match="1",
    )
    assert status == 412 and "version 2, not 1" in body["detail"]
    case.refresh_from_db()
    assert case.title == "First" and case.version == 2


def test_the_etag_of_a_case_is_its_if_match(case, token_for):
    etag = Client().get(f"/api/v1/threats/{case.pk}/")["ETag"]
    assert etag.startswith('"v1-')
    status, body = call(
        "patch",
        f"/api/v1/threats/{case.pk}/",
        {"title": "Renamed"},
        token_for("owner"),
        if_match=etag,
    )
    assert status == 200 and body["version"] == 2


def test_an_if_match_naming_no_version_is_a_400(case, token_for):
    status, body = call(
        "patch", f"/api/v1/threats/{case.pk}/", {"title": "x"}, token_for("owner"), if_match="abc"
    )
    assert status == 400 and "names no version of this case" in body["If-Match"][0]


def test_the_hourly_limit_on_contributions_awaiting_review_holds_in_the_api_too(
    entry, token_for, monkeypatch
):
    from mapapp.services import threats as threat_services

    monkeypatch.setattr(threat_services, "PENDING_PER_HOUR", 2)
    statuses = [
        call("post", cases_url(entry), {**CASE, "title": f"Case {n}"}, token_for("resident"))[0]
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]
    assert ThreatCase.objects.count() == 2
    # Contributions public at once are not counted.
    assert call("post", cases_url(entry), CASE, token_for("owner"))[0] == 201


def test_an_author_may_not_add_events_to_their_own_case_while_it_awaits_review(entry, token_for):
    status, body = call("post", cases_url(entry), CASE, token_for("resident"))
    assert status == 202
    status, body = call(
        "post", f"/api/v1/threats/{body['id']}/events/", EVENT, token_for("resident")
    )
    assert status == 403 and "once a moderator accepts it" in body["detail"]
