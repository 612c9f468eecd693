"""The API under /api/v1/: entries as GeoJSON (read, write, download), categories, tags."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import router
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationError,
)
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from mapapp import permissions, services
from mapapp.api import docs
from mapapp.api.exports import export_response
from mapapp.api.params import parse_cluster_query, parse_list_query, refuse_parameters
from mapapp.api.parsers import StrictGeoJSONParser, StrictJSONParser
from mapapp.api.write import (
    EntryWriteSerializer,
    PreconditionFailed,
    ReportSerializer,
    check_body_size,
    expected_version,
)
from mapapp.grid import cell_degrees
from mapapp.models import Entry, ModerationDecision
from mapapp.reads.clusters import TooManyCells, clusters
from mapapp.reads.filters import entries_matching
from mapapp.reads.geojson import detail_feature, encode
from mapapp.reads.statements import counted_page
from mapapp.reads.vocabulary import categories_with_counts, tags_with_counts
from mapapp.web import ratelimit
from mapapp.web.clientip import client_ip
from mapapp.web.conditional import versioned
from mapapp.web.features import (
    GEOJSON,
    feature_page,
    feature_response,
)


class AnonThrottle(AnonRateThrottle):
    """Anonymous rate limit read from settings at request time (API_THROTTLE_ANON)."""

    def get_rate(self):
        return settings.API_THROTTLE_ANON

    def get_ident(self, request):
        # DRF's own reading trusts X-Forwarded-For unless NUM_PROXIES is set; ours is shared.
        return client_ip(request)


class TileThrottle(AnonThrottle):
    """Vector tiles counted apart (API_THROTTLE_TILES): one crowded map view asks for a
    couple of dozen at once, which the API's limit would spend in a few zooms."""

    scope = "anon_tiles"

    def get_rate(self):
        return settings.API_THROTTLE_TILES


class DownloadThrottle(AnonThrottle):
    """Whole-data downloads counted apart (API_THROTTLE_DOWNLOADS): each reads every entry it
    selects, so a loop of them would hold the workers the map needs."""

    scope = "anon_downloads"

    def get_rate(self):
        return settings.API_THROTTLE_DOWNLOADS


def check_download_budget(view, request):
    """Answer 429 (with Retry-After) to a client past its downloads' budget."""
    throttle = DownloadThrottle()
    if not throttle.allow_request(request, view):
        view.throttled(request, throttle.wait())


class GeoJSONRenderer(JSONRenderer):
    media_type = GEOJSON
    format = "geojson"


class CommonsAPIView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    parser_classes = [StrictJSONParser, StrictGeoJSONParser]
    throttle_classes = [AnonThrottle]
    # Token authentication only: no session cookies, so no cross-site request forgery.
    authentication_classes = [TokenAuthentication]
    permission_classes = []

    def initial(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check_body_size(request)
        super().initial(request, *args, **kwargs)

    def require_user(self, request):
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated("Send 'Authorization: Token <key>' (see your account page).")

    def perform_content_negotiation(self, request, force=False):
        # Whatever the Accept header says, answer in our one format rather than with a 406.
        return super().perform_content_negotiation(request, force=True)


class EntryList(CommonsAPIView):
    @extend_schema(**docs.ENTRY_CREATE)
    def post(self, request):
        self.require_user(request)
        data, tags = validated(EntryWriteSerializer(data=request.data))
        try:
            entry = services.entry_submit(author=request.user, data=data, tag_names=tags or [])
        except DjangoValidationError as error:
            raise django_errors(error) from None
        return written_response(entry, 201, request)

    @extend_schema(**docs.ENTRY_LIST)
    def get(self, request):
        filters, fmt = parse_list_query(request.GET)
        if fmt in {"csv", "geojson"}:
            check_download_budget(self, request)
            return export_response(entries_matching(filters), fmt)
        return versioned(request, lambda: entry_page(request, filters), content_type=GEOJSON)


def written_response(entry, status_code, request):
    """The entry as its author sees it after a write: the public feature plus its status."""
    feature = detail_feature(Entry.objects.all(), entry.slug)
    feature["properties"]["status"] = entry.status
    response = HttpResponse(encode(feature), content_type=GEOJSON, status=status_code)
    response["Location"] = request.build_absolute_uri(reverse("api-entry", args=[entry.slug]))
    response["ETag"] = f'"v{entry.version}"'
    response["Cache-Control"] = "no-store"
    return response


def validated(serializer):
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    tag_names = data.pop("tags", None)
    return data, tag_names


def django_errors(error):
    """A model ValidationError as the API's {field: [messages]} 400."""
    return ValidationError(getattr(error, "message_dict", {"body": error.messages}))


class EntryDetail(CommonsAPIView):
    @extend_schema(**docs.ENTRY_DETAIL)
    def get(self, request, slug):
        refuse_parameters(request.GET)
        feature = detail_feature(Entry.objects.published(), slug)
        if feature is None:
            raise NotFound(f"No published entry has the slug {slug!r}.")
        self_link = {
            "rel": "self",
            "type": GEOJSON,
            "href": request.build_absolute_uri(request.path),
        }
        return feature_response(
            request,
            feature,
            links=[self_link],
            etag_prefix=f"v{feature['properties']['version']}-",
        )

    def entry_for_writing(self, request, slug):
        """The entry a signed-in person is about to change; 404 if they may not even see it."""
        self.require_user(request)
        entry = Entry.objects.filter(slug=slug).first()
        if entry is None or not permissions.can_view(request.user, entry):
            raise NotFound(f"No entry has the slug {slug!r}.")
        return entry

    @extend_schema(**docs.ENTRY_PATCH)
    def patch(self, request, slug):
        entry = self.entry_for_writing(request, slug)
        if not permissions.can_edit(request.user, entry):
            raise PermissionDenied("Only the entry's owner or a moderator can change it.")
        version = expected_version(request)
        data, tags = validated(EntryWriteSerializer(data=request.data, partial=True))
        try:
            entry = services.entry_edit(
                entry=entry,
                editor=request.user,
                data=data,
                expected_version=version,
                tag_names=tags,
            )
        except services.StaleVersion as stale:
            raise PreconditionFailed(
                f"The entry is at version {stale.entry.version}, not {version}: "
                "read it again and reapply your change."
            ) from None
        except DjangoValidationError as error:
            raise django_errors(error) from None
        return written_response(entry, 200, request)

    @extend_schema(**docs.ENTRY_DELETE)
    def delete(self, request, slug):
        entry = self.entry_for_writing(request, slug)
        if not permissions.is_moderator(request.user):
            raise PermissionDenied("Only moderators can archive entries.")
        services.entry_moderate(
            entry=entry,
            moderator=request.user,
            action=ModerationDecision.Action.ARCHIVE,
            reason="Archived through the API.",
        )
        return HttpResponse(status=204)


class EntryReports(CommonsAPIView):
    @extend_schema(**docs.REPORT_CREATE)
    def post(self, request, slug):
        entry = Entry.objects.published().filter(slug=slug).first()
        if entry is None:
            raise NotFound(f"No published entry has the slug {slug!r}.")
        user = request.user if request.user and request.user.is_authenticated else None
        if user is None:
            wait = ratelimit.hit(
                "report",
                ratelimit.client_key(request._request),
                limit=settings.ANONYMOUS_SUBMISSIONS_PER_HOUR,
            )
            if wait:
                raise Throttled(wait, "Too many reports from this address.")
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_create(entry=entry, reporter=user, **serializer.validated_data)
        body = {"id": report.pk, "entry": entry.slug, "kind": report.kind, "status": report.status}
        return HttpResponse(encode(body), content_type="application/json", status=201)


class ClusterList(CommonsAPIView):
    @extend_schema(**docs.CLUSTER_LIST)
    def get(self, request):
        filters, zoom = parse_cluster_query(request.GET)
        return versioned(
            request,
            lambda: cluster_collection(filters, zoom),
            content_type=GEOJSON,
            cache_seconds=settings.API_CACHE_SECONDS,
        )


def entry_page(request, filters):
    # Compiled statements name their database: the one the router reads from (a replica).
    features, matched = counted_page(filters, router.db_for_read(Entry))
    return encode(feature_page(request, features, filters, matched=matched))


def cluster_collection(filters, zoom):
    try:
        rows = clusters(filters, zoom, limit=settings.API_MAX_LIMIT)
    except TooManyCells:
        too_many = f"More than {settings.API_MAX_LIMIT} cells: use a lower zoom or a smaller bbox."
        raise ValidationError({"zoom": [too_many]}) from None
    collection = {
        "type": "FeatureCollection",
        "numberMatched": sum(row["count"] for row in rows),
        "cellDegrees": cell_degrees(zoom),
        "features": [cluster_feature(row) for row in rows],
    }
    return encode(collection)


def cluster_feature(row):
    def at(value):
        return round(value, 6)

    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [at(row["lon"]), at(row["lat"])]},
        "properties": {
            "count": row["count"],
            "bbox": [at(row["west"]), at(row["south"]), at(row["east"]), at(row["north"])],
        },
    }


def vocabulary_response(request, read):
    """A list of categories or tags: no parameters, kept in the cache for the data set's
    version and by browsers for five minutes."""
    refuse_parameters(request.GET)
    return versioned(
        request,
        lambda: encode(read()),
        content_type="application/json",
        cache_seconds=settings.API_CACHE_SECONDS,
        max_age=300,
    )


class CategoryList(CommonsAPIView):
    @extend_schema(**docs.CATEGORY_LIST)
    def get(self, request):
        return vocabulary_response(request, categories_with_counts)


class TagList(CommonsAPIView):
    @extend_schema(**docs.TAG_LIST)
    def get(self, request):
        return vocabulary_response(request, tags_with_counts)
