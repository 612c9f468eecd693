"""Clusters: the published entries a box and filters select, counted per grid cell (mapapp.grid).

When the filters are ones the aggregates (ClusterCell) are kept by — category and threat — and
the zoom is one they hold, a box is read as rings of ever finer cells: the cells of the zoom
asked for that lie wholly inside the box, then, between those and the box's edges, the cells
wholly inside it STEP zooms finer, and so on down to the finest zoom; only the entries in the
last narrow strips along the edges (a finest cell wide, ~2 km) are read one by one, selected
exactly as the list selects them. Every part is added into the cell of the zoom asked for that
holds it. So the counts are those of the list's numberMatched for the same filters and box, and
a view of a whole country costs a few thousand cell rows instead of one row per entry. Other
filters (text, tags, dates, threat cases) count every cell from the entries.
"""

import math
from dataclasses import replace
from functools import lru_cache

from django.db import router
from django.db.models import Max, Min, Q, Sum

from mapapp.grid import CELLS_PER_TILE, FINEST_ZOOM, cell_degrees
from mapapp.models import ClusterCell, Entry
from mapapp.reads.filters import entries_matching, has_case_filters
from mapapp.reads.slots import filled, int_markers, marked_filters, rows_of, shape_of, with_slots

WORLD = (-180.0, -90.0, 180.0, 90.0)
# Each ring is this many zooms finer than the one inside it (cells a sixteenth the area).
STEP = 2
# The strips' boxes reach this far (in cells) past the cells inside, so that floating-point
# rounding can never drop an entry between a strip and the inside; which cell an entry is in is
# then decided exactly as the aggregates decide it (floor of the division).
MARGIN = 1e-6
# A count reads the cells at the zoom that puts about this many across the box.
COUNTING_CELLS = 8
TOTALS = ("count", "sum_lon", "sum_lat", "west", "south", "east", "north")
RING_TOTALS = {
    **{f"total_{name}": Sum(name) for name in ("count", "sum_lon", "sum_lat")},
    "total_west": Min("west"),
    "total_south": Min("south"),
    "total_east": Max("east"),
    "total_north": Max("north"),
}


class TooManyCells(ValueError):
    pass


def clusters(filters, zoom, *, limit):
    """Cells (dicts of column, row, count, lon, lat and the extent west, south, east, north)
    ordered by row then column; TooManyCells if there are more than limit."""
    if not answered_by_aggregates(filters, zoom):
        totals = entries_matching(filters).clusters(cell_degrees(zoom))
        return _merged([totals[: limit + 1]], limit)
    return _merged(_parts(replace(filters, bbox=filters.bbox or WORLD), zoom), limit)


def count_matching(filters):
    """How many published entries filters select: from the aggregates when they can answer
    and the box is wide, else counted from the entries (a text search's page counts its own,
    and the API's pages count narrow boxes by a compiled statement: reads.statements)."""
    if counted_from_entries(filters):
        return entries_matching(filters).count()
    box = filters.bbox or WORLD
    parts = _parts(replace(filters, bbox=box), counting_zoom(box))
    return sum(row["count"] for part in parts for row in part)


def counted_from_entries(filters):
    """Whether a count is better read from the entries than from the aggregates: when the
    aggregates are not kept by these filters, or when the box is so narrow that its counting
    zoom is the finest. Then the rings hold a handful of cells, the strips along the edges (a
    finest cell wide) still read a third or more of the box's entries one by one, and their
    five statements cost more to compile than one count of a city's entries costs to run."""
    box = filters.bbox or WORLD
    return is_narrow(box) or not answered_by_aggregates(filters, counting_zoom(box))


def is_narrow(box):
    """Whether a box is at most a city wide (~0.18 degrees): its counting zoom is the finest."""
    return counting_zoom(box) == FINEST_ZOOM


def counting_zoom(box):
    """The zoom whose cells put about COUNTING_CELLS across the box's wider side."""
    west, south, east, north = box
    side = max(east - west, north - south, 1e-9)
    wanted = 360 / CELLS_PER_TILE / (side / COUNTING_CELLS)
    return max(0, min(FINEST_ZOOM, math.floor(math.log2(wanted))))


def answered_by_aggregates(filters, zoom):
    others = filters.tags or filters.words or filters.near
    # The aggregates count by category and threat only; freshness changes daily, uncounted.
    others = others or filters.updated_since or filters.updated_until or filters.verified_since
    return zoom <= FINEST_ZOOM and not others and not has_case_filters(filters)


def ring_zooms(zoom):
    """The zooms of the rings, the one asked for first and the finest last."""
    zooms = list(range(zoom, FINEST_ZOOM + 1, STEP))
    return zooms if zooms[-1] == FINEST_ZOOM else [*zooms, FINEST_ZOOM]


def _parts(filters, zoom):
    """Rows (column and row at zoom, with TOTALS) of the box's rings and edge strips."""
    box, rings, inner = filters.bbox, [], None
    for level in ring_zooms(zoom):
        inside = inside_cells(box, cell_degrees(level))
        if inside is None:
            continue
        scale = 2 ** (level - inner[0]) if inner else 1
        hole = tuple(scaled(inner[1], scale)) if inner else None
        rings += [(level, columns, lines) for columns, lines in bands(inside, hole)]
        inner = (level, inside)
    if inner is None:
        return [list(entries_matching(filters).clusters(cell_degrees(zoom)))]
    level, inside = inner
    strips = edge_strips(box, cell_degrees(level), inside)
    return [_rings(filters, zoom, rings), *_strips(filters, zoom, level, strips)]


def scaled(inside, scale):
    """The same cells' range at a zoom whose cells are 1/scale as wide."""
    first_column, last_column, first_row, last_row = inside
    yield from (first_column * scale, (last_column + 1) * scale - 1)
    yield from (first_row * scale, (last_row + 1) * scale - 1)


def inside_cells(box, size):
    """(first column, last column, first row, last row) of the cells whose every entry lies
    in box, or None. An entry's cell is floor(coordinate / size); an edge on a cell boundary
    keeps that cell inside, an edge within a cell leaves the cell to the finer rings."""
    west, south, east, north = box

    def first(edge):
        cell = edge / size
        return math.floor(cell) if cell == math.floor(cell) else math.floor(cell) + 1

    columns = (first(west), math.floor(east / size) - 1)
    rows = (first(south), math.floor(north / size) - 1)
    if columns[0] > columns[1] or rows[0] > rows[1]:
        return None
    return (*columns, *rows)


def edge_strips(box, size, inside):
    """(box, cell condition) of the four strips between the cells inside and box's edges;
    the conditions name the cells as fine_column and fine_row."""
    west, south, east, north = box
    first_column, last_column, first_row, last_row = inside
    margin = size * MARGIN
    x0, x1 = first_column * size, (last_column + 1) * size
    y0, y1 = first_row * size, (last_row + 1) * size
    middle = {"fine_column__gte": first_column, "fine_column__lte": last_column}
    return [
        ((west, south, min(east, x0 + margin), north), {"fine_column__lt": first_column}),
        ((max(west, x1 - margin), south, east, north), {"fine_column__gt": last_column}),
        (
            (max(west, x0 - margin), south, min(east, x1 + margin), min(north, y0 + margin)),
            {**middle, "fine_row__lt": first_row},
        ),
        (
            (max(west, x0 - margin), max(south, y1 - margin), min(east, x1 + margin), north),
            {**middle, "fine_row__gt": last_row},
        ),
    ]


def _rings(filters, zoom, rings):
    """The cells of every ring's bands, (level, columns, rows) each, added up per cell of zoom."""
    # A cell at a finer level lies in the cell of zoom its column and row shifted right (floor
    # division by a power of two, negative columns included).
    return [
        {
            "column": r["column"] >> (r["zoom"] - zoom),
            "row": r["row"] >> (r["zoom"] - zoom),
            **{name: r[f"total_{name}"] for name in TOTALS},
        }
        for r in _ring_rows(filters, rings)
    ]


def ring_cells(filters, rings):
    """One statement for every ring's cells (the filters' categories and threats), totalled
    per cell: building one per band cost more than running them."""
    where = Q()
    for level, columns, lines in rings:
        where |= Q(
            zoom=level,
            column__gte=columns[0],
            column__lte=columns[1],
            row__gte=lines[0],
            row__lte=lines[1],
        )
    cells = ClusterCell.objects.filter(where)
    if filters.categories:
        cells = cells.filter(category__slug__in=filters.categories)
    if filters.threats:
        cells = cells.filter(threat__in=filters.threats)
    return cells.order_by().values("zoom", "column", "row").annotate(**RING_TOTALS)


def _ring_rows(filters, rings):
    """ring_cells' rows, by its statement compiled once per shape (the rings' levels, how many
    categories and threats), its bands' bounds filled in."""
    shape = tuple(level for level, _, _ in rings), len(filters.categories or ())
    shape += (len(filters.threats or ()),)
    bounds = {
        f"{n}{side}": value
        for n, (_, columns, lines) in enumerate(rings)
        for side, value in zip("abcd", (*columns, *lines), strict=True)
    }
    using = router.db_for_read(ClusterCell)
    statement = filled(_compiled_rings(using, shape), filters, bounds)
    return rows_of(statement, using) if statement else list(ring_cells(filters, rings))


@lru_cache(maxsize=256)
def _compiled_rings(using, shape):
    levels, categories, threats = shape
    marked = marked_filters((0, categories, 0, threats, "name"))
    markers = int_markers([f"{n}{side}" for n in range(len(levels)) for side in "abcd"])
    rings = [
        (level, (markers[f"{n}a"], markers[f"{n}b"]), (markers[f"{n}c"], markers[f"{n}d"]))
        for n, level in enumerate(levels)
    ]
    sql, params = ring_cells(marked, rings).query.get_compiler(using).as_sql()
    return with_slots(sql, params, marked, {marker: (n, None) for n, marker in markers.items()})


def bands(inside, hole):
    """((first, last column), (first, last row)) of the rectangles that cover inside but not
    hole: inside itself without a hole, else up to four bands around it, each narrow in the
    direction an index on the cells can range over."""
    first_column, last_column, first_row, last_row = inside
    if hole is None:
        return [((first_column, last_column), (first_row, last_row))]
    west, east, south, north = hole
    candidates = [
        ((first_column, west - 1), (first_row, last_row)),
        ((east + 1, last_column), (first_row, last_row)),
        ((west, east), (first_row, south - 1)),
        ((west, east), (north + 1, last_row)),
    ]
    return [(c, r) for c, r in candidates if c[0] <= c[1] and r[0] <= r[1]]


def strip_totals(filters, zoom, level, condition):
    """The entries of a strip (filters' box) whose cells at level meet condition, totalled per
    cell of zoom."""
    entries = entries_matching(filters)
    entries = entries.in_cells(cell_degrees(level), names=("fine_column", "fine_row"))
    return entries.filter(**condition).in_cells(cell_degrees(zoom)).cell_totals()


def _strips(filters, zoom, level, strips):
    """The rows of every edge strip (box, condition): one statement for the four when each
    strip's is compiled (a round trip apiece cost more than running them), else through the
    ORM, strip by strip."""
    using = router.db_for_read(Entry)
    statements = [_strip_statement(filters, zoom, level, *strip, using) for strip in strips]
    if None in statements:
        return [
            list(strip_totals(replace(filters, bbox=box), zoom, level, condition))
            for box, condition in strips
        ]
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({sql}) AS strip_{n}"  # noqa: S608 (our compiled statements)
        for n, (sql, _params) in enumerate(statements)
    )
    return [rows_of((sql, [p for _sql, params in statements for p in params]), using)]


def _strip_statement(filters, zoom, level, box, condition, using):
    """strip_totals' (sql, params) by its statement compiled once per shape, zoom, level and
    kind of strip (which sides its condition bounds), the box and bounds filled in; or None."""
    strip = replace(filters, bbox=box)
    shape = shape_of(strip)
    names = tuple(sorted(condition))
    compiled = _compiled_strip(using, shape, zoom, level, names) if shape else None
    return filled(compiled, strip, condition)


@lru_cache(maxsize=256)
def _compiled_strip(using, shape, zoom, level, names):
    marked = marked_filters(shape)
    markers = int_markers(names)
    query = strip_totals(marked, zoom, level, markers)
    sql, params = query.query.get_compiler(using).as_sql()
    return with_slots(sql, params, marked, {marker: (n, None) for n, marker in markers.items()})


def _merged(parts, limit):
    cells = {}
    for row in (row for part in parts for row in part):
        key = (int(row["column"]), int(row["row"]))
        if key not in cells:
            cells[key] = dict(row, column=key[0], row=key[1])
            if len(cells) > limit:
                raise TooManyCells(limit)
            continue
        cell = cells[key]
        for name in ("count", "sum_lon", "sum_lat"):
            cell[name] += row[name]
        for name, pick in (("west", min), ("south", min), ("east", max), ("north", max)):
            cell[name] = pick(cell[name], row[name])
    return [_with_mean(cells[key]) for key in sorted(cells, key=lambda k: (k[1], k[0]))]


def _with_mean(cell):
    cell["lon"], cell["lat"] = cell["sum_lon"] / cell["count"], cell["sum_lat"] / cell["count"]
    return cell
