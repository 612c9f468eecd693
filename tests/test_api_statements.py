"""Hot list pages reuse SQL compiled once per query shape, with the request's own values."""

import itertools
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mapapp.models import DatasetVersion
from mapapp.querysets import EntryQuerySet
from mapapp.reads import statements as queries
from mapapp.reads.clusters import counted_from_entries
from mapapp.reads.filters import EntryFilters, entries_matching
from mapapp.reads.geojson import encode, list_features

BRISTOL = (-2.7, 51.4, -2.5, 51.5)
LEEDS = (-1.7, 53.7, -1.4, 53.9)
ENGLAND = (-6.0, 49.9, 2.0, 55.9)
# A city-sized box (0.1 x 0.06 degrees, as the map asks at a city's zoom) around Bristol's.
BRISTOL_CENTRE = (-2.62, 51.42, -2.52, 51.48)


@pytest.fixture
def places(make_entry):
    """Entries in two cities, across categories, tags and threats."""
    spots = {"bristol": (-2.59, 51.45), "leeds": (-1.55, 53.80)}
    categories = ("commoning", "reciprocal-working", "community-organising")
    tags = (["garden"], ["garden", "food"], [], ["tools"])
    threats = ("none", "at_risk", "none", "lost")
    made = []
    for n, (city, category, tag_list, threat) in enumerate(
        itertools.islice(
            zip(
                itertools.cycle(spots),
                itertools.cycle(categories),
                itertools.cycle(tags),
                itertools.cycle(threats),
                strict=False,
            ),
            24,
        )
    ):
        lon, lat = spots[city]
        made.append(
            make_entry(
                name=f"{city.title()} place {n:02}",
                lon=lon + n * 0.001,
                lat=lat + n * 0.0005,
                category_slug=category,
                tags=tag_list,
                threat=threat,
            )
        )
    return made


def through_the_orm(filters):
    page = queries.page_entries(filters)
    return orjson.loads(encode(list_features(page, with_distance=bool(filters.near))))


def compiled(filters):
    return orjson.loads(encode(queries.page_features(filters)))


CASES = [
    EntryFilters(bbox=BRISTOL, limit=1000),
    EntryFilters(bbox=LEEDS, limit=1000),
    EntryFilters(bbox=ENGLAND, limit=5, offset=3),
    EntryFilters(bbox=ENGLAND, limit=1000, ordering="-updated"),
    EntryFilters(bbox=BRISTOL, categories=["reciprocal-working"], limit=1000),
    EntryFilters(bbox=LEEDS, categories=["commoning", "community-organising"], limit=1000),
    EntryFilters(categories=["commoning"], tags=["garden"], limit=1000),
    EntryFilters(tags=["food", "tools"], threats=["at_risk", "lost"], limit=1000),
    EntryFilters(bbox=ENGLAND, threats=["none"], ordering="-name", limit=7),
    EntryFilters(limit=10),
]


@pytest.mark.parametrize("filters", CASES, ids=range(len(CASES)))
def test_a_compiled_statement_finds_exactly_what_the_orm_finds(places, filters):
    assert queries.page_statement(filters) is not None
    expected = through_the_orm(filters)
    assert expected, "each case should select something"
    assert compiled(filters) == expected


def test_a_second_request_of_a_shape_uses_its_own_values_not_the_first(places):
    queries._compiled.cache_clear()
    bristol = compiled(EntryFilters(bbox=BRISTOL, limit=1000))
    leeds = compiled(EntryFilters(bbox=LEEDS, limit=1000))
    info = queries._compiled.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert {f["properties"]["name"].split()[0] for f in bristol} == {"Bristol"}
    assert {f["properties"]["name"].split()[0] for f in leeds} == {"Leeds"}
    assert len(bristol) == len(leeds) == 12


def test_paging_through_a_shape_compiles_it_once_and_each_page_is_the_orms(places):
    queries._compiled.cache_clear()
    pages = [EntryFilters(bbox=ENGLAND, limit=limit, offset=offset) for offset, limit in
             ((0, 5), (5, 5), (10, 7), (20, 1000), (0, 1000))]  # fmt: skip
    for filters in pages:
        assert compiled(filters) == through_the_orm(filters)
    info = queries._compiled.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, len(pages) - 1, 1)
    assert [len(compiled(filters)) for filters in pages] == [5, 5, 7, 4, 24]


def test_shapes_whose_values_the_orm_rewrites_are_compiled_per_request(places):
    since = datetime(2020, 1, 1, tzinfo=UTC)
    for filters in (
        EntryFilters(bbox=BRISTOL, words=["bristol"], limit=1000),
        EntryFilters(near=(-2.59, 51.45), radius=5000, ordering="distance", limit=1000),
        EntryFilters(bbox=LEEDS, updated_since=since, limit=1000),
    ):
        assert queries.page_statement(filters) is None
        assert compiled(filters) == through_the_orm(filters)
        assert compiled(filters)


def test_a_value_that_never_reaches_the_sql_as_given_leaves_the_shape_to_the_orm(
    places, monkeypatch
):
    original = EntryQuerySet.with_threat
    monkeypatch.setattr(
        EntryQuerySet, "with_threat", lambda self, threats: original(self, sorted(threats)[:1])
    )
    queries._compiled.cache_clear()
    try:
        filters = EntryFilters(threats=["none", "lost"], limit=1000)
        assert queries.page_statement(filters) is None
        assert compiled(filters) == through_the_orm(filters)
    finally:
        queries._compiled.cache_clear()


CITY_PAGES = [
    EntryFilters(bbox=BRISTOL_CENTRE, limit=5),
    EntryFilters(bbox=BRISTOL_CENTRE, limit=5, offset=5),
    EntryFilters(bbox=BRISTOL_CENTRE, limit=5, ordering="-updated"),
    EntryFilters(bbox=BRISTOL_CENTRE, categories=["commoning", "reciprocal-working"], limit=2),
    EntryFilters(bbox=BRISTOL_CENTRE, tags=["garden"], threats=["none", "at_risk"], limit=1),
]


@pytest.mark.parametrize("filters", CITY_PAGES, ids=range(len(CITY_PAGES)))
def test_a_full_city_page_is_counted_by_its_own_statement_as_the_orm_counts(places, filters):
    assert counted_from_entries(filters)
    with CaptureQueriesContext(connection) as statements:
        features, matched = queries.counted_page(filters)
    assert len(features) == filters.limit, "each case should fill its page"
    assert matched == entries_matching(filters).count() > filters.limit
    assert orjson.loads(encode(features)) == through_the_orm(filters)
    assert len(statements) == 1


def test_a_city_page_past_its_last_entry_still_counts_every_match(places):
    filters = EntryFilters(bbox=BRISTOL_CENTRE, limit=5, offset=100)
    features, matched = queries.counted_page(filters)
    assert features == []
    assert matched == entries_matching(filters).count() == 12


@pytest.mark.parametrize(
    "filters",
    [
        EntryFilters(tags=["garden"], limit=2),
        EntryFilters(bbox=ENGLAND, tags=["food", "tools"], limit=2),
        EntryFilters(bbox=BRISTOL_CENTRE, threats=["none"], limit=1, offset=50),
    ],
    ids=range(3),
)
def test_a_count_read_from_the_entries_is_compiled_once_per_shape(places, filters):
    queries._compiled_count.cache_clear()
    assert counted_from_entries(filters)
    for _ in range(2):
        assert queries.matched_count(filters) == entries_matching(filters).count() > 0
    assert queries._compiled_count.cache_info().hits == 1


def test_a_wide_box_is_counted_from_the_aggregates(places):
    filters = EntryFilters(bbox=ENGLAND, limit=5)
    assert not counted_from_entries(filters)
    with CaptureQueriesContext(connection) as statements:
        features, matched = queries.counted_page(filters)
    assert len(features) == 5 and matched == entries_matching(filters).count() == 24
    assert any("mapapp_clustercell" in q["sql"] for q in statements)


def test_dataset_last_modified_is_the_newest_change_and_aware(places):
    newest = max(entry.updated_at for entry in places)
    modified = queries.dataset_last_modified()
    assert modified >= newest
    assert modified.tzinfo is not None


def test_dataset_last_modified_moves_with_a_verification_that_changes_no_updated_at(places):
    from mapapp.services import freshness

    before = queries.dataset_last_modified()
    with time_machine.travel(before + timedelta(hours=1), tick=False):
        freshness.entry_confirm_visit(entry=places[0])
    assert queries.dataset_last_modified() == before + timedelta(hours=1)


def test_dataset_last_modified_is_none_before_any_write(db):
    DatasetVersion.objects.all().delete()
    assert queries.dataset_last_modified() is None
