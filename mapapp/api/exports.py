"""Streamed CSV and GeoJSON downloads of every matching entry, a chunk at a time.

Both carry every public field (reads.public.PUBLIC_FIELDS), read through the detail layout of
reads.geojson like one entry's feature: the GeoJSON download's features are detail features, and
the CSV has a column per public field and the public point's longitude and latitude, the first
downloads' columns first, in their order.
"""

import csv
import io
from datetime import datetime

import orjson
from django.http import StreamingHttpResponse
from django.utils import timezone

from mapapp.reads.geojson import DETAIL, encode, feature_maker, values_query
from mapapp.reads.public import PUBLIC_FIELDS
from mapapp.reads.spreadsheet import neutralise
from mapapp.reads.threat_features import case_feature_chunks
from mapapp.reads.threats import CASE_PUBLIC_FIELDS

CHUNK = 2000
# The columns of the first downloads, in their order, so sheets and scripts that read columns by
# position keep working; public fields added since come after them.
FIRST_COLUMNS = (
    "slug", "name", "category", "tags", "summary", "description", "locality", "address",
    "postcode", "website", "email", "phone", "opening_times", "threat", "threat_note",
    "precision", "longitude", "latitude", "updated", "published", "url",
)  # fmt: skip
CSV_HEADER = [
    *FIRST_COLUMNS,
    *(field.name for field in PUBLIC_FIELDS if field.name not in FIRST_COLUMNS),
]


def _chunks(queryset):
    rows = values_query(queryset, DETAIL).iterator(chunk_size=CHUNK)
    # The ORM's rows: datetimes already aware. Geometry left as GeoJSON text for either format.
    make = feature_maker(DETAIL, geometry=str)
    batch = []
    for row in rows:
        batch.append(_record(row, make))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _record(row, make):
    """One downloaded entry, made as its row is read (the tests count rows read here)."""
    return make(row)


def _cell(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = ";".join(value)
    return neutralise(value)


def _csv_row(feature):
    lon, lat = orjson.loads(feature["geometry"])["coordinates"]
    values = {**feature["properties"], "longitude": lon, "latitude": lat}
    return [_cell(values[name]) for name in CSV_HEADER]


def _csv_lines(queryset):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for batch in _chunks(queryset):
        writer.writerows(_csv_row(feature) for feature in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _geojson_feature(feature):
    return {**feature, "geometry": orjson.Fragment(feature["geometry"])}


def _geojson_parts(batches, prepare=lambda feature: feature):
    """A FeatureCollection streamed a batch of features at a time, each `prepare`d to encode."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for batch in batches:
        chunk = b",".join(encode(prepare(feature)) for feature in batch)
        yield chunk if first else b"," + chunk
        first = False
    yield b"]}"


def export_response(queryset, fmt):
    """A streamed download of queryset as csv or geojson, named after today's date."""
    stamp = timezone.now().strftime("%Y-%m-%d")
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
        name = f"commons-map-{stamp}.csv"
    else:
        response = StreamingHttpResponse(
            _geojson_parts(_chunks(queryset), _geojson_feature), content_type="application/geo+json"
        )
        name = f"commons-map-{stamp}.geojson"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


# A threat case's download: its public fields, its entry, the next deadline (flattened into
# three columns) and the entry's public point.
CASE_CSV_HEADER = [
    "id", *CASE_PUBLIC_FIELDS, "entry", "entry_name", "entry_url", "category",
    "next_deadline", "next_deadline_on", "next_deadline_days", "event_count", "url",
    "longitude", "latitude",
]  # fmt: skip


def _case_csv_row(feature):
    values = dict(feature["properties"])
    upcoming = values.pop("next_deadline") or {}
    values["next_deadline"] = upcoming.get("name")
    values["next_deadline_on"] = upcoming.get("due_on")
    values["next_deadline_days"] = upcoming.get("days")
    values["id"] = feature["id"]
    values["longitude"], values["latitude"] = feature["geometry"]["coordinates"]
    return [_cell(values[name]) for name in CASE_CSV_HEADER]


def _case_csv_lines(cases):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CASE_CSV_HEADER)
    for batch in case_feature_chunks(cases, geometry=orjson.loads):
        writer.writerows(_case_csv_row(feature) for feature in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def case_export_response(cases, fmt):
    """A streamed download of public threat cases as csv or geojson."""
    stamp = timezone.now().strftime("%Y-%m-%d")
    if fmt == "csv":
        parts, content_type = _case_csv_lines(cases), "text/csv; charset=utf-8"
    else:
        parts, content_type = _geojson_parts(case_feature_chunks(cases)), "application/geo+json"
    response = StreamingHttpResponse(parts, content_type=content_type)
    name = f"commons-map-threats-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "public, max-age=300"
    return response
