"""The cluster aggregates: kept in step by every write, read for zoomed-out views, and always
counting exactly what the list counts."""

import random
import threading
import time

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import DatabaseError, connection, transaction

from mapapp import services
from mapapp.grid import FINEST_ZOOM, cell_degrees
from mapapp.models import Category, ClusterCell, CountedEntry, Entry, Tag
from mapapp.reads.clusters import (
    WORLD,
    answered_by_aggregates,
    clusters,
    count_matching,
    inside_cells,
)
from mapapp.reads.filters import EntryFilters, entries_matching
from mapapp.services.aggregates import rebuild_aggregates
from mapapp.web.conditional import dataset_state

UK = (-8.0, 49.8, 2.0, 59.0)


def cells_table():
    """Every aggregate cell, sums rounded: what a fresh count must reproduce."""
    return {
        (c.zoom, c.column, c.row, c.category_id, c.threat): (
            c.count,
            round(c.sum_lon, 7),
            round(c.sum_lat, 7),
            c.west,
            c.south,
            c.east,
            c.north,
        )
        for c in ClusterCell.objects.all()
    }


def counted_afresh():
    rebuild_aggregates(progress=lambda message: None)
    return cells_table(), dict(Tag.objects.values_list("slug", "published_entries"))


def assert_in_step():
    kept = cells_table(), dict(Tag.objects.values_list("slug", "published_entries"))
    assert kept == counted_afresh()


def from_entries(filters, zoom):
    """The clusters counted straight from the entries: what the aggregates must agree with."""
    rows = entries_matching(filters).clusters(cell_degrees(zoom))
    return {(int(r["column"]), int(r["row"])): r for r in rows}


@pytest.fixture
def scattered(make_entry):
    """Sixty entries over Great Britain in three categories, some approximate, some tagged,
    a few on cell boundaries, some at risk."""
    rng = random.Random(13)
    slugs = ["commoning", "convivial-spaces", "community-organising"]
    entries = []
    for n in range(60):
        lon, lat = rng.uniform(-6, 1.5), rng.uniform(50, 58)
        if n % 10 == 0:  # exactly on a boundary of the zoom-6 and finer grids
            lon = round(lon / cell_degrees(6)) * cell_degrees(6)
        fields = {"precision": Entry.Precision.APPROXIMATE} if n % 7 == 0 else {}
        entries.append(
            make_entry(
                name=f"Scattered {n}",
                lon=lon,
                lat=lat,
                category_slug=slugs[n % 3],
                tags=["food"] if n % 4 == 0 else [],
                threat="at_risk" if n % 11 == 0 else "none",
                **fields,
            )
        )
    make_entry(name="Still pending", status=Entry.Status.PENDING, lon=-2, lat=52)
    return entries


def random_box(rng):
    west, south = rng.uniform(-9, 1), rng.uniform(49, 58)
    return (west, south, west + rng.uniform(0.05, 9), south + rng.uniform(0.05, 7))


def random_filters(rng):
    filters = EntryFilters(bbox=random_box(rng) if rng.random() < 0.9 else None)
    if rng.random() < 0.4:
        filters.categories = rng.sample(
            ["commoning", "convivial-spaces", "community-organising"], 2
        )
    if rng.random() < 0.3:
        filters.threats = rng.sample(["none", "at_risk", "lost"], rng.choice([1, 2]))
    return filters


def test_every_write_path_keeps_the_aggregates_as_a_fresh_count_would(scattered, people):
    moderator, owner = people["moderator"], people["owner"]
    first, second, third = scattered[:3]
    # an edit moving an entry, changing its category and precision
    services.entry_update(
        entry=first,
        data={
            "location": Point(-1.0, 53.0, srid=4326),
            "category": Category.objects.get(slug="community-organising"),
            "precision": Entry.Precision.AREA,
        },
        expected_version=first.version,
        tag_names=["food", "tools"],
        editor=moderator,
    )
    # archive, and publish again
    services.entry_moderate(entry=second, moderator=moderator, action="archive", reason="Closed.")
    assert_in_step()
    services.entry_moderate(entry=second, moderator=moderator, action="publish")
    # a pending entry published by a decision
    pending = Entry.objects.get(name="Still pending")
    services.entry_moderate(entry=pending, moderator=moderator, action="publish")
    # a revert to the first version
    history_id = third.history.order_by("history_id").first().history_id
    services.entry_update(
        entry=third,
        data={"location": Point(0.5, 51.0, srid=4326)},
        expected_version=third.version,
        editor=owner,
    )
    services.entry_revert(entry=third, moderator=moderator, history_id=history_id)
    assert_in_step()


def test_a_write_that_fails_changes_no_aggregate(scattered, people):
    before = cells_table()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.entry_moderate(
            entry=scattered[5], moderator=people["moderator"], action="archive", reason="Gone."
        )
        raise RuntimeError("the rest of the request failed")
    assert cells_table() == before
    assert CountedEntry.objects.filter(entry_id=scattered[5].pk).exists()


def test_the_aggregates_answer_exactly_what_the_entries_would_over_random_boxes(scattered):
    rng = random.Random(2026)
    from_cells = 0
    for _ in range(80):
        filters, zoom = random_filters(rng), rng.randint(0, FINEST_ZOOM)
        assert answered_by_aggregates(filters, zoom)
        from_cells += inside_cells(filters.bbox or WORLD, cell_degrees(zoom)) is not None
        assert count_matching(filters) == entries_matching(filters).count(), filters
        expected = from_entries(filters, zoom)
        got = {(c["column"], c["row"]): c for c in clusters(filters, zoom, limit=10_000)}
        assert got.keys() == expected.keys(), (filters, zoom)
        for key, cell in got.items():
            want = expected[key]
            assert cell["count"] == want["count"]
            mean = (want["sum_lon"] / want["count"], want["sum_lat"] / want["count"])
            assert (cell["lon"], cell["lat"]) == (pytest.approx(mean[0]), pytest.approx(mean[1]))
            extent = [cell[n] for n in ("west", "south", "east", "north")]
            assert extent == [want[n] for n in ("west", "south", "east", "north")]
    assert from_cells > 40  # most boxes were answered (in part) from the aggregates


def test_the_rings_and_strips_are_read_by_statements_compiled_once_per_shape(
    scattered, monkeypatch
):
    from mapapp.reads import clusters as module

    def built_per_request(*args):
        raise AssertionError("a shape already compiled was built through the ORM again")

    country = (-6.0, 50.0, 1.5, 58.0)
    clusters(EntryFilters(bbox=country), 6, limit=10_000)  # compiles its shapes
    monkeypatch.setattr(module, "ring_cells", built_per_request)
    monkeypatch.setattr(module, "strip_totals", built_per_request)
    # The same box moved by whole cells of zoom 6: the same rings and strips, other values.
    step = cell_degrees(6)
    for columns, rows in ((0, 0), (2, 1), (-1, -2)):
        west, south, east, north = country
        box = (
            west + columns * step,
            south + rows * step,
            east + columns * step,
            north + rows * step,
        )
        filters = EntryFilters(bbox=box)
        got = {(c["column"], c["row"]): c["count"] for c in clusters(filters, 6, limit=10_000)}
        assert got == {key: row["count"] for key, row in from_entries(filters, 6).items()}
        assert sum(got.values()) == entries_matching(filters).count() > 0


def test_boxes_on_cell_boundaries_count_their_edges_once(scattered):
    size = cell_degrees(6)
    for west_cells, south_cells, width, height in [(-5, 36, 4, 4), (-4, 37, 1, 1), (-6, 35, 6, 6)]:
        box = (
            west_cells * size,
            south_cells * size,
            (west_cells + width) * size,
            (south_cells + height) * size,
        )
        filters = EntryFilters(bbox=box)
        got = sum(c["count"] for c in clusters(filters, 6, limit=10_000))
        assert got == count_matching(filters) == entries_matching(filters).count() > 0


def test_cluster_counts_match_the_lists_number_matched_over_random_requests(api, scattered):
    rng = random.Random(7)
    for _ in range(25):
        filters = random_filters(rng)
        params = {}
        if filters.bbox:
            params["bbox"] = ",".join(f"{v:.6f}" for v in filters.bbox)
        if filters.categories:
            params["category"] = ",".join(filters.categories)
        if filters.threats:
            params["threat"] = ",".join(filters.threats)
        zoom = str(rng.randint(2, 12))
        status, body, _ = api("/api/v1/clusters/", {**params, "zoom": zoom})
        assert status == 200, body
        listed = api("/api/v1/entries/", {**params, "limit": "1"})[1]
        assert body["numberMatched"] == listed["numberMatched"], params


def test_filters_the_cells_do_not_hold_still_count_from_the_entries(scattered, api):
    for params in ({"tag": "food"}, {"q": "scattered"}, {"updated_since": "2000-01-01"}):
        body = api("/api/v1/clusters/", {"bbox": ",".join(map(str, UK)), "zoom": "6", **params})[1]
        listed = api("/api/v1/entries/", {"bbox": ",".join(map(str, UK)), **params})[1]
        assert body["numberMatched"] == listed["numberMatched"] > 0


def test_an_entry_taken_off_the_map_leaves_no_trace_in_any_cells_extent(make_entry, people):
    inside = make_entry(name="Stays", lon=-2.5, lat=51.5)
    outlier = make_entry(name="Withdrawn", lon=-2.0, lat=51.9)
    services.entry_moderate(
        entry=outlier, moderator=people["moderator"], action="archive", reason="Withdrawn."
    )
    for cell in ClusterCell.objects.all():
        assert (cell.west, cell.south, cell.east, cell.north) == (-2.5, 51.5, -2.5, 51.5)
        assert cell.count == 1
    assert inside.public_point.x == -2.5


def test_a_withheld_location_is_counted_at_its_public_point_only(make_entry):
    entry = make_entry(lon=-2.58791234, lat=51.45451234, precision=Entry.Precision.AREA)
    public = entry.public_point
    assert (public.x, public.y) != (entry.location.x, entry.location.y)
    finest = ClusterCell.objects.get(zoom=FINEST_ZOOM)
    assert (finest.west, finest.south) == (public.x, public.y)
    assert (finest.sum_lon, finest.sum_lat) == (public.x, public.y)


def test_tag_counts_follow_publication_and_retagging(make_entry, people, api):
    entry = make_entry(tags=["food", "tools"])
    make_entry(tags=["food"], status=Entry.Status.PENDING)
    assert dict(Tag.objects.values_list("slug", "published_entries")) == {"food": 1, "tools": 1}
    services.entry_update(
        entry=entry, data={}, expected_version=entry.version, tag_names=["repair"]
    )
    tags = {t["slug"]: t["entry_count"] for t in api("/api/v1/tags/")[1]}
    assert tags == {"repair": 1}
    assert_in_step()


def dataset_version():
    return dataset_state("default")[0]


def test_every_public_write_raises_the_data_sets_version(make_entry, people, category):
    start = dataset_version()
    entry = make_entry()
    assert dataset_version() == start + 1
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action="archive", reason="Closed."
    )
    category.colour = "#112233"
    services.category_save(category=category)
    services.tag_save(tag=Tag.objects.create(name="Seeds", slug="seeds"))
    assert dataset_version() == start + 4


# --- many writes in one transaction (an import) -----------------------------------------------


def many_writes(scattered, people, make_entry):
    """Creates, a move across categories and threats, an archive of an entry on a cell's edge,
    a publication and a retag: what an import's apply does, in one go."""
    moderator = people["moderator"]
    for n in range(12):
        make_entry(name=f"Imported {n}", lon=-2 + n * 0.01, lat=53, tags=["food", "seeds"])
    moved = scattered[1]
    services.entry_update(
        entry=moved,
        data={
            "location": Point(-3.0, 55.0, srid=4326),
            "category": Category.objects.get(slug="convivial-spaces"),
        },
        expected_version=moved.version,
        tag_names=["tools"],
        editor=moderator,
    )
    services.entry_moderate(entry=scattered[10], moderator=moderator, action="archive")
    services.entry_moderate(entry=scattered[0], moderator=moderator, action="archive")
    pending = Entry.objects.get(name="Still pending")
    services.entry_moderate(entry=pending, moderator=moderator, action="publish")


def test_a_bulk_of_writes_changes_no_cell_until_its_end_and_then_counts_as_afresh(
    scattered, people, make_entry
):
    from mapapp.services.aggregates import upkeep_in_bulk

    before, version = cells_table(), dataset_version()
    with transaction.atomic(), upkeep_in_bulk():
        many_writes(scattered, people, make_entry)
        assert cells_table() == before
        assert dataset_version() == version
    assert dataset_version() == version + 1
    assert cells_table() != before
    counted = set(CountedEntry.objects.values_list("entry_id", "lon", "lat", "category_id"))
    assert_in_step()
    assert set(CountedEntry.objects.values_list("entry_id", "lon", "lat", "category_id")) == counted


def test_a_bulk_that_fails_changes_no_aggregate(scattered, people, make_entry):
    from mapapp.services.aggregates import upkeep_in_bulk

    before, version = cells_table(), dataset_version()
    with pytest.raises(RuntimeError), transaction.atomic(), upkeep_in_bulk():
        many_writes(scattered, people, make_entry)
        raise RuntimeError("the import failed at its last row")
    assert (cells_table(), dataset_version()) == (before, version)


def test_a_bulk_emptying_cells_and_moving_their_edges_counts_as_afresh(scattered, people):
    from mapapp.services.aggregates import upkeep_in_bulk

    moderator = people["moderator"]
    with transaction.atomic(), upkeep_in_bulk():
        for entry in scattered[::2]:
            services.entry_moderate(entry=entry, moderator=moderator, action="archive")
    assert_in_step()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "mapapp.spatialite",
    reason="SQLite admits one writer at a time: no two writes hold cells at once",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_entry_moving_category_takes_the_smaller_categorys_cells_first(make_entry, people):
    """So two entries moving between two categories in opposite directions at once never
    wait for each other in a circle: a writer holding the smaller category's cells finds the
    larger one's free while the mover waits for it."""
    smaller, larger = Category.objects.order_by("pk")[:2]
    make_entry(name="Stays put", category_slug=smaller.slug)
    mover = make_entry(name="Moves", category_slug=larger.slug, lon=-1.2, lat=52.9)
    held, try_larger = threading.Event(), threading.Event()
    outcome = {}

    def zoom_zero(category, *, wait):
        cell = ClusterCell.objects.select_for_update(nowait=not wait)
        return cell.filter(category=category, threat="none", zoom=0).first()

    def hold_the_smaller():
        try:
            with transaction.atomic():
                zoom_zero(smaller, wait=True)
                held.set()
                try_larger.wait(timeout=20)
                try:
                    zoom_zero(larger, wait=False)
                    outcome["larger"] = "free"
                except DatabaseError as busy:
                    outcome["larger"] = f"held by the mover: {busy}"
        finally:
            connection.close()

    def move():
        held.wait(timeout=20)
        try:
            services.entry_update(
                entry=mover,
                data={"category": smaller},
                expected_version=mover.version,
                editor=people["moderator"],
            )
            outcome["move"] = "saved"
        finally:
            connection.close()

    threads = [threading.Thread(target=hold_the_smaller), threading.Thread(target=move)]
    for thread in threads:
        thread.start()
    held.wait(timeout=20)
    assert waiting_for_a_lock(), "the move never waited for the smaller category's cells"
    try_larger.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"larger": "free", "move": "saved"}
    assert_in_step()


def waiting_for_a_lock(seconds=20):
    """Whether another connection to this database is waiting for a row lock, within seconds."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False
