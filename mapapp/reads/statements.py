"""The compiled SQL of the API's hot pages, and when the dataset last changed.

Compiling a queryset to SQL costs Django about as much as building the 1,000 features of a
map page, and the map asks for the same few shapes of query over and over — a box, perhaps
some categories, tags or threats, an ordering — with only the values changing. So each shape is
compiled once per process, through the ORM, with marker values in place of the request's; the
positions where the markers land are the statement's slots, and later requests of that shape
fill the slots with their own values. The page's limit and offset are slots too (the ORM writes
them into the SQL text; the markers there become placeholders), so paging never adds a shape
and the bounded cache holds every shape the API can ask for. A shape whose values the ORM
transforms on the way (search words, near, dates) never finds all its markers, and a shape
filtering on threat cases is not compiled: both always go through the ORM instead.
page_statement is the one way in; the rows follow reads.geojson's summary layout either way.
Counts are compiled the same way where they are read from the entries: a city's box is
counted by its page's own statement (a window over the rows it sorts anyway), other counts of
entries by count_statement. Built by the ORM for each request, a city page's count (its rings
and edge strips, reads.clusters) cost more than its features did.
"""

from functools import lru_cache

from django.conf import settings
from django.db import connections
from django.db.models import Count, Window

from mapapp.models import DatasetVersion
from mapapp.reads.clusters import count_matching, counted_from_entries, is_narrow
from mapapp.reads.filters import entries_matching
from mapapp.reads.geojson import (
    COUNTED,
    SUMMARY,
    list_features,
    page_layout,
    run_counted_features,
    run_features,
    values_query,
)
from mapapp.reads.slots import (
    MARKER_LIMIT,
    MARKER_OFFSET,
    filled,
    marked_filters,
    shape_of,
    with_slots,
)

PAGE_SQL = (f" LIMIT {MARKER_LIMIT} OFFSET {MARKER_OFFSET}", " LIMIT %s OFFSET %s")


def page_entries(filters):
    return entries_matching(filters)[filters.offset : filters.offset + filters.limit]


def page_query(filters, *, counted=False):
    """The values query for one page of features, in reads.geojson's page layout; counted,
    each row also carries how many entries match (COUNTED's layout)."""
    if not counted:
        return values_query(page_entries(filters), page_layout(bool(filters.near)))
    entries = entries_matching(filters).annotate(matched=Window(Count("pk")))
    return values_query(entries[filters.offset : filters.offset + filters.limit], COUNTED)


def page_features(filters, using="default"):
    """Features for the page of entries that filters asks for."""
    statement = page_statement(filters, using)
    if statement is None:
        return list_features(page_entries(filters), with_distance=bool(filters.near))
    sql, params = statement
    return run_features(sql, params, SUMMARY, using)


def page_matched(features, filters, count):
    """How many features match: told by a short page without counting, else `count()`."""
    if len(features) == filters.limit or (filters.offset and not features):
        return count()
    return len(features) + filters.offset


def counted_page(filters, using="default"):
    """(features, matched) for the page filters ask for; matched is None for a text search
    matching more than SEARCH_COUNT_LIMIT entries."""
    if not filters.words:
        features, matched = _page_and_count(filters, using)
        if matched is None:
            matched = page_matched(features, filters, lambda: matched_count(filters, using))
        return features, matched
    # A search finds its matches' ids first, at most SEARCH_COUNT_LIMIT + 1 (cheap however many
    # match): how many there are is both the count and how the page is best read. Few are
    # read by id and sorted; many are met soon enough walking the ordering's index.
    entries = entries_matching(filters)
    found = search_matches(entries)
    matched = len(found) if len(found) <= settings.SEARCH_COUNT_LIMIT else None
    if matched is not None and not filters.near:
        entries = entries.among(found)
    page = entries[filters.offset : filters.offset + filters.limit]
    return list_features(page, with_distance=bool(filters.near)), matched


def search_matches(entries):
    """The ids of a text search's matches, at most SEARCH_COUNT_LIMIT + 1 of them."""
    limit = settings.SEARCH_COUNT_LIMIT
    return list(entries.order_by().values_list("pk", flat=True)[: limit + 1])


def bounded_count(filters):
    """(how many entries filters select, whether there are more): counted as the API counts
    (matched_count), and for a text search at most SEARCH_COUNT_LIMIT (then more is True)."""
    if not filters.words:
        return matched_count(filters), False
    found = len(search_matches(entries_matching(filters)))
    limit = settings.SEARCH_COUNT_LIMIT
    return min(found, limit), found > limit


def _page_and_count(filters, using):
    """(features, matched or None): a city's box is counted by its page's own statement,
    which reads every entry in the box to sort them anyway (a second statement would read
    them all again); a wider one's page may stop at its limit and is counted apart."""
    statement = None
    if filters.bbox and is_narrow(filters.bbox):
        statement = filled(_compiled(using, shape_of(filters), counted=True), filters)
    if statement is None:
        return page_features(filters, using), None
    return run_counted_features(*statement, COUNTED, using)


def matched_count(filters, using="default"):
    """How many published entries filters select (no text search). Counted from the entries
    (reads.clusters.counted_from_entries: a city's box, or filters the aggregates are not kept
    by) by a statement compiled once per shape, as the page is; else from the aggregates."""
    statement = count_statement(filters, using) if counted_from_entries(filters) else None
    if statement is None:
        return count_matching(filters)
    with connections[using].cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchone()[0]


def page_statement(filters, using="default"):
    """(sql, params) for the page filters asks for, or None for shapes compiled per request."""
    shape = shape_of(filters)
    return filled(_compiled(using, shape) if shape else None, filters)


def count_statement(filters, using="default"):
    """(sql, params) counting every entry filters select, or None as for page_statement."""
    shape = shape_of(filters)
    return filled(_compiled_count(using, shape) if shape else None, filters)


@lru_cache(maxsize=256)
def _compiled(using, shape, *, counted=False):
    """(sql, params, slots) of one shape's page (counted: with its count, page_query); slots
    are (position, filters field, index or None)."""
    if shape is None:
        return None
    marked = marked_filters(shape)
    sql, params = page_query(marked, counted=counted).query.get_compiler(using).as_sql()
    marked_page, placeholders = PAGE_SQL
    if not sql.endswith(marked_page):
        return None  # the page is not where it is expected: leave the shape to the ORM
    sql = sql.removesuffix(marked_page) + placeholders
    params = (*params, MARKER_LIMIT, MARKER_OFFSET)
    page = {MARKER_LIMIT: ("limit", None), MARKER_OFFSET: ("offset", None)}
    return with_slots(sql, params, marked, page)


@lru_cache(maxsize=256)
def _compiled_count(using, shape):
    """(sql, params, slots) counting one shape's entries: its selection's ids, counted."""
    marked = marked_filters(shape)
    ids = entries_matching(marked).order_by().values("pk")
    sql, params = ids.query.get_compiler(using).as_sql()
    return with_slots(f"SELECT COUNT(*) FROM ({sql}) AS matched", params, marked, {})


def dataset_last_modified(using="default"):
    """When anything the public reads last changed: the time of the data set's version, which
    every public write raises (an edit, an archive, a verification, a visitor's confirmation),
    so a client asking If-Modified-Since is not told an answer is current when it is not."""
    changed = DatasetVersion.objects.using(using).filter(pk=1).values_list("changed_at")
    return next(iter(changed), (None,))[0]
