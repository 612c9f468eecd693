"""OpenAPI descriptions of the public API: parameters, response bodies and errors."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

GEOJSON = "application/geo+json"
Q = OpenApiParameter.QUERY


def _param(name, description, type=OpenApiTypes.STR, **extra):
    return OpenApiParameter(name, type, Q, required=False, description=description, **extra)


LINK = {
    "type": "object",
    "required": ["rel", "href"],
    "properties": {
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "href": {"type": "string", "format": "uri"},
    },
}
POINT = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
            "description": "[longitude, latitude], EPSG:4326",
        },
    },
}
NULLABLE_DATETIME = {"type": "string", "format": "date-time", "nullable": True}
SUMMARY_PROPERTIES = {
    "slug": {"type": "string"},
    "name": {"type": "string"},
    "category": {"type": "string", "description": "category slug"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "summary": {"type": "string"},
    "locality": {"type": "string"},
    "threat": {"type": "string", "enum": ["none", "at_risk", "lost"]},
    "precision": {
        "type": "string",
        "enum": ["exact", "approximate", "area"],
        "description": "approximate and area entries are shown at a derived public point",
    },
    "updated": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "description": "path of the entry's public page"},
    "distance": {"type": "number", "description": "metres from `near` (only with near)"},
}
SUMMARY_FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": POINT,
        "properties": {"type": "object", "properties": SUMMARY_PROPERTIES},
    },
}
DETAIL_FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": POINT,
        "links": {"type": "array", "items": LINK},
        "properties": {
            "type": "object",
            "properties": {
                **SUMMARY_PROPERTIES,
                **{
                    name: {"type": "string"}
                    for name in (
                        "category_name",
                        "description",
                        "address",
                        "postcode",
                        "website",
                        "email",
                        "phone",
                        "opening_times",
                        "threat_note",
                        "licence",
                        "source",
                    )
                },
                "published": NULLABLE_DATETIME,
            },
        },
    },
}
COLLECTION = {
    "type": "object",
    "description": "Pages carry numberMatched, numberReturned and links; downloads only features.",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
        "links": {"type": "array", "items": LINK},
        "features": {"type": "array", "items": SUMMARY_FEATURE},
    },
}
PARAMETER_ERRORS = {
    "type": "object",
    "description": (
        "Each key names a query parameter (or `unknown`, `query`, `path`); its messages say "
        "what is wrong."
    ),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}

ERRORS = {
    (400, "application/json"): OpenApiResponse(
        PARAMETER_ERRORS,
        description="A query parameter is malformed; the body names it.",
        examples=[
            OpenApiExample("bad bbox", {"bbox": ["bbox needs 4 comma-separated numbers, got 3."]})
        ],
    ),
    (429, "application/json"): OpenApiResponse(
        DETAIL_ERROR, description="Too many requests; wait for the seconds in Retry-After."
    ),
}
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified (ETag or Last-Modified matched).")}

ENTRY_LIST = {
    "operation_id": "entries_list",
    "summary": "Published entries as a GeoJSON FeatureCollection",
    "description": (
        "Filters combine (AND); repeatable filters (category, tag, threat) match any of their "
        "values. Results are paginated with limit/offset; `links` carries `next` and `prev`. "
        f"limit defaults to {settings.API_DEFAULT_LIMIT} and may be at most "
        f"{settings.API_MAX_LIMIT}. With format=csv or format=geojson the response is a "
        "streamed download of every matching entry (limit/offset are ignored)."
    ),
    "parameters": [
        _param(
            "bbox",
            "minLon,minLat,maxLon,maxLat (EPSG:4326).",
            examples=[OpenApiExample("Bristol", value="-2.65,51.42,-2.53,51.49")],
        ),
        _param(
            "category",
            "Category slug; repeat or comma-separate for several.",
            many=True,
            explode=True,
        ),
        _param("tag", "Tag slug; repeat or comma-separate for several.", many=True, explode=True),
        _param(
            "threat", "none, at_risk or lost; repeat or comma-separate.", many=True, explode=True
        ),
        _param(
            "q",
            "Words to search for in name, summary, description, tags and locality; "
            "every word must match (as a word prefix).",
            {"type": "string", "minLength": 1, "maxLength": 200},
        ),
        _param("near", "lon,lat: entries within `radius` metres, nearest first."),
        _param(
            "radius",
            "Metres around `near` (required with near, at most 200000).",
            {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 200000},
        ),
        _param(
            "updated_since",
            "ISO 8601 date or date-time; naive values are UTC.",
            OpenApiTypes.DATETIME,
        ),
        _param(
            "ordering",
            "name, -name, updated, -updated or distance (with near).",
            enum=["name", "-name", "updated", "-updated", "distance"],
        ),
        _param(
            "limit",
            f"Page size, 1..{settings.API_MAX_LIMIT} (default {settings.API_DEFAULT_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_LIMIT},
        ),
        _param(
            "offset",
            "Index of the first entry of the page.",
            {"type": "integer", "minimum": 0, "maximum": 10**9},
        ),
        _param("format", "csv or geojson for a full streamed download.", enum=["geojson", "csv"]),
    ],
    "responses": {
        (200, GEOJSON): OpenApiResponse(
            COLLECTION, description="A page of features, or a GeoJSON download with format=geojson."
        ),
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR,
            description="format=csv download: one row per entry with longitude and latitude.",
        ),
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["entries"],
}
ENTRY_DETAIL = {
    "operation_id": "entries_retrieve",
    "summary": "One published entry as a GeoJSON Feature",
    "responses": {
        (200, GEOJSON): OpenApiResponse(DETAIL_FEATURE),
        **NOT_MODIFIED,
        (404, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No such entry."),
        **ERRORS,
    },
    "tags": ["entries"],
}
CATEGORY = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "icon": {"type": "string"},
        "order": {"type": "integer"},
        "entry_count": {"type": "integer", "description": "published entries"},
    },
}
TAG = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "entry_count": {"type": "integer"},
    },
}
CATEGORY_LIST = {
    "operation_id": "categories_list",
    "summary": "Categories, in display order, with their published entry counts",
    "responses": {
        (200, "application/json"): {"type": "array", "items": CATEGORY},
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["categories"],
}
TAG_LIST = {
    "operation_id": "tags_list",
    "summary": "Tags used by published entries, with counts",
    "responses": {
        (200, "application/json"): {"type": "array", "items": TAG},
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["tags"],
}
