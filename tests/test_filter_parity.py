"""One filter vocabulary: the list page, the API, OGC and the map's own encoder agree.

Seeded random combinations of filters (in the shared words, with old aliases and both ways of
giving several values) are sent to every door; each must select the same entries in the same
order. The map's encoder is the real ES module (static/mapapp/js/filterquery.js) run by Node.
"""

import json
import random
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from mapapp import services
from mapapp.models import Entry
from mapapp.reads.threats import THREAT_FILTERS

ENCODER = Path(__file__).resolve().parent.parent / "static/mapapp/js/filterquery.js"
COMBINATIONS = 60
CATEGORIES = ["commoning", "public-goods", "reciprocal-working", "convivial-spaces"]
TAGS = ["food", "repair", "books", "kids"]
THREATS = ["at_risk", "lost", "none", "at_risk,lost", "none,lost", "1", "on", "0"]
WORDS = ["garden", "library", "repair", "community", "bristol", "leeds"]
BOXES = ["-2.7,51.4,-2.5,51.5", "-1.6,53.7,-1.5,53.9", "-3,50,0,55"]
ORDERINGS = ["name", "-name", "updated", "-updated"]
SINCE = ["2024-01-01", "2025-06-01T00:00:00Z"]
PLACES = [(-2.59, 51.45, "Bristol"), (-1.55, 53.8, "Leeds"), (-0.12, 51.5, "London")]
KINDS = ["Garden", "Library", "Repair Cafe", "Community Pantry", "Toy Library"]
CASE_KINDS = ["closure", "disposal", "funding_cut", "outsourcing"]
CASE_STATUSES = ["active", "saved", "lost", "withdrawn"]
DEADLINES = ["0", "10", "30", "60"]


@pytest.fixture
def entries(make_entry, settings):
    settings.API_THROTTLE_ANON = None
    rng = random.Random(11)
    for n in range(40):
        lon, lat, town = PLACES[n % len(PLACES)]
        entry = make_entry(
            name=f"{town} {KINDS[n % len(KINDS)]} {n}",
            lon=lon + rng.uniform(-0.02, 0.02),
            lat=lat + rng.uniform(-0.02, 0.02),
            category_slug=CATEGORIES[n % len(CATEGORIES)],
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            threat=("none", "none", "at_risk", "lost")[n % 4],
        )
        add_case(entry, n)
        when = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=23 * n)
        # Verified from a few days to a few years ago, or (every seventh) never.
        verified = None if n % 7 == 6 else timezone.now() - timedelta(days=17 * n)
        Entry.objects.filter(pk=entry.pk).update(updated_at=when, verified_at=verified)


def add_case(entry, n):
    """Another case for most entries, of a kind and status by n; active ones with a
    consultation closing some days ahead (a deadline)."""
    if n % 5 == 4:
        return
    today = timezone.localdate()
    status = CASE_STATUSES[n % 3 if n % 7 else 3]
    case = services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Threatened",
            "kind": CASE_KINDS[n % len(CASE_KINDS)],
            "status": status,
            "opened_on": today - timedelta(days=90),
            "closed_on": None if status == "active" else today - timedelta(days=n),
        },
    )
    if status == "active":
        closes = today + timedelta(days=(n * 7) % 70)
        data = {"kind": "consultation_closes", "happened_on": closes}
        services.event_create(case=case, author=None, data=data)


def several(rng, choices, name):
    """Some values of a repeatable filter, as a comma list or repeated."""
    picked = rng.sample(choices, rng.randint(1, 2))
    return [(name, ",".join(picked))] if rng.random() < 0.5 else [(name, v) for v in picked]


def combination(rng):
    """A list of (parameter, value) pairs in the shared vocabulary (old words included)."""
    params = []
    if rng.random() < 0.4:
        params += several(rng, CATEGORIES, "category")
    if rng.random() < 0.3:
        params += several(rng, TAGS, "tag")
    if rng.random() < 0.4:
        params.append(("threat", rng.choice(THREATS)))
    if rng.random() < 0.3:
        params.append(("q", " ".join(rng.sample(WORDS, rng.randint(1, 2)))))
    if rng.random() < 0.4:
        params.append(("bbox", rng.choice(BOXES)))
    if rng.random() < 0.3:
        params.append(("updated_since", rng.choice(SINCE)))
    if rng.random() < 0.4:
        params.append((rng.choice(["ordering", "ordering", "sort"]), rng.choice(ORDERINGS)))
    return params


def case_filters(rng):
    """Some of the case filters (drawn apart, so the other filters' draws stay as they were)."""
    params = []
    if rng.random() < 0.3:
        params += several(rng, CASE_KINDS, "case_kind")
    if rng.random() < 0.3:
        params += several(rng, CASE_STATUSES, "case_status")
    if rng.random() < 0.3:
        params.append(("deadline_within", rng.choice(DEADLINES)))
    return params


def freshness_filter(rng):
    """Sometimes "verified in the last 12 months" (drawn apart, as the case filters are)."""
    return [("verified_within", rng.choice(["365", "30"]))] if rng.random() < 0.2 else []


COMBOS = [
    combination(random.Random(seed))
    + case_filters(random.Random(1000 + seed))
    + freshness_filter(random.Random(2000 + seed))
    for seed in range(COMBINATIONS)
]
CASE_PARAMS = {"case_kind", "case_status", "deadline_within"}


def listed(client, query):
    """Slugs on every page of the list for query, in order."""
    slugs, number = [], 1
    while True:
        response = client.get(f"/entries/?{query}&page={number}")
        assert response.status_code == 200, (query, response.content[:500])
        page = response.context["page"]
        slugs += [entry.slug for entry in page.object_list]
        if not page.has_next():
            return slugs
        number += 1


def from_api(client, query):
    response = client.get(f"/api/v1/entries/?{query}&limit=1000")
    assert response.status_code == 200, (query, response.content[:500])
    body = response.json()
    slugs = [feature["id"] for feature in body["features"]]
    assert body["numberMatched"] == len(slugs)
    return slugs


OGC_TAKES = {"bbox", "category", "tag", "threat", "q", "updated_since"}


def from_ogc(client, params):
    """OGC items for the same filters, updated_since given as OGC's datetime=since/.."""
    wanted = [
        ("datetime", f"{value}/..") if name == "updated_since" else (name, value)
        for name, value in params
    ]
    query = urlencode([*wanted, ("limit", 1000)])
    response = client.get(f"/ogc/collections/entries/items?{query}")
    assert response.status_code == 200, (query, response.content[:500])
    body = response.json()
    return [feature["id"] for feature in body["features"]]


def run_encoder(jobs):
    """For each job, the real module's query for `filters` and for `query` read back."""
    script = f"""
import {{ filtersQuery, readFilterParams }} from "{ENCODER.as_uri()}";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(({{ filters, query }}) => ({{
  encoded: filtersQuery(filters),
  reread: filtersQuery(readFilterParams(new URLSearchParams(query))),
}}));
console.log(JSON.stringify(out));
"""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def map_filters(params):
    """What the map's state holds for the parameters it has controls for."""
    values = {name: [] for name in ("category", "tag", "threat", "case_kind", "case_status")}
    q = deadline = verified = ""
    for name, value in params:
        if name in values:
            values[name] += [v for v in value.split(",") if v]
        elif name == "q":
            q = value
        elif name == "deadline_within":
            deadline = value
        elif name == "verified_within":
            verified = value
    threats = values["threat"]
    if threats in (["1"], ["on"]):
        threats = ["at_risk", "lost"]
    elif threats == ["0"]:
        threats = []
    return {
        "q": q,
        "categories": values["category"],
        "tags": values["tag"],
        "threats": threats,
        "caseKinds": values["case_kind"],
        "caseStatuses": values["case_status"],
        "deadlineWithin": deadline,
        "verifiedWithin": verified,
    }


MAP_PARAMS = {"category", "tag", "threat", "q", "verified_within", *CASE_PARAMS}


def test_the_list_the_api_and_ogc_select_the_same_entries(client, entries):
    sizes, through_ogc = set(), 0
    for params in COMBOS:
        query = urlencode(params)
        expected = from_api(client, query)
        assert listed(client, query) == expected, params
        if {name for name, _ in params} <= OGC_TAKES:
            assert from_ogc(client, params) == expected, params
            through_ogc += 1
        sizes.add(len(expected))
    # The combinations really narrow the selection, in many different ways.
    assert len(sizes) > 8 and 0 in sizes and 40 in sizes and through_ogc >= 10
    assert sum(1 for params in COMBOS if CASE_PARAMS & {n for n, _ in params}) >= 20


def test_the_maps_encoder_sends_what_the_list_and_the_api_read_the_same_way(client, entries):
    combos = [[(n, v) for n, v in params if n in MAP_PARAMS] for params in COMBOS]
    jobs = [{"filters": map_filters(p), "query": urlencode(p)} for p in combos]
    sizes = set()
    for params, answer in zip(combos, run_encoder(jobs), strict=True):
        expected = from_api(client, urlencode(params))
        for query in (answer["encoded"], answer["reread"]):
            assert from_api(client, query) == expected, (params, query)
            assert listed(client, query) == expected, (params, query)
        sizes.add(len(expected))
    assert len(sizes) > 5


def threat_page_entries(client, query):
    """Slugs of the entries of every case on the threats page (active and record, all pages)."""
    slugs, number = set(), 1
    while True:
        response = client.get(f"/threats/?{query}&page={number}&record={number}")
        assert response.status_code == 200, (query, response.content[:500])
        active, record = response.context["page"], response.context["record"]
        slugs |= {r.case.entry.slug for r in active.records}
        slugs |= {case.entry.slug for case in record.object_list}
        if not (active.has_next() or record.has_next()):
            return slugs
        number += 1


def run_threats_link(jobs):
    """The real module's threats page query for each job's filters and bbox."""
    script = f"""
import {{ threatsQuery }} from "{ENCODER.as_uri()}";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((job) => threatsQuery(job.filters, job.bbox, job.names));
console.log(JSON.stringify(out));
"""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_maps_threats_link_opens_the_cases_of_the_entries_the_map_shows(client, entries):
    """For the map's case filters and view, the threats page lists cases of exactly the
    entries the API gives the map (the entries' own filters aside: the page has none)."""
    combos = [
        [(n, v) for n, v in params if n in CASE_PARAMS | {"category"}]
        for params in COMBOS
        if CASE_PARAMS & {n for n, _ in params}
    ]
    box = [-3, 50, 0, 55]
    jobs = [{"filters": map_filters(p), "bbox": box, "names": list(THREAT_FILTERS)} for p in combos]
    sizes = set()
    for params, query in zip(combos, run_threats_link(jobs), strict=True):
        expected = set(from_api(client, urlencode([*params, ("bbox", "-3,50,0,55")])))
        assert "bbox=-3%2C50%2C0%2C55" in query
        assert threat_page_entries(client, query) == expected, (params, query)
        sizes.add(len(expected))
    assert len(sizes) > 4


def test_the_threats_link_keeps_only_the_filters_the_threats_page_takes():
    filters = map_filters([("q", "garden"), ("tag", "food"), ("case_kind", "closure")])
    [query] = run_threats_link([{"filters": filters, "bbox": None, "names": ["case_kind"]}])
    assert query == "case_kind=closure"


def test_the_maps_encoder_writes_the_apis_words_not_the_old_ones():
    jobs = [{"filters": map_filters([("threat", "1")]), "query": "threat=1&category=a&category=b"}]
    [answer] = run_encoder(jobs)
    assert answer["encoded"] == "threat=at_risk%2Clost"
    assert answer["reread"] == "category=a%2Cb&threat=at_risk%2Clost"
