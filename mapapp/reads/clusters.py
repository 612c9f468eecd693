"""Clusters: the published entries a box and filters select, counted per grid cell (mapapp.grid).

The cells wholly inside the box are read from the aggregates (ClusterCell) whenever they can
answer: the filters are ones the cells are kept by (category, threat) and the zoom is one they
hold. The cells the box's edges cut are counted from the entries in four strips along the
edges, selected exactly as the list selects them. So the counts add up to the list's
numberMatched for the same filters and box, and a view of a whole country costs about as many
rows as it has cells instead of one per entry. Other filters (text, tags, dates, threat cases)
count every cell from the entries, as before the aggregates.
"""

import math
from dataclasses import replace

from django.db.models import Max, Min, Sum

from mapapp.grid import CELLS_PER_TILE, FINEST_ZOOM, cell_degrees
from mapapp.models import ClusterCell
from mapapp.reads.filters import entries_matching, has_case_filters

WORLD = (-180.0, -90.0, 180.0, 90.0)
# The strips' boxes reach this far (in cells) past the cells inside, so that floating-point
# rounding can never drop an entry between a strip and the inside; which cell an entry is in is
# then decided exactly as the aggregates decide it (floor of the division).
MARGIN = 1e-6
# A count reads the cells at the zoom that puts about this many across the box: enough that
# the strips along its edges hold few entries, few enough that the cells are quick to add up.
COUNTING_CELLS = 64
TOTALS = ("count", "sum_lon", "sum_lat", "west", "south", "east", "north")


class TooManyCells(ValueError):
    pass


def clusters(filters, zoom, *, limit):
    """Cells (dicts of column, row, count, lon, lat and the extent west, south, east, north)
    ordered by row then column; TooManyCells if there are more than limit."""
    size = cell_degrees(zoom)
    if not answered_by_aggregates(filters, zoom):
        return _finished(entries_matching(filters).clusters(size), limit)
    box = filters.bbox or WORLD
    inside = inside_cells(box, size)
    if inside is None:
        return _finished(entries_matching(replace(filters, bbox=box)).clusters(size), limit)
    parts = [_aggregated(filters, zoom, inside)]
    parts += [_strip(filters, size, *strip) for strip in edge_strips(box, size, inside)]
    return _merged(parts, limit)


def count_matching(filters):
    """How many published entries filters select: from the aggregates at a zoom fine enough
    that the edge strips are narrow, when they can answer; else counted from the entries."""
    zoom = counting_zoom(filters.bbox or WORLD)
    if not answered_by_aggregates(filters, zoom):
        return entries_matching(filters).count()
    box = filters.bbox or WORLD
    size = cell_degrees(zoom)
    inside = inside_cells(box, size)
    if inside is None:
        return entries_matching(replace(filters, bbox=box)).count()
    counted = _cells_inside(filters, zoom, inside).aggregate(total=Sum("count"))["total"] or 0
    for strip, condition in edge_strips(box, size, inside):
        strip_entries = entries_matching(replace(filters, bbox=strip))
        counted += strip_entries.in_cells(size).filter(**condition).count()
    return counted


def counting_zoom(box):
    """The zoom whose cells put about COUNTING_CELLS across the box's wider side."""
    west, south, east, north = box
    side = max(east - west, north - south, 1e-9)
    wanted = 360 / CELLS_PER_TILE / (side / COUNTING_CELLS)
    return max(0, min(FINEST_ZOOM, math.floor(math.log2(wanted))))


def answered_by_aggregates(filters, zoom):
    others = filters.tags or filters.words or filters.near
    others = others or filters.updated_since or filters.updated_until
    return zoom <= FINEST_ZOOM and not others and not has_case_filters(filters)


def inside_cells(box, size):
    """(first column, last column, first row, last row) of the cells whose every entry lies
    in box, or None. An entry's cell is floor(coordinate / size); an edge on a cell boundary
    keeps that cell inside, an edge within a cell leaves the cell to the strips."""
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
    """(box, cell condition) of the four strips between the cells inside and box's edges."""
    west, south, east, north = box
    first_column, last_column, first_row, last_row = inside
    margin = size * MARGIN
    x0, x1 = first_column * size, (last_column + 1) * size
    y0, y1 = first_row * size, (last_row + 1) * size
    middle = {"column__gte": first_column, "column__lte": last_column}
    return [
        ((west, south, min(east, x0 + margin), north), {"column__lt": first_column}),
        ((max(west, x1 - margin), south, east, north), {"column__gt": last_column}),
        (
            (max(west, x0 - margin), south, min(east, x1 + margin), min(north, y0 + margin)),
            {**middle, "row__lt": first_row},
        ),
        (
            (max(west, x0 - margin), max(south, y1 - margin), min(east, x1 + margin), north),
            {**middle, "row__gt": last_row},
        ),
    ]


def _aggregated(filters, zoom, inside):
    cells = _cells_inside(filters, zoom, inside)
    sums = {f"total_{name}": Sum(name) for name in ("count", "sum_lon", "sum_lat")}
    extent = {"total_west": Min("west"), "total_south": Min("south")}
    extent |= {"total_east": Max("east"), "total_north": Max("north")}
    rows = cells.order_by().values("column", "row").annotate(**sums, **extent)
    return [
        {"column": r["column"], "row": r["row"], **{n: r[f"total_{n}"] for n in TOTALS}}
        for r in rows
    ]


def _cells_inside(filters, zoom, inside):
    first_column, last_column, first_row, last_row = inside
    cells = ClusterCell.objects.filter(
        zoom=zoom,
        column__gte=first_column,
        column__lte=last_column,
        row__gte=first_row,
        row__lte=last_row,
    )
    if filters.categories:
        cells = cells.filter(category__slug__in=filters.categories)
    if filters.threats:
        cells = cells.filter(threat__in=filters.threats)
    return cells


def _strip(filters, size, box, condition):
    entries = entries_matching(replace(filters, bbox=box)).in_cells(size).filter(**condition)
    return list(entries.cell_totals())


def _merged(parts, limit):
    cells = {}
    for row in (row for part in parts for row in part):
        key = (int(row["column"]), int(row["row"]))
        if key not in cells:
            cells[key] = dict(row, column=key[0], row=key[1])
            continue
        cell = cells[key]
        for name in ("count", "sum_lon", "sum_lat"):
            cell[name] += row[name]
        cell["west"], cell["south"] = (
            min(cell["west"], row["west"]),
            min(cell["south"], row["south"]),
        )
        cell["east"], cell["north"] = (
            max(cell["east"], row["east"]),
            max(cell["north"], row["north"]),
        )
    if len(cells) > limit:
        raise TooManyCells(limit)
    return [_with_mean(cells[key]) for key in sorted(cells, key=lambda k: (k[1], k[0]))]


def _finished(totals, limit):
    rows = list(totals[: limit + 1])
    if len(rows) > limit:
        raise TooManyCells(limit)
    return [_with_mean(dict(row, column=int(row["column"]), row=int(row["row"]))) for row in rows]


def _with_mean(cell):
    cell["lon"], cell["lat"] = cell["sum_lon"] / cell["count"], cell["sum_lat"] / cell["count"]
    return cell
