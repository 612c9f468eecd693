"""Streamed CSV and GeoJSON downloads of every matching entry, a chunk at a time."""

import csv
import io

import orjson
from django.http import StreamingHttpResponse
from django.utils import timezone

from mapapp.api.features import encode, public_address, with_geojson

CHUNK = 2000
EXPORT_FIELDS = (
    "tag_slugs",
    "slug",
    "name",
    "category__slug",
    "summary",
    "description",
    "locality",
    "address",
    "postcode",
    "website",
    "email",
    "phone",
    "opening_times",
    "threat",
    "threat_note",
    "precision",
    "updated_at",
    "published_at",
    "geojson",
)
CSV_HEADER = [
    "slug",
    "name",
    "category",
    "tags",
    "summary",
    "description",
    "locality",
    "address",
    "postcode",
    "website",
    "email",
    "phone",
    "opening_times",
    "threat",
    "threat_note",
    "precision",
    "longitude",
    "latitude",
    "updated",
    "published",
    "url",
]
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


def _csv_lines(queryset):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for batch in _chunks(queryset):
        for r in batch:
            lon, lat = orjson.loads(r["geojson"])["coordinates"]
            writer.writerow(
                [
                    neutralise(v)
                    for v in (
                        r["slug"],
                        r["name"],
                        r["category__slug"],
                        ";".join(r["tags"]),
                        r["summary"],
                        r["description"],
                        r["locality"],
                        r["address"],
                        r["postcode"],
                        r["website"],
                        r["email"],
                        r["phone"],
                        r["opening_times"],
                        r["threat"],
                        r["threat_note"],
                        r["precision"],
                    )
                ]
                + [
                    lon,
                    lat,
                    r["updated_at"].isoformat(),
                    r["published_at"].isoformat() if r["published_at"] else "",
                    f"/entries/{r['slug']}/",
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _geojson_parts(queryset):
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for batch in _chunks(queryset):
        parts = []
        for r in batch:
            properties = {
                k: r[k]
                for k in (
                    "slug",
                    "name",
                    "tags",
                    "summary",
                    "description",
                    "locality",
                    "address",
                    "postcode",
                    "website",
                    "email",
                    "phone",
                    "opening_times",
                    "threat",
                    "threat_note",
                    "precision",
                )
            }
            properties.update(
                {
                    "category": r["category__slug"],
                    "updated": r["updated_at"],
                    "published": r["published_at"],
                    "url": f"/entries/{r['slug']}/",
                }
            )
            feature = {
                "type": "Feature",
                "id": r["slug"],
                "geometry": orjson.Fragment(r["geojson"]),
                "properties": properties,
            }
            parts.append(encode(feature))
        chunk = b",".join(parts)
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
