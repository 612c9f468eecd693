"""The write side of the API: request bodies, their validation, and If-Match preconditions."""

import math
import re

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError

from mapapp.models import (
    LATITUDES,
    LONGITUDES,
    TAGS_PER_ENTRY,
    Category,
    Entry,
    Report,
    Tag,
    ThreatCase,
    ThreatEvent,
    coordinate_problem,
    editable_fields,
)
from mapapp.reads.schema import POINT
from mapapp.services import CASE_FIELDS, EVENT_FIELDS

CRS84 = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
}


# Versions are PositiveIntegerFields (at most 2**31 - 1): never more than ten digits.
VERSION_DIGITS = 10


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the entry's ETag (or its version) to change it."


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The entry changed since you read it."


def check_body_size(request):
    """Refuse bodies over API_MAX_BODY_BYTES before anything reads them."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"The request body is {length} bytes; the limit is {settings.API_MAX_BODY_BYTES}."
        )


ONLY_LON_LAT = "Only EPSG:4326 (longitude, latitude) is accepted."


def point_from_geometry(geometry):
    """(lon, lat) from a GeoJSON Point in EPSG:4326, or a ValidationError naming the problem."""
    if not isinstance(geometry, dict):
        raise ValidationError({"geometry": ["geometry must be a GeoJSON object."]})
    if not crs_is_lon_lat(geometry.get("crs")):
        raise ValidationError({"geometry": [ONLY_LON_LAT]})
    if geometry.get("type") != "Point":
        raise ValidationError(
            {"geometry": [f"geometry must be a Point, not {geometry.get('type')!r}."]}
        )
    coordinates = geometry.get("coordinates")
    if not (isinstance(coordinates, list) and len(coordinates) == 2):
        raise ValidationError({"geometry": ["A Point needs coordinates [longitude, latitude]."]})
    return check_lon_lat(*coordinates, field="geometry")


def crs_is_lon_lat(crs):
    """Whether a GeoJSON (2008) crs member is absent/null or a named CRS meaning lon/lat."""
    if crs is None:
        return True
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    return isinstance(name, str) and name in CRS84


def check_lon_lat(lon, lat, field):
    numbers = [v for v in (lon, lat) if isinstance(v, int | float) and not isinstance(v, bool)]
    # float() of an integer with hundreds of digits overflows rather than becoming infinite.
    finite = len(numbers) == 2 and all(math.isfinite(v) for v in map(as_float, numbers))
    problem = coordinate_problem(lon, lat) if finite else "Coordinates must be finite numbers."
    if problem:
        raise ValidationError({field: [problem]})
    return float(lon), float(lat)


def as_float(number):
    try:
        return float(number)
    except OverflowError:
        return math.inf


# How the location is documented; what is accepted is checked in EntryWriteSerializer.validate
# (point_from_geometry, check_lon_lat), with the messages the model's rule gives.
@extend_schema_field(POINT)
class GeometryField(serializers.JSONField):
    """A GeoJSON Point in EPSG:4326."""


class DegreesField(serializers.FloatField):
    """A JSON number of degrees: DRF's FloatField would read true and false as 1.0 and 0.0."""

    default_error_messages = {"invalid": "A number of degrees is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "number", "minimum": LONGITUDES[0], "maximum": LONGITUDES[1]})
class LongitudeField(DegreesField):
    """Degrees east, with latitude."""


@extend_schema_field({"type": "number", "minimum": LATITUDES[0], "maximum": LATITUDES[1]})
class LatitudeField(DegreesField):
    """Degrees north, with longitude."""


class EntryWriteSerializer(serializers.ModelSerializer):
    """An entry as flat JSON, or as a GeoJSON Feature whose properties hold these fields.
    The location is a GeoJSON Point in EPSG:4326 (`geometry`) or `longitude` + `latitude`;
    any other geometry type or CRS is refused, and so is any field not listed here."""

    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        help_text="category slug (see /api/v1/categories/)",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=Tag._meta.get_field("name").max_length),
        max_length=TAGS_PER_ENTRY,
        required=False,
    )
    geometry = GeometryField(required=False)
    longitude = LongitudeField(required=False)
    latitude = LatitudeField(required=False)

    class Meta:
        model = Entry
        fields = editable_fields(location_as=["geometry", "longitude", "latitude"])

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({"body": ["The body must be a JSON object."]})
        if data.get("type") == "Feature":
            properties = data.get("properties") or {}
            if not isinstance(properties, dict):
                raise ValidationError({"properties": ["properties must be an object."]})
            # GeoJSON (2008) lets the Feature itself name the crs of its geometry.
            if not crs_is_lon_lat(data.get("crs")):
                raise ValidationError({"crs": [ONLY_LON_LAT]})
            data = {**properties, "geometry": data.get("geometry")}
        unknown = sorted(set(data) - set(self.fields) - {"type", "id"})
        if unknown:
            raise ValidationError({"unknown": [f"Unknown field(s): {', '.join(unknown)}."]})
        return super().to_internal_value(data)

    def validate_name(self, value):
        if not value.strip():
            raise ValidationError("Give the entry a name.")
        return value.strip()

    def validate(self, attrs):
        location = self._location(attrs)
        if location is None and not self.partial:
            raise ValidationError({"geometry": ["Send a GeoJSON Point geometry, or longitude "
                                                "and latitude."]})  # fmt: skip
        for key in ("geometry", "longitude", "latitude"):
            attrs.pop(key, None)
        if location is not None:
            from django.contrib.gis.geos import Point

            attrs["location"] = Point(*location, srid=4326)
        return attrs

    def _location(self, attrs):
        if attrs.get("geometry") is not None:
            return point_from_geometry(attrs["geometry"])
        has_lon, has_lat = "longitude" in attrs, "latitude" in attrs
        if has_lon != has_lat:
            missing = "latitude" if has_lon else "longitude"
            raise ValidationError({missing: [f"{missing} is required with the other coordinate."]})
        if has_lon:
            return check_lon_lat(attrs["longitude"], attrs["latitude"], field="longitude")
        return None


class ClosedBody(serializers.ModelSerializer):
    """A flat JSON object of the fields listed, and no others: an unknown one is refused."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({"body": ["The body must be a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise ValidationError({"unknown": [f"Unknown field(s): {', '.join(unknown)}."]})
        return super().to_internal_value(data)


class CaseWriteSerializer(ClosedBody):
    """A threat case as a contributor gives it; its dates are checked by the model."""

    class Meta:
        model = ThreatCase
        fields = CASE_FIELDS


class EventWriteSerializer(ClosedBody):
    """A dated, sourced event of a case."""

    class Meta:
        model = ThreatEvent
        fields = EVENT_FIELDS


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["kind", "message"]


def expected_version(request, noun="entry"):
    """The version of an entry (or a case) named by If-Match: an ETag like "v3-…" or a bare
    number."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            f"Send If-Match with the {noun}'s ETag (or its version) to change it."
        )
    match = re.search(r'^(?:W/)?"?v?(\d+)', header)
    # A header without a number, or with more digits than any version can have (int() of
    # thousands of digits refuses outright), is malformed, not merely stale.
    if not match or len(match.group(1)) > VERSION_DIGITS:
        message = (
            f"If-Match {header[:40]!r} names no version of this {noun}: send its ETag "
            '(like "v3-…") or its version number.'
        )
        raise ValidationError({"If-Match": [message]})
    return int(match.group(1))
