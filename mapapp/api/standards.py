"""An entry in other standards (reads.standards): schema.org JSON-LD, a Murmurations profile,
and every matching entry as an Open Referral HSDS data package."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound

from mapapp.api import standards_docs as docs
from mapapp.api.params import parse_export_query, refuse_parameters
from mapapp.api.views import CommonsAPIView, check_download_budget
from mapapp.models import Entry
from mapapp.reads.filters import entries_matching
from mapapp.reads.geojson import encode
from mapapp.reads.standards import public_record
from mapapp.reads.standards.hsds import package_parts
from mapapp.reads.standards.jsonld import entry_jsonld
from mapapp.reads.standards.murmurations import entry_profile
from mapapp.web.conditional import cached_json

JSONLD = "application/ld+json"


def published_entry(slug):
    """The published entry with this slug, or a 404 as the entry's detail gives."""
    entry = Entry.objects.published().select_related("category").filter(slug=slug).first()
    if entry is None:
        raise NotFound(f"No published entry has the slug {slug!r}.")
    return entry


def shaped_response(request, slug, shape, content_type):
    """One entry shaped by shape(record), with the detail's ETag and Last-Modified."""
    refuse_parameters(request.GET)
    entry = published_entry(slug)
    document = shape(public_record(entry, request.build_absolute_uri))
    return cached_json(
        request,
        encode(document),
        content_type=content_type,
        last_modified=entry.updated_at,
        etag_prefix=f"v{entry.version}-",
    )


class EntryJSONLD(CommonsAPIView):
    @extend_schema(**docs.ENTRY_JSONLD)
    def get(self, request, slug):
        return shaped_response(request, slug, entry_jsonld, JSONLD)


class EntryMurmurations(CommonsAPIView):
    @extend_schema(**docs.ENTRY_MURMURATIONS)
    def get(self, request, slug):
        return shaped_response(request, slug, entry_profile, "application/json")


class HSDSExport(CommonsAPIView):
    @extend_schema(**docs.HSDS_EXPORT)
    def get(self, request):
        filters = parse_export_query(request.GET)
        check_download_budget(self, request)
        origin = request.build_absolute_uri("/").removesuffix("/")
        now = timezone.now()
        parts = package_parts(entries_matching(filters), origin.__add__, created=now)
        response = StreamingHttpResponse(parts, content_type="application/zip")
        name = f"commons-map-hsds-{now:%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "public, max-age=300"
        return response
