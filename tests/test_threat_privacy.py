"""The threat reads keep the entry's withheld location and everyone's identity private: a case
is found and placed only at its entry's public point, and its values name nobody."""

import dataclasses
import json
from datetime import date, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from mapapp import services
from mapapp.reads import threats as reads
from mapapp.reads.filters import parse_filters

EXACT = (-2.60123, 51.46789)
PRIVATE_WORDS = ("created_by", "review", "user", "email", "history", "ip", "author")


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("zelda-quillfeather", "zq@private.example")


@pytest.fixture
def withheld(make_entry, owner):
    """An entry with its location withheld, a case on it by its owner, and events."""
    entry = make_entry(
        name="Hidden Refuge Garden",
        lon=EXACT[0],
        lat=EXACT[1],
        precision="area",
        author=owner,
    )
    assert entry.public_point.coords != entry.location.coords
    today = timezone.localdate()
    case = services.case_submit(
        entry=entry,
        author=owner,
        data={
            "title": "Garden to be sold",
            "kind": "disposal",
            "status": "active",
            "opened_on": today - timedelta(days=40),
            "decider_name": "Riverside Borough Council",
        },
    )
    services.event_submit(
        case=case,
        author=owner,
        data={
            "kind": "disposal_notice",
            "happened_on": today - timedelta(days=30),
            "source_url": "https://example.org/notice",
            "note": "Notice received.",
        },
    )
    return case


def threat_filters(query):
    return parse_filters(QueryDict(query), names=reads.THREAT_FILTERS, aliases=reads.THREAT_ALIASES)


def box_around(lon, lat, half=0.0005):
    return f"bbox={lon - half},{lat - half},{lon + half},{lat + half}"


def test_a_box_around_the_withheld_point_finds_no_case(withheld):
    assert not reads.cases_matching(threat_filters(box_around(*EXACT))).exists()
    assert reads.threat_stats(threat_filters(box_around(*EXACT))) == []


def test_a_box_around_the_public_point_finds_the_case(withheld):
    public = withheld.entry.public_point
    found = reads.cases_matching(threat_filters(box_around(public.x, public.y)))
    assert list(found) == [withheld]
    stats = reads.threat_stats(threat_filters(box_around(public.x, public.y)))
    assert sum(row["opened"] for row in stats) == 1


def test_the_deadline_filter_finds_it_only_at_the_public_point(withheld):
    deadline = "deadline_within=30"
    assert not reads.cases_matching(threat_filters(f"{box_around(*EXACT)}&{deadline}")).exists()
    public = withheld.entry.public_point
    query = f"{box_around(public.x, public.y)}&{deadline}"
    assert reads.cases_matching(threat_filters(query)).count() == 1


def every_value(record):
    """The case record as plain data, the way a door would write it out."""
    return {
        "case": reads.case_values(record.case),
        "events": [reads.event_values(e) for e in record.events],
        "deadlines": [dataclasses.asdict(d) for d in record.deadlines],
    }


def test_no_read_value_carries_the_withheld_coordinates_or_anyones_identity(withheld, owner):
    records = reads.entry_timeline(withheld.entry)
    records += reads.case_records(reads.cases_matching(threat_filters("")))
    text = json.dumps([every_value(r) for r in records], default=str)
    for coordinate in EXACT:
        assert f"{coordinate:.3f}"[:-1] not in text
    for private in (owner.username, owner.email, "quillfeather"):
        assert private not in text


def test_case_and_event_values_carry_only_their_public_fields(withheld):
    values = reads.case_values(withheld)
    assert tuple(values) == reads.CASE_PUBLIC_FIELDS
    event = withheld.events.get()
    assert tuple(reads.event_values(event)) == reads.EVENT_PUBLIC_FIELDS
    for name in (*values, *reads.event_values(event)):
        assert not any(word in name for word in PRIVATE_WORDS), name
    assert values["opened_on"] == withheld.opened_on.isoformat()


def test_the_deadlines_read_carries_no_identity(withheld):
    (record,) = reads.entry_timeline(withheld.entry)
    names = {f.name for f in dataclasses.fields(reads.Deadline)}
    assert not any(word in name for name in names for word in PRIVATE_WORDS)
    assert record.next_deadline.name == "Interim moratorium ends"


def test_pending_and_declined_contributions_are_in_no_read(withheld, people):
    today = timezone.localdate()
    pending = services.event_submit(
        case=withheld,
        author=people["resident"],
        data={"kind": "campaign_action", "happened_on": today, "note": "Secret plan"},
    )
    declined_case = services.case_submit(
        entry=withheld.entry,
        author=people["resident"],
        data={"title": "Rumour", "kind": "other", "opened_on": date(2025, 1, 1)},
    )
    services.contribution_review(item=declined_case, moderator=people["moderator"], accept=False)
    (record,) = reads.entry_timeline(withheld.entry)
    assert pending.pk not in [e.pk for e in record.events]
    assert reads.public_case(declined_case.pk) is None
    assert list(reads.cases_matching(threat_filters(""))) == [withheld]
    stats = reads.threat_stats(threat_filters(""))
    assert sum(row["opened"] for row in stats) == 1
    assert sum(row["events"] for row in stats) == 1


def test_a_case_of_an_unpublished_entry_is_in_no_read(withheld):
    from mapapp.models import Entry

    Entry.objects.filter(pk=withheld.entry_id).update(status=Entry.Status.PENDING)
    withheld.entry.refresh_from_db()
    assert reads.public_case(withheld.pk) is None
    assert reads.entry_timeline(withheld.entry) == []
    assert not reads.cases_matching(threat_filters("")).exists()
    assert reads.threat_stats(threat_filters("")) == []
