"""The REST door's query parameters: the shared filters plus its own.

Filters (bbox, category, tag, threat, q, near, radius, updated_since, ordering, the case
filters; for the threats endpoints THREAT_FILTERS) are parsed by
mapapp.reads.filters, the one parser every door uses; this module adds what only the API reads —
limit and offset (a page), format (a download), zoom (the clusters' cell size) — refuses
parameters an endpoint does not take, and turns every problem into DRF's 400
{parameter: [messages]}, all problems of a request at once.
"""

from django.conf import settings
from rest_framework.exceptions import ValidationError

from mapapp.reads.filters import (
    ALIASES,
    CASE_PARAMS,
    FILTER_PARAMS,
    MAX_OFFSET,
    FilterError,
    parse_filters,
    parse_int,
    single,
    unknown_parameters,
)
from mapapp.reads.threats import INTERVALS, THREAT_ALIASES, THREAT_FILTERS

FORMATS = {"geojson", "csv"}
LIST_PARAMS = {*FILTER_PARAMS, "limit", "offset", "format"}
# The threats endpoints take the filters under their names and the aliases (kind, status).
THREAT_NAMES = {
    *THREAT_FILTERS,
    *(a for a, name in THREAT_ALIASES.items() if name in THREAT_FILTERS),
}
THREAT_LIST_PARAMS = {*THREAT_NAMES, "limit", "offset", "format"}
THREAT_STATS_PARAMS = {*THREAT_NAMES, "interval"}
CLUSTER_FILTERS = (
    "bbox",
    "category",
    "tag",
    "threat",
    "q",
    "updated_since",
    "verified_within",
    *CASE_PARAMS,
)
CLUSTER_PARAMS = {*CLUSTER_FILTERS, "zoom"}
# A vector tile is its own box: the clusters' filters without bbox.
TILE_FILTERS = tuple(name for name in CLUSTER_FILTERS if name != "bbox")
MAX_ZOOM = 20


def parse_list_query(query, names=FILTER_PARAMS, aliases=ALIASES, allowed=LIST_PARAMS):
    """(EntryFilters with the page asked for, format) for a list: entries, or with the threat
    names, aliases and parameters, cases."""
    errors = _unknown(query, allowed)
    filters = _filters(query, names, errors, aliases=aliases)
    page = _page(query, errors)
    if errors:
        raise ValidationError(errors)
    filters.limit, filters.offset = page["limit"], page["offset"]
    return filters, page["format"]


def parse_threat_query(query):
    """(EntryFilters with the page asked for, format) for /api/v1/threats/."""
    return parse_list_query(query, THREAT_FILTERS, THREAT_ALIASES, THREAT_LIST_PARAMS)


def parse_stats_query(query):
    """(EntryFilters, interval) for /api/v1/threats/stats/."""
    errors = _unknown(query, THREAT_STATS_PARAMS)
    filters = _filters(query, THREAT_FILTERS, errors, aliases=THREAT_ALIASES)
    interval = "month"
    if "interval" in query:
        try:
            interval = single(query.getlist("interval"), "interval")
            if interval not in INTERVALS:
                raise ValueError(f"Unknown interval {interval!r}. Use {' or '.join(INTERVALS)}.")
        except ValueError as exc:
            errors["interval"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return filters, interval


def parse_cluster_query(query):
    """(EntryFilters, zoom) for the clusters, naming every bad parameter."""
    errors = _unknown(query, CLUSTER_PARAMS)
    filters = _filters(query, CLUSTER_FILTERS, errors)
    if "zoom" not in query:
        errors["zoom"] = [f"zoom (0..{MAX_ZOOM}, the map's zoom level) is required."]
    else:
        try:
            zoom = parse_int(
                single(query.getlist("zoom"), "zoom"), "zoom", minimum=0, maximum=MAX_ZOOM
            )
        except ValueError as exc:
            errors["zoom"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return filters, zoom


def parse_tile_query(query):
    """EntryFilters for a vector tile (or its TileJSON), naming every bad parameter."""
    errors = _unknown(query, set(TILE_FILTERS))
    filters = _filters(query, TILE_FILTERS, errors)
    if errors:
        raise ValidationError(errors)
    return filters


def refuse_parameters(query):
    """For endpoints that take no query parameters at all."""
    if errors := _unknown(query, set()):
        raise ValidationError(errors)


def _unknown(query, allowed):
    problem = unknown_parameters(query, allowed)
    return {"unknown": [problem]} if problem else {}


def _page(query, errors):
    """limit, offset and format, defaulted; problems added to errors."""
    page = {"limit": settings.API_DEFAULT_LIMIT, "offset": 0, "format": "json"}
    for name, parse in PAGE_PARSERS.items():
        if name in query:
            try:
                page[name] = parse(single(query.getlist(name), name))
            except ValueError as exc:
                errors[name] = [str(exc)]
    return page


def _filters(query, names, errors, aliases=ALIASES):
    try:
        return parse_filters(query, names=names, aliases=aliases)
    except FilterError as exc:
        errors.update(exc.errors)
        return None


def _limit(text):
    return parse_int(text, "limit", minimum=1, maximum=settings.API_MAX_LIMIT)


def _offset(text):
    return parse_int(text, "offset", minimum=0, maximum=MAX_OFFSET)


def _format(text):
    if text not in FORMATS | {"json"}:
        raise ValueError(f"Unknown format {text!r}. Use geojson or csv.")
    return text


PAGE_PARSERS = {"limit": _limit, "offset": _offset, "format": _format}
