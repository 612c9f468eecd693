"""OpenAPI description of /ogc/ (OGC API - Features), added to the schema drf-spectacular builds.

The OGC endpoints are plain Django views, which drf-spectacular does not see; this
post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds their paths so the
landing page's `service-desc` link describes the whole service.
"""

from django.conf import settings

from mapapp.models import ThreatCase
from mapapp.ogc.views import COLLECTION_ID, CRS84, GEOJSON, JSON, THREATS_ID
from mapapp.reads.filters import (
    MAX_DEADLINE_DAYS,
    MAX_OFFSET,
    MAX_Q_LENGTH,
    MAX_VERIFIED_DAYS,
    VERIFIED_WITHIN_HELP,
)
from mapapp.reads.schema import DETAIL_FEATURE, LINK, SUMMARY_FEATURE, collection_schema
from mapapp.reads.threat_schema import CASE_COLLECTION, CASE_FEATURE

REF = "#/components/schemas/"
EXCEPTION = {
    "type": "object",
    "description": "OGC API's exception document.",
    "required": ["code"],
    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
}
LINKS = {"type": "array", "items": LINK}
COLLECTION = {
    "type": "object",
    "required": ["id", "links"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}},
        "extent": {"type": "object"},
        "links": LINKS,
    },
}
ITEMS = collection_schema(SUMMARY_FEATURE, links=LINKS, stamped=True)
SCHEMAS = {
    "OgcException": EXCEPTION,
    "OgcLandingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": LINKS,
        },
    },
    "OgcConformance": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "OgcCollections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {"links": LINKS, "collections": {"type": "array", "items": COLLECTION}},
    },
    "OgcCollection": COLLECTION,
    "OgcFeatureCollection": ITEMS,
    "OgcFeature": DETAIL_FEATURE,
    "OgcThreatFeatureCollection": CASE_COLLECTION,
    "OgcThreatFeature": {
        **CASE_FEATURE,
        "properties": {**CASE_FEATURE["properties"], "links": LINKS},
    },
}


def _query(name, description, schema, **extra):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}  # fmt: skip


def _path(name, description, schema):
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema}  # fmt: skip


F_JSON = _query("f", "Output format.", {"type": "string", "enum": ["json"]})
F_GEOJSON = _query("f", "Output format.", {"type": "string", "enum": ["json", "geojson"]})
COLLECTION_ID_PARAM = _path(
    "collectionId", "The collection: entries.", {"type": "string", "enum": [COLLECTION_ID]}
)
SLUGS = {"type": "array", "items": {"type": "string"}}
ITEM_PARAMETERS = [
    COLLECTION_ID_PARAM,
    _query(
        "bbox",
        "minLon,minLat,maxLon,maxLat (CRS84); entries whose public point lies inside.",
        {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    _query("bbox-crs", "The CRS of bbox: only CRS84.", {"type": "string", "enum": [CRS84]}),
    _query(
        "datetime",
        "An instant or an interval (`start/end`, either end `..`) on the last update.",
        {"type": "string"},
    ),
    _query(
        "category",
        "Category slugs, comma-separated: entries in any of them.",
        SLUGS,
        style="form",
        explode=False,
    ),
    _query(
        "tag",
        "Tag slugs, comma-separated: entries with any of them.",
        SLUGS,
        style="form",
        explode=False,
    ),
    _query(
        "threat",
        "none, at_risk or lost, comma-separated: entries with any of them.",
        SLUGS,
        style="form",
        explode=False,
    ),
    _query(
        "q",
        "Words that must all match (as word prefixes) in the entry's text.",
        {"type": "string", "minLength": 1, "maxLength": MAX_Q_LENGTH},
    ),
    _query(
        "verified_within",
        VERIFIED_WITHIN_HELP,
        {"type": "integer", "minimum": 1, "maximum": MAX_VERIFIED_DAYS},
    ),
    _query(
        "limit",
        f"Page size (default {settings.API_DEFAULT_LIMIT}); above {settings.API_MAX_LIMIT} "
        "it is lowered to that.",
        {"type": "integer", "minimum": 1, "maximum": MAX_OFFSET},
    ),
    _query(
        "offset",
        "Index of the first item.",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
    ),
    F_GEOJSON,
]


THREAT_PAGE = [
    p for p in ITEM_PARAMETERS if p["name"] in {"bbox", "bbox-crs", "limit", "offset", "f"}
]
THREAT_ITEM_PARAMETERS = [
    *THREAT_PAGE[:2],
    _query(
        "category",
        "Category slugs, comma-separated: cases of entries in any of them.",
        SLUGS,
        style="form",
        explode=False,
    ),
    _query(
        "kind",
        f"{', '.join(ThreatCase.Kind.values)}, comma-separated: cases of any of them "
        "(also as case_kind).",
        {"type": "array", "items": {"type": "string", "enum": list(ThreatCase.Kind.values)}},
        style="form",
        explode=False,
    ),
    _query(
        "deadline_within",
        "Cases with a deadline from today to this many days ahead.",
        {"type": "integer", "minimum": 0, "maximum": MAX_DEADLINE_DAYS},
    ),
    _query(
        "deadline_before",
        "Cases with a deadline from today up to this date; not with deadline_within.",
        {"type": "string", "format": "date"},
    ),
    *THREAT_PAGE[2:],
]


def _json(schema):
    return {"content": {JSON: {"schema": {"$ref": REF + schema}}}}


def _answer(description, content_type, schema):
    return {
        "description": description,
        "content": {content_type: {"schema": {"$ref": REF + schema}}},
    }


ERROR_400 = {"400": {"description": "A parameter is wrong; the description says which.",
                     **_json("OgcException")}}  # fmt: skip
ERROR_404 = {"404": {"description": "No such collection or item.", **_json("OgcException")}}
NOT_MODIFIED = {"304": {"description": "Not modified (ETag or Last-Modified matched)."}}


def _get(operation_id, summary, parameters, responses):
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["ogc"],
            "parameters": parameters,
            "responses": responses,
        }
    }


PATHS = {
    "/ogc/": _get(
        "ogc_landing",
        "OGC API - Features landing page: links to the API definition, conformance and data",
        [F_JSON],
        {"200": _answer("The landing page.", JSON, "OgcLandingPage"), **ERROR_400},
    ),
    "/ogc/conformance": _get(
        "ogc_conformance",
        "The conformance classes this service implements",
        [F_JSON],
        {"200": _answer("Conformance classes.", JSON, "OgcConformance"), **ERROR_400},
    ),
    "/ogc/collections": _get(
        "ogc_collections",
        "The feature collections: entries and threats",
        [F_JSON],
        {"200": _answer("The collections.", JSON, "OgcCollections"), **ERROR_400},
    ),
    "/ogc/collections/{collectionId}": _get(
        "ogc_collection",
        "One collection, with its extent",
        [COLLECTION_ID_PARAM, F_JSON],
        {"200": _answer("The collection.", JSON, "OgcCollection"), **ERROR_400, **ERROR_404},
    ),
    "/ogc/collections/{collectionId}/items": _get(
        "ogc_items",
        "Published entries as GeoJSON features, paged with next/prev links",
        ITEM_PARAMETERS,
        {
            "200": _answer("A page of features.", GEOJSON, "OgcFeatureCollection"),
            **NOT_MODIFIED,
            **ERROR_400,
            **ERROR_404,
        },
    ),
    "/ogc/collections/{collectionId}/items/{featureId}": _get(
        "ogc_item",
        "One published entry as a GeoJSON feature",
        [
            COLLECTION_ID_PARAM,
            _path("featureId", "The entry's id (its slug).", {"type": "string"}),
            F_GEOJSON,
        ],  # fmt: skip
        {
            "200": _answer("The feature.", GEOJSON, "OgcFeature"),
            **NOT_MODIFIED,
            **ERROR_400,
            **ERROR_404,
        },
    ),
    f"/ogc/collections/{THREATS_ID}": _get(
        "ogc_threats_collection",
        "The collection of active threat cases, with its extent",
        [F_JSON],
        {"200": _answer("The collection.", JSON, "OgcCollection"), **ERROR_400},
    ),
    f"/ogc/collections/{THREATS_ID}/items": _get(
        "ogc_threats_items",
        "Active threat cases at their entries' public points, soonest deadline first",
        THREAT_ITEM_PARAMETERS,
        {
            "200": _answer("A page of cases.", GEOJSON, "OgcThreatFeatureCollection"),
            **NOT_MODIFIED,
            **ERROR_400,
        },
    ),
    f"/ogc/collections/{THREATS_ID}/items/{{featureId}}": _get(
        "ogc_threats_item",
        "One active threat case as a GeoJSON feature",
        [_path("featureId", "The case's id.", {"type": "string"}), F_GEOJSON],
        {
            "200": _answer("The feature.", GEOJSON, "OgcThreatFeature"),
            **NOT_MODIFIED,
            **ERROR_400,
            **ERROR_404,
        },
    ),
}


def add_ogc_paths(result, generator, request, public):
    """drf-spectacular post-processing hook: describe /ogc/ in the same document."""
    result.setdefault("paths", {}).update(PATHS)
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    result.setdefault("tags", []).append(
        {"name": "ogc", "description": "OGC API - Features (Part 1: Core, GeoJSON) under /ogc/."}
    )
    return result
