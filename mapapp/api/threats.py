"""The API's threat cases under /api/v1/threats/: GeoJSON of public cases at their entries'
public points (read, filtered, paged, downloaded), one case with its events and deadlines, the
counts per month or year, and the writes (open a case, edit it, add an event) with the same
permissions as the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled

from mapapp import permissions, services
from mapapp.api import threat_docs as docs
from mapapp.api.exports import case_export_response
from mapapp.api.params import parse_stats_query, parse_threat_query, refuse_parameters
from mapapp.api.views import CommonsAPIView, check_download_budget, django_errors
from mapapp.api.write import (
    CaseWriteSerializer,
    EventWriteSerializer,
    PreconditionFailed,
    expected_version,
)
from mapapp.models import Entry, ThreatCase, ThreatEvent
from mapapp.reads.geojson import encode
from mapapp.reads.statements import page_matched
from mapapp.reads.threat_features import (
    case_features,
    event_dict,
    stats_rows,
    threats_last_modified,
)
from mapapp.reads.threats import (
    case_records,
    case_values,
    cases_matching,
    public_case,
    threat_stats,
)
from mapapp.web.conditional import cached_json
from mapapp.web.features import GEOJSON, feature_page

JSON = "application/json"


def threats_json(request, document, content_type=JSON, etag_prefix=""):
    return cached_json(
        request,
        encode(document),
        content_type=content_type,
        last_modified=threats_last_modified(),
        etag_prefix=etag_prefix,
    )


def found_case(pk):
    case = public_case(pk)
    if case is None:
        raise NotFound(f"No public threat case has the id {pk}.")
    return case


def found_feature(pk):
    """The public case's detail feature: its events and every deadline."""
    cases = ThreatCase.objects.public().select_related("entry", "entry__category")
    features = case_features(cases.filter(pk=pk), detail=True)
    if not features:
        raise NotFound(f"No public threat case has the id {pk}.")
    return features[0]


class CaseWriting(CommonsAPIView):
    def case_for_writing(self, request, pk):
        """The case a signed-in person is about to change; 404 if they may not see it."""
        self.require_user(request)
        case = ThreatCase.objects.select_related("entry").filter(pk=pk).first()
        if case is None or not visible(request.user, case):
            raise NotFound(f"No threat case has the id {pk}.")
        return case


def validated(serializer):
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def through_services(write, **arguments):
    """A write by the services, their refusals as the API's 403 and 400 (keyed by field)."""
    try:
        return write(**arguments)
    except DjangoPermissionDenied as denied:
        raise PermissionDenied(str(denied)) from None
    except services.TooManyContributions as limited:
        raise Throttled(limited.wait, detail=str(limited)) from None
    except DjangoValidationError as error:
        raise django_errors(error) from None


class ThreatList(CommonsAPIView):
    @extend_schema(**docs.THREAT_LIST)
    def get(self, request):
        filters, fmt = parse_threat_query(request.GET)
        cases = cases_matching(filters)
        if fmt in {"csv", "geojson"}:
            check_download_budget(self, request)
            return case_export_response(cases, fmt)
        features = case_features(cases[filters.offset : filters.offset + filters.limit])
        matched = page_matched(features, filters, cases.count)
        collection = feature_page(request, features, filters, matched=matched)
        return threats_json(request, collection, GEOJSON)


class ThreatDetail(CaseWriting):
    @extend_schema(**docs.THREAT_DETAIL)
    def get(self, request, pk):
        refuse_parameters(request.GET)
        feature = found_feature(pk)
        feature["links"] = [
            {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri(request.path)},
            {"rel": "alternate", "type": "text/html",
             "href": request.build_absolute_uri(feature["properties"]["url"])},
        ]  # fmt: skip
        version = feature["properties"]["version"]
        return threats_json(request, feature, GEOJSON, etag_prefix=f"v{version}-")

    @extend_schema(**docs.THREAT_PATCH)
    def patch(self, request, pk):
        case = self.case_for_writing(request, pk)
        version = expected_version(request, noun="case")
        data = validated(CaseWriteSerializer(data=request.data, partial=True))
        try:
            case = through_services(
                services.case_update,
                case=case,
                editor=request.user,
                data=data,
                expected_version=version,
            )
        except services.StaleCase as stale:
            raise PreconditionFailed(
                f"The case is at version {stale.case.version}, not {version}: "
                "read it again and reapply your change."
            ) from None
        return written(request, case, case_body(case), 200)


def visible(user, case):
    """Whether a signed-in person may see a case at all (a pending one: its author, or
    those who could accept it on the entry)."""
    if not permissions.can_view(user, case.entry):
        return False
    return (
        case.review == ThreatCase.Review.ACCEPTED
        or case.created_by_id == user.pk
        or services.may_publish_directly(user, case.entry)
    )


def case_body(case):
    return {**case_values(case), "entry": case.entry.slug, "version": case.version}


def written(request, item, values, status_code):
    """A case or event as its author sees it after a write: whether it awaits review."""
    case = item if isinstance(item, ThreatCase) else item.case
    body = {"id": item.pk, "case": case.pk, "review": item.review, **values}
    if status_code == 201 and item.review != ThreatCase.Review.ACCEPTED:
        status_code = 202  # accepted for review, not yet public
    response = HttpResponse(encode(body), content_type=JSON, status=status_code)
    response["Location"] = request.build_absolute_uri(reverse("api-threat", args=[case.pk]))
    response["Cache-Control"] = "no-store"
    return response


class ThreatEvents(CaseWriting):
    @extend_schema(**docs.THREAT_EVENTS)
    def get(self, request, pk):
        refuse_parameters(request.GET)
        (record,) = case_records([found_case(pk)])
        return threats_json(request, [event_dict(event) for event in record.events])

    @extend_schema(**docs.EVENT_CREATE)
    def post(self, request, pk):
        case = self.case_for_writing(request, pk)
        data = validated(EventWriteSerializer(data=request.data))
        event = through_services(services.event_submit, case=case, author=request.user, data=data)
        return written(request, event, event_dict(event), 201)


class ThreatEventDetail(CommonsAPIView):
    @extend_schema(**docs.THREAT_EVENT_DETAIL)
    def get(self, request, pk, event_id):
        refuse_parameters(request.GET)
        case = found_case(pk)
        event = ThreatEvent.objects.public().filter(case=case, pk=event_id).first()
        if event is None:
            raise NotFound(f"Case {pk} has no public event with the id {event_id}.")
        return threats_json(request, {**event_dict(event), "case": case.pk})


class EntryCases(CommonsAPIView):
    @extend_schema(**docs.CASE_CREATE)
    def post(self, request, slug):
        self.require_user(request)
        entry = Entry.objects.filter(slug=slug).first()
        if entry is None or not permissions.can_view(request.user, entry):
            raise NotFound(f"No entry has the slug {slug!r}.")
        data = validated(CaseWriteSerializer(data=request.data))
        case = through_services(services.case_submit, entry=entry, author=request.user, data=data)
        return written(request, case, case_body(case), 201)


class ThreatStats(CommonsAPIView):
    @extend_schema(**docs.THREAT_STATS)
    def get(self, request):
        filters, interval = parse_stats_query(request.GET)
        return threats_json(request, stats_rows(threat_stats(filters, interval=interval), interval))
