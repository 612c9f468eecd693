"""The entries API's reads: filtered querysets, and the compiled SQL of their hot pages.

Compiling a queryset to SQL costs Django about as much as building the 1,000 features of a
map page (~0.8 ms), and the map asks for the same few shapes of query over and over — a box,
perhaps some categories, tags or threats — with only the values changing. So each shape is
compiled once, through the ORM, with marker values in place of the request's; the positions
where the markers land are the statement's slots, and later requests of that shape fill
the slots with their own values. A shape whose values the ORM transforms on the way (search
words, near, dates) never finds all its markers and always goes through the ORM instead.
"""

from datetime import UTC
from functools import cache, lru_cache

from django.db import connections

from mapapp.models import Entry
from mapapp.reads.filters import EntryFilters, entries_matching
from mapapp.reads.geojson import feature_rows, list_features, page_values

# Values no request can carry (longitudes beyond ±180, slugs with "~"), for finding slots.
MARKER_BBOX = (-1001.25, -1002.25, -1003.25, -1004.25)
SLOT_FIELDS = ("bbox", "categories", "tags", "threats")


def page_entries(filters):
    return entries_matching(filters)[filters.offset : filters.offset + filters.limit]


def page_query(filters):
    """The values query for one page of features: summary fields plus GeoJSON geometry."""
    return page_values(page_entries(filters), with_distance=bool(filters.near))


def page_features(filters, using="default"):
    """Features for the page of entries that filters asks for."""
    statement = page_statement(filters, using)
    if statement is None:
        return list_features(page_entries(filters), with_distance=bool(filters.near))
    sql, params = statement
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connections[using].vendor == "sqlite":
        rows = [(*row[:8], _sqlite_datetime(row[8]), row[9]) for row in rows]
    return feature_rows(rows)


def page_statement(filters, using="default"):
    """(sql, params) for the page filters asks for, or None for shapes compiled per request."""
    shape = _shape(filters)
    compiled = _compiled(using, shape) if shape else None
    if compiled is None:
        return None
    sql, params, slots = compiled
    params = list(params)
    for position, name, index in slots:
        params[position] = getattr(filters, name)[index]
    return sql, params


def _shape(filters):
    """What decides a page's SQL text once its values are taken out, or None."""
    if filters.words or filters.near or filters.updated_since or filters.updated_until:
        return None
    counts = tuple(len(getattr(filters, name) or ()) for name in SLOT_FIELDS)
    return counts + (filters.ordering, filters.offset, filters.limit)


def _marked_filters(shape):
    bbox, categories, tags, threats, ordering, offset, limit = shape
    return EntryFilters(
        bbox=MARKER_BBOX if bbox else None,
        categories=[f"~category~{i}" for i in range(categories)],
        tags=[f"~tag~{i}" for i in range(tags)],
        threats=[f"~threat~{i}" for i in range(threats)],
        ordering=ordering,
        offset=offset,
        limit=limit,
    )


@lru_cache(maxsize=256)
def _compiled(using, shape):
    """(sql, params, slots) of one shape; slots are (position, filters field, index)."""
    marked = _marked_filters(shape)
    sql, params = page_query(marked).query.get_compiler(using).as_sql()
    wanted = {
        value: (name, index)
        for name in SLOT_FIELDS
        for index, value in enumerate(getattr(marked, name) or ())
    }
    slots = [
        (position, *wanted[param])
        for position, param in enumerate(params)
        if isinstance(param, str | float) and param in wanted
    ]
    if {slot[1:] for slot in slots} != set(wanted.values()):
        return None  # a value was transformed on its way into the SQL: no slot to fill
    return sql, tuple(params), tuple(slots)


def dataset_last_modified(using="default"):
    """When any entry last changed (archiving and rejecting included), from the index."""
    sql, params = _last_modified_statement(using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if not row:
        return None
    if connections[using].vendor == "sqlite":
        return _sqlite_datetime(row[0])
    return row[0]


@cache
def _last_modified_statement(using):
    newest = Entry.objects.using(using).order_by("-updated_at").values_list("updated_at")[:1]
    return newest.query.get_compiler(using).as_sql()


def _sqlite_datetime(value):
    """SQLite gives Django's datetimes back naive (in UTC); make one aware, as the ORM would."""
    return value.replace(tzinfo=UTC) if value is not None else None
