"""The public read API under /api/v1/: entries as GeoJSON, categories, tags, exports."""

import zlib
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from mapapp.api import docs
from mapapp.api.exports import export_response
from mapapp.api.features import detail_feature, encode, list_features
from mapapp.api.params import ORDERINGS, parse_entry_filters
from mapapp.models import Category, Entry, Tag

GEOJSON = "application/geo+json"


class AnonThrottle(AnonRateThrottle):
    """Anonymous rate limit read from settings at request time (API_THROTTLE_ANON)."""

    def get_rate(self):
        return settings.API_THROTTLE_ANON


class GeoJSONRenderer(JSONRenderer):
    media_type = GEOJSON
    format = "geojson"


class PublicReadView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [AnonThrottle]
    authentication_classes = []
    permission_classes = []

    def perform_content_negotiation(self, request, force=False):
        # Whatever the Accept header says, answer in our one format rather than with a 406.
        return super().perform_content_negotiation(request, force=True)


def filtered_entries(filters):
    """Published entries narrowed by parsed EntryFilters, in the requested order."""
    entries = Entry.objects.published()
    if filters.bbox:
        entries = entries.in_bbox(filters.bbox)
    if filters.categories:
        entries = entries.in_categories(filters.categories)
    if filters.tags:
        entries = entries.with_any_tag(filters.tags)
    if filters.threats:
        entries = entries.with_threat(filters.threats)
    if filters.words:
        entries = entries.search(filters.words)
    if filters.updated_since:
        entries = entries.updated_since(filters.updated_since)
    if filters.near:
        entries = entries.near(*filters.near, filters.radius)
    order = ORDERINGS[filters.ordering] or ("distance", "id")
    return entries.order_by(*order)


def dataset_last_modified():
    """When any entry last changed (archiving and rejecting included), from the index."""
    return Entry.objects.aggregate(last=Max("updated_at"))["last"]


def cached_json(request, body, *, content_type, last_modified, max_age=60):
    """A response with ETag/Last-Modified that becomes a 304 when the client is up to date."""
    response = HttpResponse(body, content_type=content_type)
    # CRC-32 plus length: collisions between two versions of one URL are vanishingly unlikely,
    # and it costs a fraction of a cryptographic hash on a 400 kB page.
    etag = f'"{len(body):x}-{zlib.crc32(body):08x}"'
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


def page_links(request, filters, matched):
    base = request.build_absolute_uri(request.path)
    query = request.GET.copy()
    links = [{"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()}]

    def link(rel, offset):
        query["offset"] = str(offset)
        query["limit"] = str(filters.limit)
        return {"rel": rel, "type": GEOJSON, "href": f"{base}?{urlencode(query, doseq=True)}"}

    if filters.offset + filters.limit < matched:
        links.append(link("next", filters.offset + filters.limit))
    if filters.offset > 0:
        links.append(link("prev", max(0, filters.offset - filters.limit)))
    return links


class EntryList(PublicReadView):
    @extend_schema(**docs.ENTRY_LIST)
    def get(self, request):
        filters = parse_entry_filters(request.GET)
        entries = filtered_entries(filters)
        if filters.format in {"csv", "geojson"}:
            return export_response(entries, filters.format)
        page = entries[filters.offset : filters.offset + filters.limit]
        features = list_features(page, with_distance=bool(filters.near))
        matched = len(features) + filters.offset
        if len(features) == filters.limit or (filters.offset and not features):
            matched = entries.count()
        collection = {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(features),
            "links": page_links(request, filters, matched),
            "features": features,
        }
        return cached_json(
            request,
            encode(collection),
            content_type=GEOJSON,
            last_modified=dataset_last_modified(),
        )


class EntryDetail(PublicReadView):
    @extend_schema(**docs.ENTRY_DETAIL)
    def get(self, request, slug):
        parse_entry_filters(request.GET, allowed=set())
        feature = detail_feature(Entry.objects.published(), slug)
        if feature is None:
            raise NotFound(f"No published entry has the slug {slug!r}.")
        feature["links"] = [
            {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri(request.path)},
            {
                "rel": "alternate",
                "type": "text/html",
                "href": request.build_absolute_uri(feature["properties"]["url"]),
            },
        ]
        return cached_json(
            request,
            encode(feature),
            content_type=GEOJSON,
            last_modified=feature["properties"]["updated"],
        )


class CategoryList(PublicReadView):
    @extend_schema(**docs.CATEGORY_LIST)
    def get(self, request):
        parse_entry_filters(request.GET, allowed=set())
        published = Q(entries__status=Entry.Status.PUBLISHED)
        rows = Category.objects.annotate(entry_count=Count("entries", filter=published)).values(
            "slug", "name", "description", "colour", "icon", "order", "entry_count"
        )
        return cached_json(
            request,
            encode(list(rows)),
            content_type="application/json",
            last_modified=dataset_last_modified(),
            max_age=300,
        )


class TagList(PublicReadView):
    @extend_schema(**docs.TAG_LIST)
    def get(self, request):
        parse_entry_filters(request.GET, allowed=set())
        published = Q(entries__status=Entry.Status.PUBLISHED)
        rows = (
            Tag.objects.annotate(entry_count=Count("entries", filter=published))
            .filter(entry_count__gt=0)
            .values("slug", "name", "entry_count")
        )
        return cached_json(
            request,
            encode(list(rows)),
            content_type="application/json",
            last_modified=dataset_last_modified(),
            max_age=300,
        )
