"""Keeping the aggregates (mapapp.models.aggregates) in step with the entries.

Every service that writes entries calls public_change with their ids, inside its transaction
and after the write, so the cells, the tag counts and the data set's version commit or roll
back with it. public_change compares each entry with what was counted of it (CountedEntry):
an entry that left the public, moved, or changed category or threat is taken away from its
old cells and added to its new ones; tags are counted the same way. Counts and coordinate sums
change by plain addition. An extent cannot shrink that way, so when the point taken away lay on
a cell's edge the extent is measured again — from the counted entries at the finest zoom, from
the four cells beneath it above — and a cell never shows the point of an entry gone private.
rebuild_aggregates counts everything afresh (migrations, bulk loads).

Rows are always locked in one order, (category, threat, zoom, column, row), so two writes
never wait for each other in a circle: within a category and threat every write takes the
zoom-0 cell first, and an entry moving between categories or threats touches the smaller
key's cells first. A long write of many entries (an import: minutes in one transaction) runs
inside upkeep_in_bulk, which notes the entries and brings them in step at its end, at once:
otherwise it would hold, from its first entry to its commit, the cells, tag counts and data-set
version that every other public write in its categories waits for.
"""

import contextvars
import itertools
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from mapapp.grid import FINEST_ZOOM, ZOOMS, cell_degrees, cell_of
from mapapp.models import ClusterCell, CountedEntry, DatasetVersion, Entry, Tag

CELL_TABLE = ClusterCell._meta.db_table
COUNTED_TABLE = CountedEntry._meta.db_table
ENTRY_TABLE = Entry._meta.db_table
TAGGING_TABLE = Entry.tags.through._meta.db_table
# An extent recomputed from the counted entries looks this far (in cells) past the cell's
# edges, then keeps exactly the entries the grid puts in it: floating-point division decides.
MARGIN = 1e-6


@dataclass(frozen=True)
class Counted:
    lon: float
    lat: float
    category_id: int
    threat: str
    tag_ids: frozenset

    @property
    def place(self):
        """What decides the entry's cells."""
        return (self.lon, self.lat, self.category_id, self.threat)

    def cells(self):
        """(zoom, column, row) of its cell at every aggregated zoom, finest first."""
        return [(z, *cell_of(self.lon, self.lat, z)) for z in reversed(ZOOMS)]


@dataclass
class Noted:
    """What upkeep_in_bulk has noted: the entries written, and whether a version was asked."""

    ids: set = field(default_factory=set)
    bump: bool = False


# What is noted inside upkeep_in_bulk, or None to keep the aggregates in step at once.
_noted = contextvars.ContextVar("aggregates_noted", default=None)


def public_change(entry_ids):
    """Bring the aggregates in step with the entries entry_ids after a write to them."""
    ids = sorted(set(entry_ids))
    noted = _noted.get()
    if noted is not None:
        noted.ids.update(ids)
        return
    if not ids:
        return
    # No savepoint of its own: a failure here must undo the caller's write as well.
    with transaction.atomic(savepoint=False):
        before = _counted_before(ids)
        now = _counted_now(ids)
        for pk in ids:
            _apply(pk, before.get(pk), now.get(pk))
        bump_version()


@contextmanager
def upkeep_in_bulk():
    """Within it (inside one transaction), public_change and bump_version only note the
    entries; as it ends without an error, they are brought in step at once and the version
    raised once. Inside another, it leaves the noting to the outer one."""
    if _noted.get() is not None:
        yield
        return
    noted = Noted()
    token = _noted.set(noted)
    try:
        yield
    finally:
        _noted.reset(token)
    if noted.ids:
        public_change_in_bulk(noted.ids)
    elif noted.bump:
        bump_version()


# Entries compared, and rows written, per statement by the bulk upkeep.
BULK = 500


def public_change_in_bulk(entry_ids):
    """public_change for many entries at once: what each changed summed per cell and per
    tag, then every cell written once, in key order, and the version raised once."""
    ids = sorted(set(entry_ids))
    with transaction.atomic(savepoint=False):
        cells, tags = CellDeltas(), Counter()
        for start in range(0, len(ids), BULK):
            chunk = ids[start : start + BULK]
            before, now = _counted_before(chunk), _counted_now(chunk)
            changed = [(pk, before.get(pk), now.get(pk)) for pk in chunk]
            changed = [(pk, old, new) for pk, old, new in changed if old != new]
            _store_many(changed)
            for _pk, old, new in changed:
                if old is None or new is None or old.place != new.place:
                    cells.take_away(old)
                    cells.add(new)
                tags.update(new.tag_ids if new else ())
                tags.subtract(old.tag_ids if old else ())
        cells.write()
        _step_tags(tags)
        bump_version()


def _store_many(changed):
    gone = [pk for pk, _old, new in changed if new is None]
    if gone:
        _run(f"DELETE FROM {_q(COUNTED_TABLE)} WHERE entry_id IN ({_marks(gone)})", gone)  # noqa: S608
    kept = [(pk, new) for pk, _old, new in changed if new is not None]
    columns = ("entry_id", "lon", "lat", "category_id", "threat", "tag_ids")
    for start in range(0, len(kept), BULK):
        rows = kept[start : start + BULK]
        params = []
        for pk, new in rows:
            tag_ids = " ".join(str(t) for t in sorted(new.tag_ids))
            params += [pk, new.lon, new.lat, new.category_id, new.threat, tag_ids]
        values = ", ".join([f"({_marks(columns)})"] * len(rows))
        _run(
            f"INSERT INTO {_q(COUNTED_TABLE)} ({', '.join(columns)}) VALUES {values} "  # noqa: S608
            "ON CONFLICT (entry_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns[1:]),
            params,
        )


def _step_tags(steps):
    steps = {tag: step for tag, step in steps.items() if step}
    if steps:
        step = Case(*(When(pk=tag, then=Value(n)) for tag, n in steps.items()), default=Value(0))
        Tag.objects.filter(pk__in=steps).update(published_entries=F("published_entries") + step)


INFINITY = float("inf")


class CellDeltas:
    """What a bulk of entries adds to and takes from each cell: counts, coordinate sums, the
    extent of the points added, and the points taken away (whose cells may need their extent
    measured again)."""

    def __init__(self):
        self.cells = {}

    def _cell(self, counted, zoom, column, row):
        key = (counted.category_id, counted.threat, zoom, column, row)
        if key not in self.cells:
            self.cells[key] = [0, 0.0, 0.0, INFINITY, INFINITY, -INFINITY, -INFINITY, []]
        return self.cells[key]

    def add(self, counted):
        if counted is None:
            return
        for key in counted.cells():
            cell = self._cell(counted, *key)
            cell[0] += 1
            cell[1] += counted.lon
            cell[2] += counted.lat
            cell[3], cell[4] = min(cell[3], counted.lon), min(cell[4], counted.lat)
            cell[5], cell[6] = max(cell[5], counted.lon), max(cell[6], counted.lat)

    def take_away(self, counted):
        if counted is None:
            return
        for key in counted.cells():
            cell = self._cell(counted, *key)
            cell[0] -= 1
            cell[1] -= counted.lon
            cell[2] -= counted.lat
            cell[7].append((counted.lon, counted.lat))

    def write(self):
        """Every cell changed, in key order: one upsert a batch (a cell only taken from keeps
        its extent: an infinite one changes no side), then the emptied ones deleted and the
        extents that lost a point on their edge measured again, finest first."""
        keys = sorted(self.cells)
        # A row proposed for insertion is checked (count >= 0) before its conflict is found,
        # so a cell that loses entries is updated instead; runs of each kind keep key order.
        for shrinks, run in itertools.groupby(keys, key=lambda key: self.cells[key][0] < 0):
            run = list(run)
            for start in range(0, len(run), BULK):
                (self._shrink if shrinks else self._upsert)(run[start : start + BULK])
        taken = [key for key in keys if self.cells[key][7]]
        emptied, remeasure = [], []
        for start in range(0, len(taken), BULK):
            for cell in _cells_at(taken[start : start + BULK]):
                points = self.cells[(cell.category_id, cell.threat, *_place(cell))][7]
                if cell.count <= 0:
                    emptied.append(cell.pk)
                elif any(_point_on_edge(cell, lon, lat) for lon, lat in points):
                    remeasure.append(cell)
        for start in range(0, len(emptied), BULK):
            batch = emptied[start : start + BULK]
            _run(f"DELETE FROM {_q(CELL_TABLE)} WHERE id IN ({_marks(batch)})", batch)  # noqa: S608
        for cell in sorted(remeasure, key=lambda cell: -cell.zoom):
            if cell.zoom == FINEST_ZOOM:
                _measure_finest_extent(cell)
            else:
                _extent_from_beneath(cell)

    def _shrink(self, keys):
        connection = connections[router.db_for_write(ClusterCell)]
        q = connection.ops.quote_name
        smaller, larger = (
            ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
        )
        sides = [f"{q(c)} = {smaller}({q(c)}, %s)" for c in ("west", "south")]
        sides += [f"{q(c)} = {larger}({q(c)}, %s)" for c in ("east", "north")]
        sql = (
            f"UPDATE {q(CELL_TABLE)} SET {q('count')} = {q('count')} + %s, "  # noqa: S608
            f"sum_lon = sum_lon + %s, sum_lat = sum_lat + %s, {', '.join(sides)} "
            f"WHERE category_id = %s AND threat = %s AND {q('zoom')} = %s "
            f"AND {q('column')} = %s AND {q('row')} = %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[*self.cells[key][:7], *key] for key in keys])

    def _upsert(self, keys):
        connection = connections[router.db_for_write(ClusterCell)]
        q = connection.ops.quote_name
        smaller, larger = (
            ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
        )
        columns = ("category_id", "threat", "zoom", "column", "row", "count")
        columns += ("sum_lon", "sum_lat", "west", "south", "east", "north")
        params = []
        for key in keys:
            params += [*key, *self.cells[key][:7]]
        table = q(CELL_TABLE)
        updates = [
            f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in ("count", "sum_lon", "sum_lat")
        ]
        updates += [
            f"{q(c)} = {smaller}({table}.{q(c)}, excluded.{q(c)})" for c in ("west", "south")
        ]
        updates += [
            f"{q(c)} = {larger}({table}.{q(c)}, excluded.{q(c)})" for c in ("east", "north")
        ]
        values = ", ".join([f"({_marks(columns)})"] * len(keys))
        unique = ", ".join(q(c) for c in ("zoom", "column", "row", "category_id", "threat"))
        _run(
            f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({unique}) DO UPDATE SET {', '.join(updates)}",
            params,
        )


def _place(cell):
    return (cell.zoom, cell.column, cell.row)


def _cells_at(keys):
    """The cells of keys (category, threat, zoom, column, row), as they are now."""
    connection = connections[router.db_for_write(ClusterCell)]
    q = connection.ops.quote_name
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(keys))
    sql = (
        f"SELECT * FROM {q(CELL_TABLE)} WHERE (category_id, threat, {q('zoom')}, "  # noqa: S608
        f"{q('column')}, {q('row')}) IN ({rows})"
    )
    return list(
        ClusterCell.objects.raw(sql, [v for key in keys for v in key]).using(connection.alias)
    )


def _point_on_edge(cell, lon, lat):
    return lon in (cell.west, cell.east) or lat in (cell.south, cell.north)


def bump_version(using=None):
    """Raise the data set's version: every cached read and ETag made before is stale."""
    noted = _noted.get()
    if noted is not None:
        noted.bump = True  # raised once, as upkeep_in_bulk ends
        return
    using = using or router.db_for_write(DatasetVersion)
    versions = DatasetVersion.objects.using(using)
    table = connections[using].ops.quote_name(DatasetVersion._meta.db_table)
    changed = _run(
        f"UPDATE {table} SET number = number + 1, changed_at = %s WHERE id = 1",  # noqa: S608
        [connections[using].ops.adapt_datetimefield_value(timezone.now())],
        using,
    )
    if not changed:
        versions.get_or_create(pk=1, defaults={"number": 1, "changed_at": timezone.now()})


def _counted_before(ids):
    rows = CountedEntry.objects.select_for_update().filter(entry_id__in=ids).order_by("entry_id")
    return {row.entry_id: _as_counted(row, row.tag_ids.split()) for row in rows}


def _counted_now(ids):
    """What is to be counted of the entries ids now: one statement, the rebuild's."""
    connection = connections[router.db_for_write(Entry)]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_counted_select(connection)} AND e.id IN ({marks})", [Entry.Status.PUBLISHED, *ids]
        )
        rows = cursor.fetchall()
    return {
        pk: Counted(lon, lat, category_id, threat, frozenset(map(int, tag_ids.split())))
        for pk, lon, lat, category_id, threat, tag_ids in rows
    }


def _counted_select(connection):
    """SELECT of what is counted of each published entry (its public point's coordinates, its
    category, threat and tag ids), to which a caller may add conditions on `e`."""
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        tag_ids = "string_agg(t.tag_id::text, ' ')"
    else:
        tag_ids = "group_concat(t.tag_id, ' ')"
    return (
        "SELECT e.id, ST_X(e.public_point), ST_Y(e.public_point), e.category_id, e.threat, "  # noqa: S608
        f"COALESCE((SELECT {tag_ids} FROM {q(TAGGING_TABLE)} t WHERE t.entry_id = e.id), '') "
        f"FROM {q(ENTRY_TABLE)} e WHERE e.status = %s"
    )


def _as_counted(row, tag_ids):
    return Counted(row.lon, row.lat, row.category_id, row.threat, frozenset(map(int, tag_ids)))


def _apply(pk, old, new):
    if old == new:
        return
    _store(pk, new)
    if old is None or new is None or old.place != new.place:
        steps = [(old, _take_away), (new, _add)]
        if old is not None and new is not None and _key(new) < _key(old):
            steps.reverse()  # the smaller key's cells first, as every write takes them
        for counted, step in steps:
            if counted is not None:
                step(counted)
    _count_tags(old.tag_ids if old else frozenset(), new.tag_ids if new else frozenset())


def _key(counted):
    return (counted.category_id, counted.threat)


def _store(pk, counted):
    if counted is None:
        _run(f"DELETE FROM {_q(COUNTED_TABLE)} WHERE entry_id = %s", [pk])  # noqa: S608
        return
    tag_ids = " ".join(str(t) for t in sorted(counted.tag_ids))
    columns = ("lon", "lat", "category_id", "threat", "tag_ids")
    # One upsert, where save() would try an UPDATE first and then INSERT a newly public entry.
    _run(
        f"INSERT INTO {_q(COUNTED_TABLE)} (entry_id, {', '.join(columns)}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (entry_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns),
        [pk, counted.lon, counted.lat, counted.category_id, counted.threat, tag_ids],
    )


def _run(sql, params, using=None):
    """One statement of the upkeep on the database written to; its row count. Raw SQL for the
    statements every write runs: compiling them through the ORM cost as much as running them."""
    with connections[using or router.db_for_write(ClusterCell)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _q(name):
    return connections[router.db_for_write(ClusterCell)].ops.quote_name(name)


def _count_tags(old, new):
    if old == new:
        return
    # One statement for both directions, so two writers swapping tags cannot each hold one row
    # the other waits for.
    step = Case(When(pk__in=new - old, then=Value(1)), default=Value(-1))
    Tag.objects.filter(pk__in=old ^ new).update(published_entries=F("published_entries") + step)


def _add(counted):
    """Count one entry into its cells: one statement, rows in key order (no deadlocks)."""
    connection = connections[router.db_for_write(ClusterCell)]
    q = connection.ops.quote_name
    smaller, larger = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    columns = ("zoom", "column", "row", "category_id", "threat", "count")
    columns += ("sum_lon", "sum_lat", "west", "south", "east", "north")
    values, params = [], []
    for zoom, column, row in sorted(counted.cells()):
        values.append(f"({', '.join(['%s'] * len(columns))})")
        params += [zoom, column, row, counted.category_id, counted.threat, 1]
        params += [counted.lon, counted.lat, counted.lon, counted.lat, counted.lon, counted.lat]
    key = ", ".join(q(c) for c in columns[:5])
    table = q(CELL_TABLE)
    updates = [
        f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in ("count", "sum_lon", "sum_lat")
    ]
    updates += [f"{q(c)} = {smaller}({table}.{q(c)}, excluded.{q(c)})" for c in ("west", "south")]
    updates += [f"{q(c)} = {larger}({table}.{q(c)}, excluded.{q(c)})" for c in ("east", "north")]
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "  # noqa: S608 (our names)
        f"VALUES {', '.join(values)} ON CONFLICT ({key}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _take_away(counted):
    """Count one entry out of its cells: lock them in key order (as _add writes them, so two
    writes never deadlock), then one statement each to drop the emptied and lower the others,
    then measure again, finest first, the extents the point lay on the edge of."""
    cells = _lock_cells(counted)
    emptied = [cell.pk for cell in cells if cell.count <= 1]
    kept = [cell for cell in cells if cell.count > 1]
    table = _q(CELL_TABLE)
    if emptied:
        _run(f"DELETE FROM {table} WHERE id IN ({_marks(emptied)})", emptied)  # noqa: S608
    if kept:
        _run(
            f"UPDATE {table} SET {_q('count')} = {_q('count')} - 1, "  # noqa: S608
            f"sum_lon = sum_lon - %s, sum_lat = sum_lat - %s WHERE id IN ({_marks(kept)})",
            [counted.lon, counted.lat, *(cell.pk for cell in kept)],
        )
    on_edge = [cell for cell in kept if _on_edge(cell, counted)]
    for cell in sorted(on_edge, key=lambda cell: -cell.zoom):
        if cell.zoom == FINEST_ZOOM:
            _measure_finest_extent(cell)
        else:
            _extent_from_beneath(cell)


def _lock_cells(counted):
    """The entry's cells, locked in key order. Raw SQL: one row-value IN for the zooms, where
    the ORM would compile an OR of thirteen conditions on every write."""
    connection = connections[router.db_for_write(ClusterCell)]
    q = connection.ops.quote_name
    keys = sorted(counted.cells())
    rows = ", ".join(["(%s, %s, %s)"] * len(keys))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT * FROM {q(CELL_TABLE)} WHERE category_id = %s AND threat = %s "  # noqa: S608
        f"AND ({q('zoom')}, {q('column')}, {q('row')}) IN ({rows}) "
        f"ORDER BY {q('zoom')}, {q('column')}, {q('row')}{lock}"
    )
    params = [counted.category_id, counted.threat, *(v for key in keys for v in key)]
    return list(ClusterCell.objects.raw(sql, params).using(connection.alias))


def _marks(values):
    return ", ".join(["%s"] * len(values))


def _on_edge(cell, counted):
    return _point_on_edge(cell, counted.lon, counted.lat)


def _measure_finest_extent(cell):
    """A finest cell's extent, from the counted entries the grid puts in it."""
    points = _points_in(cell)
    if not points:
        return
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    cell.west, cell.south, cell.east, cell.north = min(lons), min(lats), max(lons), max(lats)
    cell.save(update_fields=["west", "south", "east", "north"])


def _extent_from_beneath(cell):
    """A coarser cell's extent, from the (already measured) four cells beneath it: one
    statement, as every write that takes a point off an edge runs it at several zooms."""
    connection = connections[router.db_for_write(ClusterCell)]
    q = connection.ops.quote_name
    table = q(CELL_TABLE)
    beneath = (
        f"FROM {table} AS b WHERE b.{q('zoom')} = %s AND b.{q('column')} IN (%s, %s) "
        f"AND b.{q('row')} IN (%s, %s) AND b.category_id = %s AND b.threat = %s"
    )
    params = [cell.zoom + 1, 2 * cell.column, 2 * cell.column + 1, 2 * cell.row, 2 * cell.row + 1]
    params += [cell.category_id, cell.threat]
    sides = (("west", "MIN"), ("south", "MIN"), ("east", "MAX"), ("north", "MAX"))
    assignments = ", ".join(
        f"{q(side)} = COALESCE((SELECT {aggregate}(b.{q(side)}) {beneath}), {table}.{q(side)})"
        for side, aggregate in sides
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608 (our own names)
            params * len(sides) + [cell.pk],
        )


def _points_in(cell):
    size = cell_degrees(cell.zoom)
    margin = size * MARGIN
    near = CountedEntry.objects.filter(
        category_id=cell.category_id,
        threat=cell.threat,
        lon__gte=cell.column * size - margin,
        lon__lte=(cell.column + 1) * size + margin,
        lat__gte=cell.row * size - margin,
        lat__lte=(cell.row + 1) * size + margin,
    ).values_list("lon", "lat")
    wanted = (cell.column, cell.row)
    return [(lon, lat) for lon, lat in near if cell_of(lon, lat, cell.zoom) == wanted]


def rebuild_aggregates(progress=print, using=None):
    """Count every published entry afresh into the cells and the tag counts."""
    using = using or router.db_for_write(ClusterCell)
    with transaction.atomic(using=using):
        connection = connections[using]
        with connection.cursor() as cursor:
            _rebuild_counted(cursor, connection)
            for zoom in ZOOMS:
                _rebuild_cells(cursor, connection, zoom)
                progress(f"Counted the cluster cells of zoom {zoom}/{FINEST_ZOOM}")
            _rebuild_tag_counts(cursor, connection)
        bump_version(using)


def _rebuild_counted(cursor, connection):
    q = connection.ops.quote_name
    cursor.execute(f"DELETE FROM {q(CELL_TABLE)}")  # noqa: S608 (our own names)
    cursor.execute(f"DELETE FROM {q(COUNTED_TABLE)}")  # noqa: S608
    cursor.execute(
        f"INSERT INTO {q(COUNTED_TABLE)} (entry_id, lon, lat, category_id, threat, tag_ids) "  # noqa: S608
        f"{_counted_select(connection)}",
        [Entry.Status.PUBLISHED],
    )


def _rebuild_cells(cursor, connection, zoom):
    q = connection.ops.quote_name
    size = cell_degrees(zoom)
    cursor.execute(
        f"INSERT INTO {q(CELL_TABLE)} ({q('zoom')}, {q('column')}, {q('row')}, category_id, "  # noqa: S608
        f"threat, {q('count')}, sum_lon, sum_lat, west, south, east, north) "
        f"SELECT %s, FLOOR(lon / %s), FLOOR(lat / %s), category_id, threat, COUNT(*), "
        f"SUM(lon), SUM(lat), MIN(lon), MIN(lat), MAX(lon), MAX(lat) FROM {q(COUNTED_TABLE)} "
        f"GROUP BY FLOOR(lon / %s), FLOOR(lat / %s), category_id, threat",
        [zoom, size, size, size, size],
    )


def _rebuild_tag_counts(cursor, connection):
    q = connection.ops.quote_name
    cursor.execute(
        f"UPDATE {q(Tag._meta.db_table)} SET published_entries = ("  # noqa: S608
        f"SELECT COUNT(*) FROM {q(TAGGING_TABLE)} t JOIN {q(ENTRY_TABLE)} e "
        f"ON e.id = t.entry_id WHERE t.tag_id = {q(Tag._meta.db_table)}.id AND e.status = %s)",
        [Entry.Status.PUBLISHED],
    )
