"""GeoJSON features built in the database and encoded with orjson (no per-object serializer).

Geometry comes from AsGeoJSON and is embedded as a pre-encoded fragment; properties come from
values_list rows. Every geometry here is the stored public point, never the exact location.
"""

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.measure import D
from django.db import connections
from orjson import Fragment

from mapapp.location import PUBLIC_DECIMALS, public_address

LIST_FIELDS = (
    "tag_slugs",
    "slug",
    "name",
    "category__slug",
    "summary",
    "locality",
    "threat",
    "precision",
    "updated_at",
)
DETAIL_FIELDS = LIST_FIELDS + (
    "category__name",
    "description",
    "address",
    "postcode",
    "website",
    "email",
    "phone",
    "opening_times",
    "threat_note",
    "published_at",
    "licence",
    "source",
    "version",
)


def with_geojson(queryset):
    return queryset.annotate(geojson=AsGeoJSON("public_point", precision=PUBLIC_DECIMALS))


def page_values(queryset, *, with_distance=False):
    """The values query behind list features: summary fields, [distance,] GeoJSON geometry."""
    fields = LIST_FIELDS + (("distance",) if with_distance else ()) + ("geojson",)
    return with_geojson(queryset).values_list(*fields)


def list_features(queryset, *, with_distance=False):
    """Features for a page of entries: summary properties only."""
    rows = page_values(queryset, with_distance=with_distance)
    if connections[rows.db].vendor == "postgresql":
        rows = _raw_rows(rows, with_distance)
    rows = list(rows)
    if not with_distance:
        return feature_rows(rows)
    features = feature_rows((*row[:9], row[10]) for row in rows)
    for feature, row in zip(features, rows, strict=True):
        feature["properties"]["distance"] = round(row[9].m, 1)
    return features


def _raw_rows(values_query, with_distance):
    """Run the ORM-built query on the cursor directly: psycopg2 already returns the types we
    encode, and skipping Django's per-row conversion saves a noticeable part of a 1,000-row
    page. (SQLite rows need Django's conversion of stored text to datetimes.)"""
    sql, params = values_query.query.sql_with_params()
    with connections[values_query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if with_distance:
        # The ORM would wrap metres in a Distance object; give the rows the same.
        rows = [(*row[:9], D(m=row[9]), row[10]) for row in rows]
    return rows


def feature_rows(rows):
    """Features from (LIST_FIELDS..., geojson) rows; the hottest loop of the API, so inline."""
    features = []
    append = features.append
    for row in rows:
        tag_slugs, slug, name, category, summary, locality, threat, precision, updated, geo = row
        append(
            {
                "type": "Feature",
                "id": slug,
                "geometry": Fragment(geo),
                "properties": {
                    "slug": slug,
                    "name": name,
                    "category": category,
                    "tags": tag_slugs.split() if tag_slugs else [],
                    "summary": summary,
                    "locality": locality,
                    "threat": threat,
                    "precision": precision,
                    "updated": updated,
                    "url": f"/entries/{slug}/",
                },
            }
        )
    return features


def detail_feature(queryset, slug):
    """The full public feature for one entry of queryset, or None."""
    row = with_geojson(queryset.filter(slug=slug)).values_list(*DETAIL_FIELDS, "geojson").first()
    if row is None:
        return None
    (feature,) = feature_rows([row[:9] + (row[-1],)])
    (
        category_name,
        description,
        address,
        postcode,
        website,
        email,
        phone,
        opening_times,
        threat_note,
        published,
        licence,
        source,
        version,
    ) = row[9:-1]
    address, postcode = public_address(row[7], address, postcode)
    feature["properties"].update(
        {
            "category_name": category_name,
            "description": description,
            "address": address,
            "postcode": postcode,
            "website": website,
            "email": email,
            "phone": phone,
            "opening_times": opening_times,
            "threat_note": threat_note,
            "published": published,
            "licence": licence,
            "source": source,
            "version": version,
        }
    )
    return feature


def encode(document):
    return orjson.dumps(document, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)
