"""The threats API and the map's filter agree: for seeded random combinations of case kind,
status, deadline window, box and category, the entries of /api/v1/threats/'s cases are the
entries /api/v1/entries/ selects with the same filters (case_kind, case_status, ...)."""

import random
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.http import QueryDict

from mapapp import services
from mapapp.models import ThreatCase
from mapapp.reads.filters import parse_filters
from mapapp.reads.threats import THREAT_ALIASES, THREAT_FILTERS, cases_matching

TODAY = date(2026, 11, 15)
COMBINATIONS = 60
CATEGORIES = ["commoning", "public-goods", "reciprocal-working", "convivial-spaces"]
PLACES = [(-2.59, 51.45), (-1.55, 53.8), (-0.12, 51.5)]
BOXES = ["-2.7,51.4,-2.5,51.5", "-1.6,53.7,-1.5,53.9", "-3,50,0,55"]
KINDS = list(ThreatCase.Kind.values)
STATUSES = list(ThreatCase.Status.values)
# Events whose rules give deadlines (seeded rules): consultation close on the day, a notice
# of disposal 6 weeks, 6 months and 18 months on, an FOI answer 20 working days on.
EVENT_KINDS = ["consultation_closes", "disposal_notice", "foi_sent", "announced"]
WITHIN = ["0", "7", "30", "90", "400"]


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.API_THROTTLE_ANON = None
    with time_machine.travel("2026-11-15 12:00:00Z", tick=False):
        yield


def seed_case(rng, entry, review):
    status = rng.choice(STATUSES)
    opened = TODAY - timedelta(days=rng.randint(30, 400))
    closed = None if status == "active" else TODAY - timedelta(days=rng.randint(0, 29))
    case = services.case_create(
        entry=entry,
        author=None,
        review=review,
        data={
            "title": "Case",
            "kind": rng.choice(KINDS),
            "status": status,
            "opened_on": opened,
            "closed_on": closed,
        },
    )
    for _ in range(rng.randint(0, 2)):
        last = closed or TODAY + timedelta(days=120)
        day = opened + timedelta(days=rng.randint(0, (last - opened).days))
        services.event_create(
            case=case, author=None, data={"kind": rng.choice(EVENT_KINDS), "happened_on": day}
        )
    if status == "active" and rng.random() < 0.6:
        # A consultation closing soon: a deadline some deadline_within windows reach.
        day = TODAY + timedelta(days=rng.randint(0, 100))
        services.event_create(
            case=case, author=None, data={"kind": "consultation_closes", "happened_on": day}
        )


@pytest.fixture
def cases(make_entry):
    rng = random.Random(12)
    for n in range(36):
        lon, lat = PLACES[n % len(PLACES)]
        entry = make_entry(
            name=f"Entry {n}",
            lon=lon + rng.uniform(-0.02, 0.02),
            lat=lat + rng.uniform(-0.02, 0.02),
            category_slug=CATEGORIES[n % len(CATEGORIES)],
            status="published" if n % 9 else "pending",
        )
        for _ in range(rng.randint(0, 2)):
            seed_case(rng, entry, ThreatCase.Review.ACCEPTED)
        if n % 7 == 0:
            seed_case(rng, entry, ThreatCase.Review.PENDING)


def several(rng, choices):
    return ",".join(rng.sample(choices, rng.randint(1, 2)))


def combination(rng):
    """(threats API parameters, entries API parameters) for one random combination."""
    shared, case = [], []
    if rng.random() < 0.5:
        case.append(("kind", several(rng, KINDS)))
    if rng.random() < 0.5:
        case.append(("status", several(rng, STATUSES)))
    if rng.random() < 0.4 or not case:
        case.append(("deadline_within", rng.choice(WITHIN)))
    if rng.random() < 0.4:
        shared.append(("bbox", rng.choice(BOXES)))
    if rng.random() < 0.4:
        shared.append(("category", several(rng, CATEGORIES)))
    as_entries = [(f"case_{k}" if k in ("kind", "status") else k, v) for k, v in case]
    return shared + case, shared + as_entries


COMBOS = [combination(random.Random(seed)) for seed in range(COMBINATIONS)]


def threat_entries(client, params):
    response = client.get(f"/api/v1/threats/?{urlencode([*params, ('limit', 1000)])}")
    assert response.status_code == 200, (params, response.content[:300])
    return {feature["properties"]["entry"] for feature in response.json()["features"]}


def filtered_entries(client, params):
    response = client.get(f"/api/v1/entries/?{urlencode([*params, ('limit', 1000)])}")
    assert response.status_code == 200, (params, response.content[:300])
    return {feature["id"] for feature in response.json()["features"]}


def test_the_seed_gives_each_filter_something_to_select(client, cases):
    everything = threat_entries(client, [])
    assert len(everything) > 10
    for value in ("active", "saved", "lost"):
        assert threat_entries(client, [("status", value)])
    assert threat_entries(client, [("deadline_within", "30")])


def test_threats_and_the_entries_filter_select_the_same_entries(client, cases):
    """All combinations on one seed (seeding is the slow part), every difference reported."""
    differ, selecting = [], 0
    for threats, entries in COMBOS:
        found = threat_entries(client, threats)
        selecting += bool(found)
        if found != filtered_entries(client, entries):
            differ.append(urlencode(threats))
    assert differ == []
    assert selecting > COMBINATIONS // 3, "most combinations select nothing: a weak check"


def test_the_threats_reads_ask_the_case_filters_of_each_case_once(db):
    """Asking a case's entry to have a matching case as well selects the same cases but nests
    the cases inside themselves, which PostgreSQL ran in seconds for fifty cases."""
    query = QueryDict("kind=closure,disposal&status=active&deadline_within=30&bbox=-3,50,0,55")
    filters = parse_filters(query, names=THREAT_FILTERS, aliases=THREAT_ALIASES)
    sql = str(cases_matching(filters).query)
    assert sql.count('"kind" IN') == 1
    assert sql.count("ST_") >= 1, "the box still narrows the cases' entries"
