"""GeoJSON features of public entries, built from rows of one declared layout, encoded by orjson.

A row holds the values of public fields (reads.public: SUMMARY_FIELDS on map pages,
PUBLIC_FIELDS for one entry and for downloads) in their declared order, then the distance when
the page is near a point, then the geometry: the stored public point as GeoJSON from the
database (AsGeoJSON), embedded as a pre-encoded fragment. `Layout` declares that once;
`values_query` asks the database for it and `feature_maker` is the one place a row is read
back, whichever way it came: SQL compiled once (reads.statements), SQL compiled per request, or
the ORM's iterator (downloads). Rows are read straight off the cursor — Django's per-row
conversion costs a noticeable part of a 1,000-feature page — so this is also where SQLite's
naive datetimes are made aware and the distance is rounded. Every geometry here is the public
point, never the exact location; detail and download rows pass through reads.public.withhold.
"""

from datetime import UTC

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import EmptyResultSet
from django.db import connections
from orjson import Fragment

from mapapp.reads.public import (
    PUBLIC_DECIMALS,
    PUBLIC_FIELDS,
    SUMMARY_FIELDS,
    entry_path_parts,
    withhold,
)


class Layout:
    """The columns of a feature row: public fields, [distance,] [matched,] geometry (always
    last). matched, when counted, is how many rows the page's statement selected before its
    limit: the same in every row, and no property of the feature."""

    def __init__(self, fields, *, with_distance=False, counted=False):
        extra = ("distance",) if with_distance else ()
        self.fields = fields
        self.with_distance = with_distance
        self.counted = counted
        self.names = tuple(field.name for field in fields) + extra
        matched = ("matched",) if counted else ()
        self.columns = tuple(field.source for field in fields) + extra + matched + ("geojson",)
        self.datetimes = tuple(field.name for field in fields if field.is_datetime)
        self.booleans = tuple(field.name for field in fields if field.is_boolean)
        self.withholds = "address" in self.names
        self.read = _properties_reader(self.names)


def _properties_reader(names):
    """A function from a row to its {name: value} properties, written out for these names: a
    dict display runs at twice the speed of dict(zip(names, row)) in the API's hottest loop,
    and the layout stays declared once. The names are our own field names, never input."""
    items = ", ".join(f"{name!r}: row[{index}]" for index, name in enumerate(names))
    return eval(f"lambda row: {{{items}}}")  # noqa: S307


SUMMARY = Layout(SUMMARY_FIELDS)
COUNTED = Layout(SUMMARY_FIELDS, counted=True)
NEAR = Layout(SUMMARY_FIELDS, with_distance=True)
DETAIL = Layout(PUBLIC_FIELDS)


def page_layout(with_distance):
    return NEAR if with_distance else SUMMARY


def with_geojson(queryset):
    return queryset.annotate(geojson=AsGeoJSON("public_point", precision=PUBLIC_DECIMALS))


def values_query(queryset, layout):
    """The values query whose rows follow layout (distance is annotated by the near filter)."""
    return with_geojson(queryset).values_list(*layout.columns)


def feature_maker(layout, *, naive_datetimes=False, geometry=Fragment):
    """The function making a feature of one row of layout: the one place rows are read.

    naive_datetimes: the row came off a SQLite cursor, whose datetimes are naive (in UTC).
    geometry: what to make of the GeoJSON text (downloads read the coordinates of it)."""
    read = layout.read
    prefix, suffix = entry_path_parts()
    datetimes = layout.datetimes if naive_datetimes else ()
    # SQLite's cursor gives booleans as 0 and 1.
    booleans = layout.booleans if naive_datetimes else ()
    with_distance = layout.with_distance
    withholds = layout.withholds

    def feature(row):
        properties = read(row)
        slug = properties["slug"]
        tags = properties["tags"]
        properties["tags"] = tags.split() if tags else []
        properties["url"] = f"{prefix}{slug}{suffix}"
        for name in datetimes:
            if properties[name] is not None:
                properties[name] = properties[name].replace(tzinfo=UTC)
        for name in booleans:
            properties[name] = bool(properties[name])
        if with_distance:  # metres, from the cursor on both databases
            properties["distance"] = round(properties["distance"], 1)
        if withholds:
            withhold(properties)
        return {
            "type": "Feature",
            "id": slug,
            "geometry": geometry(row[-1]),
            "properties": properties,
        }

    return feature


def run_features(sql, params, layout, using="default"):
    """Features of the rows of one statement whose columns follow layout."""
    return run_counted_features(sql, params, layout, using)[0]


def run_counted_features(sql, params, layout, using="default"):
    """(features, matched) of one statement's rows: matched is the count a counted layout
    carries, None for another layout or when no row came back."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    feature = feature_maker(layout, naive_datetimes=connection.vendor == "sqlite")
    matched = rows[0][-2] if layout.counted and rows else None
    return [feature(row) for row in rows], matched


def queryset_features(queryset, layout):
    """Features of queryset's rows, its SQL compiled for this request."""
    query = values_query(queryset, layout)
    try:
        sql, params = query.query.get_compiler(query.db).as_sql()
    except EmptyResultSet:  # .none(), or an empty slice: no SQL to run
        return []
    return run_features(sql, params, layout, query.db)


def list_features(queryset, *, with_distance=False):
    """Features for a page of entries: summary properties only (and distance, near a point)."""
    return queryset_features(queryset, page_layout(with_distance))


def detail_feature(queryset, slug):
    """The full public feature for one entry of queryset, or None."""
    features = queryset_features(queryset.filter(slug=slug)[:1], DETAIL)
    return features[0] if features else None


def encode(document):
    return orjson.dumps(document, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)
