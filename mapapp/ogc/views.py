"""OGC API - Features (Part 1: Core, GeoJSON) for published entries, under /ogc/, and a
second collection, `threats`: active threat cases at their entries' public points.

GIS clients such as QGIS and GDAL's OAPIF driver read Commons Map through these endpoints.
Items take the shared filters (mapapp.reads.filters parses them as for the list and the API):
bbox, datetime (an interval on the last update), and category, tag, threat and q as further
parameters on the feature properties; f, bbox-crs, limit (lowered, not refused, when too large)
and offset are this door's own. Threats take bbox, category, kind (case_kind) and
deadline_within / deadline_before. Every problem answers OGC's exception document.
"""

import re

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db import router
from django.db.models import Max, Min
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from mapapp.models import Entry, ThreatCase
from mapapp.reads.filters import (
    ALIASES,
    MAX_OFFSET,
    parse_filters,
    parse_int,
    single,
    unknown_parameters,
)
from mapapp.reads.geojson import detail_feature, encode
from mapapp.reads.statements import counted_page, dataset_last_modified
from mapapp.reads.threat_features import case_features, threats_last_modified
from mapapp.reads.threats import THREAT_ALIASES, cases_matching
from mapapp.web.conditional import cached_json
from mapapp.web.doors import ogc_exception
from mapapp.web.features import GEOJSON, feature_page, feature_response

JSON = "application/json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
COLLECTION_ID = "entries"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
ITEM_FILTERS = ("bbox", "datetime", "category", "tag", "threat", "q", "verified_within")
ITEM_PARAMS = {*ITEM_FILTERS, "limit", "offset", "f", "bbox-crs"}
# The second collection: active threat cases, each at its entry's public point.
THREATS_ID = "threats"
THREAT_ITEM_FILTERS = ("bbox", "category", "case_kind", "deadline_within", "deadline_before")
THREAT_ITEM_PARAMS = {*THREAT_ITEM_FILTERS, "kind", "limit", "offset", "f", "bbox-crs"}
COLLECTION_IDS = (COLLECTION_ID, THREATS_ID)


def _url(request, name, collection_id=COLLECTION_ID, **kwargs):
    if name in {"ogc-collection", "ogc-items", "ogc-item"}:
        kwargs["collection_id"] = collection_id
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


# Its one home is shared with the site's own error answers under /ogc/.
exception = ogc_exception


def _unknown_collection(collection_id):
    names = " and ".join(repr(name) for name in COLLECTION_IDS)
    return exception(404, "NotFound", f"No collection {collection_id!r}; there are {names}.")


def not_found(request, *args, **kwargs):
    """Any other address under /ogc/."""
    landing = reverse("ogc-landing")
    return exception(404, "NotFound", f"Nothing is at {request.path}; start at {landing}.")


def _refuse_unknown(request, allowed):
    if problem := unknown_parameters(request.GET, allowed):
        return exception(400, "InvalidParameterValue", problem)
    fmt = request.GET.get("f", "json")
    if fmt not in {"json", "geojson"}:
        return exception(400, "InvalidParameterValue", "f must be json (or geojson for features).")
    return None


@require_safe
def landing(request):
    if problem := _refuse_unknown(request, {"f"}):
        return problem
    return JsonResponse(
        {
            "title": "Commons Map",
            "description": "Initiatives that make and defend the social commons.",
            "links": [
                {"rel": "self", "type": JSON, "href": _url(request, "ogc-landing")},
                {
                    "rel": "service-desc",
                    "type": OPENAPI_JSON,
                    "title": "The OpenAPI definition of this service",
                    "href": _url(request, "api-schema") + "?format=json",
                },
                {
                    "rel": "service-doc",
                    "type": "text/html",
                    "title": "Its interactive documentation",
                    "href": _url(request, "api-docs"),
                },
                {"rel": "conformance", "type": JSON, "href": _url(request, "ogc-conformance")},
                {"rel": "data", "type": JSON, "href": _url(request, "ogc-collections")},
            ],
        }
    )


@require_safe
def conformance(request):
    if problem := _refuse_unknown(request, {"f"}):
        return problem
    return JsonResponse({"conformsTo": CONFORMANCE})


def _collection(request):
    published = Entry.objects.published()
    facts = published.aggregate(
        start=Min("updated_at"), end=Max("updated_at"), extent=Extent("public_point")
    )
    bbox = list(facts["extent"]) if facts["extent"] else [-180, -90, 180, 90]
    return {
        "id": COLLECTION_ID,
        "title": "Commons Map entries",
        "description": "Published entries; approximate locations are shown as such.",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {
            "spatial": {"bbox": [bbox], "crs": CRS84},
            "temporal": {
                "interval": [[_iso(facts["start"]), _iso(facts["end"])]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "links": [
            {"rel": "self", "type": JSON, "href": _url(request, "ogc-collection")},
            {"rel": "items", "type": GEOJSON, "href": _url(request, "ogc-items")},
        ],
    }


def _iso(when):
    return when.isoformat().replace("+00:00", "Z") if when else None


@require_safe
def collections(request):
    if problem := _refuse_unknown(request, {"f"}):
        return problem
    return JsonResponse(
        {
            "links": [{"rel": "self", "type": JSON, "href": _url(request, "ogc-collections")}],
            "collections": [_collection(request), _threat_collection(request)],
        }
    )


@require_safe
def collection(request, collection_id):
    if collection_id not in COLLECTION_IDS:
        return _unknown_collection(collection_id)
    if problem := _refuse_unknown(request, {"f"}):
        return problem
    if collection_id == THREATS_ID:
        return JsonResponse(_threat_collection(request))
    return JsonResponse(_collection(request))


def _item_filters(query, names=ITEM_FILTERS, aliases=ALIASES):
    """EntryFilters for the items asked for; raises ValueError (FilterError is one)."""
    if "bbox-crs" in query and query["bbox-crs"] != CRS84:
        raise ValueError(f"bbox-crs: only {CRS84} is supported.")
    filters = parse_filters(query, names=names, aliases=aliases)
    filters.limit = settings.API_DEFAULT_LIMIT
    if "limit" in query:
        # The standard asks for a too-large limit to be lowered, not refused.
        requested = parse_int(
            single(query.getlist("limit"), "limit"), "limit", minimum=1, maximum=MAX_OFFSET
        )
        filters.limit = min(requested, settings.API_MAX_LIMIT)
    if "offset" in query:
        offset = single(query.getlist("offset"), "offset")
        filters.offset = parse_int(offset, "offset", minimum=0, maximum=MAX_OFFSET)
    return filters


@require_safe
def items(request, collection_id):
    if collection_id == THREATS_ID:
        return _threat_items(request)
    if collection_id != COLLECTION_ID:
        return _unknown_collection(collection_id)
    if problem := _refuse_unknown(request, ITEM_PARAMS):
        return problem
    try:
        filters = _item_filters(request.GET)
    except ValueError as exc:
        return exception(400, "InvalidParameterValue", str(exc))
    # Read and counted as the API reads and counts them (aggregates, a bounded search).
    features, matched = counted_page(filters, router.db_for_read(Entry))
    return cached_json(
        request,
        encode(_item_page(request, features, filters, matched, COLLECTION_ID)),
        content_type=GEOJSON,
        last_modified=dataset_last_modified(),
    )


def _item_page(request, features, filters, matched, collection_id):
    collection = {
        "rel": "collection",
        "type": JSON,
        "href": _url(request, "ogc-collection", collection_id),
    }
    return feature_page(
        request, features, filters, matched=matched, links=[collection], stamped=True
    )


@require_safe
def item(request, collection_id, feature_id):
    if collection_id == THREATS_ID:
        return _threat_item(request, feature_id)
    if collection_id != COLLECTION_ID:
        return _unknown_collection(collection_id)
    if problem := _refuse_unknown(request, {"f"}):
        return problem
    feature = detail_feature(Entry.objects.published(), feature_id)
    if feature is None:
        return exception(404, "NotFound", f"No published entry has the id {feature_id!r}.")
    links = [
        {"rel": "self", "type": GEOJSON, "href": _url(request, "ogc-item", feature_id=feature_id)},
        {"rel": "collection", "type": JSON, "href": _url(request, "ogc-collection")},
    ]
    return feature_response(request, feature, links=links)


def _active_cases():
    return ThreatCase.objects.public().filter(status=ThreatCase.Status.ACTIVE)


def _threat_collection(request):
    facts = _active_cases().aggregate(start=Min("opened_on"), extent=Extent("entry__public_point"))
    bbox = list(facts["extent"]) if facts["extent"] else [-180, -90, 180, 90]
    start = facts["start"].isoformat() if facts["start"] else None
    return {
        "id": THREATS_ID,
        "title": "Commons under threat",
        "description": "Active threat cases, each at its entry's public point, soonest "
        "deadline first.",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {
            "spatial": {"bbox": [bbox], "crs": CRS84},
            "temporal": {
                "interval": [[start, None]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "links": [
            {"rel": "self", "type": JSON, "href": _url(request, "ogc-collection", THREATS_ID)},
            {"rel": "items", "type": GEOJSON, "href": _url(request, "ogc-items", THREATS_ID)},
        ],
    }


def _threat_items(request):
    if problem := _refuse_unknown(request, THREAT_ITEM_PARAMS):
        return problem
    try:
        filters = _item_filters(request.GET, THREAT_ITEM_FILTERS, THREAT_ALIASES)
    except ValueError as exc:
        return exception(400, "InvalidParameterValue", str(exc))
    filters.case_statuses = [ThreatCase.Status.ACTIVE]
    cases = cases_matching(filters)
    features = case_features(cases[filters.offset : filters.offset + filters.limit])
    matched = cases.count()
    return cached_json(
        request,
        encode(_item_page(request, features, filters, matched, THREATS_ID)),
        content_type=GEOJSON,
        last_modified=threats_last_modified(),
    )


def _threat_item(request, feature_id):
    if problem := _refuse_unknown(request, {"f"}):
        return problem
    cases = _active_cases().select_related("entry", "entry__category")
    # Case ids are ASCII digits; anything else ("²", a slug, 40 digits) names no case.
    wanted = re.fullmatch(r"[0-9]{1,18}", feature_id)
    features = case_features(cases.filter(pk=int(feature_id))) if wanted else []
    if not features:
        return exception(404, "NotFound", f"No active threat case has the id {feature_id!r}.")
    feature = features[0]
    page = request.build_absolute_uri(feature["properties"]["url"])
    self_url = _url(request, "ogc-item", THREATS_ID, feature_id=feature_id)
    feature["links"] = [
        {"rel": "self", "type": GEOJSON, "href": self_url},
        {"rel": "collection", "type": JSON, "href": _url(request, "ogc-collection", THREATS_ID)},
        {"rel": "alternate", "type": "text/html", "href": page},
    ]
    return cached_json(
        request, encode(feature), content_type=GEOJSON, last_modified=threats_last_modified()
    )
