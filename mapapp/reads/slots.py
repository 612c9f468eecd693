"""Statements compiled once per shape: a query is built through the ORM with marker values in
place of a request's, and the positions where the markers land among its parameters are its
slots; later requests of that shape fill the slots with their own values (reads.statements'
pages and counts, reads.clusters' rings and strips). A value the ORM transforms on its way
into the SQL never finds its marker, and the shape is left to the ORM, per request.
"""

from django.db import connections

from mapapp.reads.filters import MAX_OFFSET, EntryFilters, has_case_filters

# Values no request can carry (longitudes beyond ±180, slugs with "~", pages beyond any
# offset and limit the parsers accept), for finding slots.
MARKER_BBOX = (-1001.25, -1002.25, -1003.25, -1004.25)
MARKER_OFFSET, MARKER_LIMIT = MAX_OFFSET + 1, MAX_OFFSET + 2
SLOT_FIELDS = ("bbox", "categories", "tags", "threats")
# Integers no cell bound can be (columns and rows stay within ±2^15 at the finest zoom), yet
# within a 32-bit column's range (past it Django would leave the condition out of the SQL),
# standing in for a statement's cell bounds (int_markers).
INT_MARKER = 2_000_000_001


def int_markers(names):
    """{name: a marker integer} for values a statement's caller fills in by name."""
    return {name: INT_MARKER + n for n, name in enumerate(names)}


def filled(compiled, filters, values=None):
    """A compiled statement's (sql, params) with filters' values in its slots, and values'
    ({slot name: value}) in theirs."""
    if compiled is None:
        return None
    sql, params, slots = compiled
    params = list(params)
    for position, name, index in slots:
        value = values[name] if values and name in values else getattr(filters, name)
        params[position] = value if index is None else value[index]
    return sql, params


def shape_of(filters):
    """What decides a page's SQL text once its values are taken out, or None."""
    if filters.words or filters.near or filters.updated_since or filters.updated_until:
        return None
    if filters.verified_since:
        return None
    if has_case_filters(filters):
        return None
    counts = tuple(len(getattr(filters, name) or ()) for name in SLOT_FIELDS)
    return counts + (filters.ordering,)


def marked_filters(shape):
    bbox, categories, tags, threats, ordering = shape
    return EntryFilters(
        bbox=MARKER_BBOX if bbox else None,
        categories=[f"~category~{i}" for i in range(categories)],
        tags=[f"~tag~{i}" for i in range(tags)],
        threats=[f"~threat~{i}" for i in range(threats)],
        ordering=ordering,
        offset=MARKER_OFFSET,
        limit=MARKER_LIMIT,
    )


def with_slots(sql, params, marked, page):
    """(sql, params, slots) once every marker of marked (and of page, {marker: slot}) is
    found among params, else None."""
    wanted = {
        value: (name, index)
        for name in SLOT_FIELDS
        for index, value in enumerate(getattr(marked, name) or ())
    }
    wanted |= page
    slots = [
        (position, *wanted[param])
        for position, param in enumerate(params)
        if isinstance(param, str | float | int) and param in wanted
    ]
    if {slot[1:] for slot in slots} != set(wanted.values()):
        return None  # a value was transformed on its way into the SQL: no slot to fill
    return sql, params, tuple(slots)


def rows_of(statement, using):
    """The rows of a filled statement, as dicts by column name."""
    with connections[using].cursor() as cursor:
        cursor.execute(*statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
