"""OpenAPI descriptions of /api/v1/threats/ and the case and event writes: the filters as
parameters (their enums from the choices), the case features, the stats, the write answers.
Request bodies come from the serializers (CASE_FIELDS, EVENT_FIELDS)."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from mapapp.api.docs import (
    AUTH_ERRORS,
    BODY_ERRORS,
    DETAIL_ERROR,
    ENTRY_LIST,
    ERRORS,
    NOT_MODIFIED,
    EntryBodyIsClosed,
    _param,
    case_parameters,
)
from mapapp.api.write import CaseWriteSerializer, ClosedBody, EventWriteSerializer
from mapapp.models import ThreatCase
from mapapp.reads.threat_schema import CASE_COLLECTION, CASE_DETAIL_FEATURE, EVENT
from mapapp.reads.threats import CASE_PUBLIC_FIELDS, INTERVALS
from mapapp.web.features import GEOJSON


class CaseBodyIsClosed(EntryBodyIsClosed):
    """Case and event bodies refuse fields they do not list, like the entry's."""

    target_class = ClosedBody
    match_subclasses = True


def _shared(name):
    return next(p for p in ENTRY_LIST["parameters"] if p.name == name)


FILTERS = [_shared("bbox"), _shared("category"), *case_parameters("kind", "status")]
PAGE = [p for p in ENTRY_LIST["parameters"] if p.name in {"limit", "offset", "format"}]
NOT_FOUND = {(404, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No such case.")}

THREAT_LIST = {
    "auth": [],
    "operation_id": "threats_list",
    "summary": "Public threat cases as a GeoJSON FeatureCollection, soonest deadline first",
    "description": (
        "Each case is a Feature at its entry's public point (never an exact location that is "
        "withheld), with the case's public fields, its entry, its next deadline and its number "
        "of events. Filters combine (AND); kind and status match any of their values; bbox and "
        "category apply to the entry. Paged with limit/offset (limit defaults to "
        f"{settings.API_DEFAULT_LIMIT}); format=csv or format=geojson downloads every match, "
        "dates in ISO 8601."
    ),
    "parameters": [*FILTERS, *PAGE],
    "responses": {
        (200, GEOJSON): OpenApiResponse(
            CASE_COLLECTION, description="A page of cases, or a GeoJSON download."
        ),
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description="format=csv: one row per case, next deadline flattened."
        ),
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["threats"],
}
THREAT_DETAIL = {
    "auth": [],
    "operation_id": "threats_retrieve",
    "summary": "One public threat case, with its accepted events and every deadline",
    "responses": {
        (200, GEOJSON): OpenApiResponse(CASE_DETAIL_FEATURE),
        **NOT_MODIFIED,
        **NOT_FOUND,
        **ERRORS,
    },
    "tags": ["threats"],
}
THREAT_EVENTS = {
    "auth": [],
    "operation_id": "threats_events_list",
    "summary": "The accepted events of a public threat case, oldest first",
    "responses": {
        (200, "application/json"): {"type": "array", "items": EVENT},
        **NOT_MODIFIED,
        **NOT_FOUND,
        **ERRORS,
    },
    "tags": ["threats"],
}
THREAT_EVENT_DETAIL = {
    "auth": [],
    "operation_id": "threats_events_retrieve",
    "summary": "One accepted event of a public threat case",
    "responses": {
        (200, "application/json"): {
            **EVENT,
            "properties": {**EVENT["properties"], "case": {"type": "integer"}},
        },
        **NOT_MODIFIED,
        **NOT_FOUND,
        **ERRORS,
    },
    "tags": ["threats"],
}
PERIOD = {
    "type": "object",
    "required": ["period", "opened", "saved", "lost", "withdrawn", "events"],
    "properties": {
        "period": {
            "type": "string",
            "description": 'ISO 8601: "2026-11" for a month, "2026" for a year.',
            "pattern": r"^\d{4}(-\d{2})?$",
        },
        **{
            name: {"type": "integer", "minimum": 0}
            for name in ("opened", "saved", "lost", "withdrawn", "events")
        },
    },
}
THREAT_STATS = {
    "auth": [],
    "operation_id": "threats_stats",
    "summary": "Cases opened, saved, lost and withdrawn, and events, per month or year",
    "description": (
        "Periods with something in them, oldest first: a case counts in the period it opened "
        "and in the one it closed; events in the period they are dated (up to today)."
    ),
    "parameters": [
        _param("interval", "month (default) or year.", enum=list(INTERVALS)),
        *FILTERS,
    ],
    "responses": {
        (200, "application/json"): {"type": "array", "items": PERIOD},
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["threats"],
}

CASE_WRITTEN = {
    "type": "object",
    "description": "The case as saved; review says whether it awaits a moderator.",
    "required": ["id", "case", "review"],
    "properties": {
        "id": {"type": "integer"},
        "case": {"type": "integer"},
        "review": {"type": "string", "enum": list(ThreatCase.Review.values)},
        "entry": {"type": "string"},
        "version": {"type": "integer", "minimum": 1, "description": "If-Match for the next edit"},
        **{name: {"nullable": True} for name in CASE_PUBLIC_FIELDS},
    },
}
EVENT_WRITTEN = {
    **EVENT,
    "required": ["id", "case", "review"],
    "properties": {
        **EVENT["properties"],
        "case": {"type": "integer"},
        "review": {"type": "string", "enum": list(ThreatCase.Review.values)},
    },
}


def _written(schema, what):
    return {
        (201, "application/json"): OpenApiResponse(schema, description=f"{what}, public now."),
        (202, "application/json"): OpenApiResponse(
            schema, description=f"{what}, pending a moderator's review."
        ),
    }


CASE_CREATE = {
    "operation_id": "entries_cases_create",
    "summary": "Open a threat case on an entry (public at once for its owner, trusted "
    "contributors and moderators; anyone else's waits for review)",
    "request": {"application/json": CaseWriteSerializer},
    "responses": {
        **_written(CASE_WRITTEN, "The case"),
        **BODY_ERRORS,
        **AUTH_ERRORS,
        (404, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No such entry."),
    },
    "examples": [
        OpenApiExample(
            "a library closure",
            {"title": "Library to close", "kind": "closure", "opened_on": "2026-10-01"},
            request_only=True,
        )
    ],
    "tags": ["threats"],
}
THREAT_PATCH = {
    "operation_id": "threats_partial_update",
    "summary": "Change a case, its status included (the entry's owner, trusted contributors "
    "and moderators), guarded by If-Match",
    "parameters": [
        OpenApiParameter(
            "If-Match",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=True,
            description="The case's ETag from GET /api/v1/threats/{id}/ (or its version). "
            "A stale one gets 412; one naming no version gets 400.",
        )
    ],
    "request": {"application/json": CaseWriteSerializer},
    "responses": {
        (200, "application/json"): OpenApiResponse(CASE_WRITTEN, description="The case as saved."),
        **BODY_ERRORS,
        **AUTH_ERRORS,
        **NOT_FOUND,
        (412, "application/json"): OpenApiResponse(DETAIL_ERROR, description="Stale version."),
        (428, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No If-Match."),
    },
    "tags": ["threats"],
}
EVENT_CREATE = {
    "operation_id": "threats_events_create",
    "summary": "Add a dated, sourced event to a case (others' events wait for review)",
    "request": {"application/json": EventWriteSerializer},
    "responses": {
        **_written(EVENT_WRITTEN, "The event"),
        **BODY_ERRORS,
        **AUTH_ERRORS,
        **NOT_FOUND,
    },
    "tags": ["threats"],
}
