"""Streamed CSV and GeoJSON downloads of every matching entry, a chunk at a time."""

import csv
import io

import orjson
from django.http import StreamingHttpResponse
from django.utils import timezone

from mapapp.reads.geojson import encode, public_address, with_geojson

CHUNK = 2000
# Public text columns, in the order both downloads list them.
TEXT_FIELDS = (
    "summary", "description", "locality", "address", "postcode", "website", "email", "phone",
    "opening_times", "threat", "threat_note", "precision",
)  # fmt: skip
EXPORT_FIELDS = (
    "tag_slugs", "slug", "name", "category__slug", *TEXT_FIELDS, "updated_at", "published_at",
    "geojson",
)  # fmt: skip
CSV_HEADER = [
    "slug", "name", "category", "tags", *TEXT_FIELDS, "longitude", "latitude", "updated",
    "published", "url",
]  # fmt: skip
# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _chunks(queryset):
    rows = with_geojson(queryset).values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK)
    batch = []
    for row in rows:
        batch.append(_record(row))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _record(row):
    record = dict(zip(EXPORT_FIELDS, row, strict=True))
    record["address"], record["postcode"] = public_address(
        record["precision"], record["address"], record["postcode"]
    )
    record["tags"] = record["tag_slugs"].split()
    return record


def neutralise(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_row(r):
    lon, lat = orjson.loads(r["geojson"])["coordinates"]
    text = [r["slug"], r["name"], r["category__slug"], ";".join(r["tags"])]
    text += [r[field] for field in TEXT_FIELDS]
    published = r["published_at"].isoformat() if r["published_at"] else ""
    return [neutralise(v) for v in text] + [
        lon, lat, r["updated_at"].isoformat(), published, f"/entries/{r['slug']}/"
    ]  # fmt: skip


def _csv_lines(queryset):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for batch in _chunks(queryset):
        writer.writerows(_csv_row(r) for r in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _geojson_feature(r):
    properties = {"slug": r["slug"], "name": r["name"], "tags": r["tags"]}
    properties.update({field: r[field] for field in TEXT_FIELDS})
    properties.update(category=r["category__slug"], updated=r["updated_at"],
                      published=r["published_at"], url=f"/entries/{r['slug']}/")  # fmt: skip
    return {"type": "Feature", "id": r["slug"], "geometry": orjson.Fragment(r["geojson"]),
            "properties": properties}  # fmt: skip


def _geojson_parts(queryset):
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for batch in _chunks(queryset):
        chunk = b",".join(encode(_geojson_feature(r)) for r in batch)
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
            _geojson_parts(queryset), content_type="application/geo+json"
        )
        name = f"commons-map-{stamp}.geojson"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "public, max-age=300"
    return response
