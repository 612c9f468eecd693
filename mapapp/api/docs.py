"""OpenAPI descriptions of the public API that drf-spectacular cannot derive: query
parameters, GeoJSON response bodies and errors. Request bodies come from the serializers."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from mapapp.api.params import CLUSTER_PARAMS, MAX_ZOOM, TILE_FILTERS
from mapapp.api.write import EntryWriteSerializer, ReportSerializer
from mapapp.grid import CELLS_PER_TILE
from mapapp.models import Entry, ThreatCase
from mapapp.reads.filters import (
    MAX_DEADLINE_DAYS,
    MAX_OFFSET,
    MAX_Q_LENGTH,
    MAX_RADIUS_METRES,
    MAX_VERIFIED_DAYS,
    ORDERINGS,
    VERIFIED_WITHIN_HELP,
)
from mapapp.reads.schema import (
    DETAIL_FEATURE,
    PAGES,
    POINT,
    SUMMARY_FEATURE,
    collection_schema,
)
from mapapp.web.features import GEOJSON

Q = OpenApiParameter.QUERY


def _param(name, description, type=OpenApiTypes.STR, required=False, **extra):
    return OpenApiParameter(name, type, Q, required=required, description=description, **extra)


def case_parameters(kind="case_kind", status="case_status"):
    """The filters on threat cases, under the names a door gives them (enums from the
    choices): the entries' (case_kind, case_status) or the threats' own (kind, status)."""
    other = {"case_kind": "kind", "kind": "case_kind", "case_status": "status",
             "status": "case_status"}  # fmt: skip

    def choices(name, what, values):
        return _param(
            name,
            f"{what} (also as {other[name]}): {', '.join(values)}; repeat or comma-separate.",
            enum=list(values),
            many=True,
            explode=True,
        )

    return [
        choices(kind, "A threat case's kind", ThreatCase.Kind.values),
        choices(status, "A threat case's status", ThreatCase.Status.values),
        _param(
            "deadline_within",
            "An active case with a deadline from today to this many days ahead "
            f"(0..{MAX_DEADLINE_DAYS}).",
            {"type": "integer", "minimum": 0, "maximum": MAX_DEADLINE_DAYS},
        ),
        _param(
            "deadline_before",
            "An active case with a deadline from today up to this date (YYYY-MM-DD, at most "
            f"{MAX_DEADLINE_DAYS} days ahead); not with deadline_within.",
            OpenApiTypes.DATE,
        ),
    ]


COLLECTION = collection_schema(SUMMARY_FEATURE, description=PAGES)
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
    (401, "application/json"): OpenApiResponse(
        DETAIL_ERROR, description="An Authorization header was sent with an invalid token."
    ),
}
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified (ETag or Last-Modified matched).")}

ENTRY_LIST = {
    "auth": [],  # readable by anyone; no token needed
    "operation_id": "entries_list",
    "summary": "Published entries as a GeoJSON FeatureCollection",
    "description": (
        "Filters combine (AND); repeatable filters (category, tag, threat) match any of their "
        "values. The case filters (case_kind, case_status, deadline_within, deadline_before) "
        "select entries with a public threat case matching all of them. "
        "Results are paginated with limit/offset; `links` carries `next` and `prev`. "
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
            "threat",
            f"{', '.join(Entry.Threat.values)}; repeat or comma-separate.",
            enum=list(Entry.Threat.values),
            many=True,
            explode=True,
        ),
        _param(
            "q",
            "Words to search for in name, summary, description, tags and locality; "
            "every word must match (as a word prefix).",
            {"type": "string", "minLength": 1, "maxLength": MAX_Q_LENGTH},
        ),
        _param("near", "lon,lat: entries within `radius` metres, nearest first."),
        _param(
            "radius",
            f"Metres around `near` (required with near, at most {MAX_RADIUS_METRES}).",
            {
                "type": "number",
                "exclusiveMinimum": True,
                "minimum": 0,
                "maximum": MAX_RADIUS_METRES,
            },
        ),
        _param(
            "updated_since",
            "ISO 8601 date or date-time; naive values are UTC.",
            OpenApiTypes.DATETIME,
        ),
        _param(
            "verified_within",
            VERIFIED_WITHIN_HELP,
            {"type": "integer", "minimum": 1, "maximum": MAX_VERIFIED_DAYS},
        ),
        _param(
            "ordering",
            f"{', '.join(ORDERINGS)} (distance only with near).",
            enum=list(ORDERINGS),
        ),
        _param(
            "limit",
            f"Page size, 1..{settings.API_MAX_LIMIT} (default {settings.API_DEFAULT_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_LIMIT},
        ),
        _param(
            "offset",
            "Index of the first entry of the page.",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
        ),
        _param("format", "csv or geojson for a full streamed download.", enum=["geojson", "csv"]),
        *case_parameters(),
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
CLUSTER_FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "geometry": POINT,
        "properties": {
            "type": "object",
            "required": ["count", "bbox"],
            "properties": {
                "count": {"type": "integer", "minimum": 1},
                "bbox": {
                    "type": "array",
                    "description": "minLon,minLat,maxLon,maxLat of the cell's entries.",
                    "items": {"type": "number"},
                    "minItems": 4,
                    "maxItems": 4,
                },
            },
        },
    },
}
CLUSTER_LIST = {
    "auth": [],  # readable by anyone; no token needed
    "operation_id": "clusters_list",
    "summary": "Published entries counted per grid cell, for maps zoomed out",
    "description": (
        "Entries matching the filters are counted per square cell of a grid that cuts each "
        f"map tile at `zoom` into {CELLS_PER_TILE}×{CELLS_PER_TILE} cells "
        f"(360 / 2^zoom / {CELLS_PER_TILE} degrees, given back as cellDegrees). Each cell is a "
        "Point at the mean position of its entries' public points, with their count and extent. "
        f"At most {settings.API_MAX_LIMIT} cells: a larger answer is refused with a 400."
    ),
    "parameters": [
        _param(
            "zoom",
            f"The map's zoom level, 0..{MAX_ZOOM} (required).",
            {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM},
            required=True,
        ),
        *[p for p in ENTRY_LIST["parameters"] if p.name in CLUSTER_PARAMS],
    ],
    "responses": {
        (200, GEOJSON): OpenApiResponse(
            {
                "type": "object",
                "required": ["type", "numberMatched", "cellDegrees", "features"],
                "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "numberMatched": {"type": "integer", "minimum": 0},
                    "cellDegrees": {"type": "number"},
                    "features": {"type": "array", "items": CLUSTER_FEATURE},
                },
            },
            description="One feature per non-empty cell.",
        ),
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["entries"],
}
TILE_PARAMETERS = [p for p in ENTRY_LIST["parameters"] if p.name in TILE_FILTERS]
TILE = {
    "auth": [],
    "operation_id": "tiles_retrieve",
    "summary": "A vector tile (Mapbox Vector Tile) of the published entries",
    "description": (
        "Tile z/x/y of the Web Mercator grid. Below zoom 12 its layer `clusters` holds the "
        "entries counted per cell (count, and the extent west, south, east, north of their "
        "public points), cut by the tile, so the counts of a tile add up to the entries in it; "
        "from zoom 12 its layer `entries` holds each entry's public point with its slug, name, "
        "category, threat and precision. Takes the clusters' filters except bbox. An empty tile "
        "is an empty body. The ETag is known before the tile is made: send it back as "
        "If-None-Match for a 304."
    ),
    "parameters": [
        OpenApiParameter(
            "z",
            {"type": "integer", "minimum": 0, "maximum": 20},
            OpenApiParameter.PATH,
            required=True,
            description="Zoom, 0..20.",
        ),
        OpenApiParameter(
            "x",
            {"type": "integer", "minimum": 0},
            OpenApiParameter.PATH,
            required=True,
            description="Column, 0..2^z-1.",
        ),
        OpenApiParameter(
            "y",
            {"type": "integer", "minimum": 0},
            OpenApiParameter.PATH,
            required=True,
            description="Row from the north, 0..2^z-1.",
        ),
        *TILE_PARAMETERS,
    ],
    "responses": {
        (200, "application/vnd.mapbox-vector-tile"): OpenApiResponse(
            {"type": "string", "format": "binary"}, description="The tile."
        ),
        (404, "application/json"): OpenApiResponse(
            DETAIL_ERROR, description="Not a tile address: z, x and y are whole numbers."
        ),
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["entries"],
}
TILEJSON = {
    "auth": [],
    "operation_id": "tiles_tilejson",
    "summary": "TileJSON 3.0.0 describing the entries' vector tiles",
    "description": (
        "The tile URL template (carrying the filters given here), zooms, bounds and layers."
    ),
    "parameters": TILE_PARAMETERS,
    "responses": {
        (200, "application/json"): OpenApiResponse(
            {
                "type": "object",
                "required": ["tilejson", "tiles", "vector_layers"],
                "properties": {
                    "tilejson": {"type": "string"},
                    "tiles": {"type": "array", "items": {"type": "string"}},
                    "vector_layers": {"type": "array", "items": {"type": "object"}},
                },
            },
            description="The TileJSON document.",
        ),
        **ERRORS,
    },
    "tags": ["entries"],
}
ENTRY_DETAIL = {
    "auth": [],  # readable by anyone; no token needed
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
    "auth": [],  # readable by anyone; no token needed
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
    "auth": [],  # readable by anyone; no token needed
    "operation_id": "tags_list",
    "summary": "Tags used by published entries, with counts",
    "responses": {
        (200, "application/json"): {"type": "array", "items": TAG},
        **NOT_MODIFIED,
        **ERRORS,
    },
    "tags": ["tags"],
}

# Write API: the request bodies are the serializers' (fields, limits and enums derived from
# the model by drf-spectacular); the responses are written here.
ENTRY_BODY = {"application/json": EntryWriteSerializer, GEOJSON: EntryWriteSerializer}


class EntryBodyIsClosed(OpenApiSerializerExtension):
    """The one thing the entry body's schema cannot derive: a field it does not list is
    refused (a 400 naming it), so the schema says no other properties."""

    target_class = EntryWriteSerializer

    def map_serializer(self, auto_schema, direction):
        # self.target, not the class: a PATCH body is the partial serializer (none required).
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


WRITTEN_FEATURE = {
    **DETAIL_FEATURE,
    "description": "The entry as saved; properties.status says whether it awaits review.",
}
AUTH_ERRORS = {
    (401, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No or a bad token."),
    (403, "application/json"): OpenApiResponse(DETAIL_ERROR, description="Not allowed."),
    (413, "application/json"): OpenApiResponse(DETAIL_ERROR, description="Body too large."),
}
BODY_ERRORS = {
    (400, "application/json"): OpenApiResponse(
        PARAMETER_ERRORS, description="A field is missing or wrong; the body names it."
    ),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The entry's ETag from a GET (or its version number). A stale one gets 412; "
        "one naming no version gets 400."
    ),
)
ENTRY_CREATE = {
    "operation_id": "entries_create",
    "summary": "Add an entry (pending review, or published at once for trusted contributors)",
    "request": ENTRY_BODY,
    "responses": {(201, GEOJSON): OpenApiResponse(WRITTEN_FEATURE), **BODY_ERRORS, **AUTH_ERRORS},
    "tags": ["entries"],
}
ENTRY_PATCH = {
    "operation_id": "entries_partial_update",
    "summary": "Change an entry (its owner or a moderator), guarded by If-Match",
    "parameters": [IF_MATCH],
    # A PATCH body is the same fields, none required (drf-spectacular's Patched… component).
    "request": ENTRY_BODY,
    "responses": {
        (200, GEOJSON): OpenApiResponse(WRITTEN_FEATURE),
        **BODY_ERRORS,
        **AUTH_ERRORS,
        (404, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No such entry."),
        (412, "application/json"): OpenApiResponse(DETAIL_ERROR, description="Stale version."),
        (428, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No If-Match."),
    },
    "tags": ["entries"],
}
ENTRY_DELETE = {
    "operation_id": "entries_destroy",
    "summary": "Archive an entry (moderators); nothing is ever deleted",
    "responses": {
        204: OpenApiResponse(description="Archived."),
        **BODY_ERRORS,
        **AUTH_ERRORS,
        (404, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No such entry."),
    },
    "tags": ["entries"],
}
REPORT_CREATE = {
    # A token is optional: anonymous reports are accepted (and rate limited).
    "auth": [{"tokenAuth": []}, {}],
    "operation_id": "entries_reports_create",
    "summary": "Report a problem with an entry (anonymous allowed, rate limited)",
    "request": {"application/json": ReportSerializer},
    "responses": {
        (201, "application/json"): {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "entry": {"type": "string"},
                "kind": {"type": "string"},
                "status": {"type": "string"},
            },
        },
        **BODY_ERRORS,
        **AUTH_ERRORS,
        (404, "application/json"): OpenApiResponse(DETAIL_ERROR, description="No such entry."),
        (429, "application/json"): OpenApiResponse(DETAIL_ERROR, description="Too many reports."),
    },
    "tags": ["reports"],
}
