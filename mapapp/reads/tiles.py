"""Vector tiles (Mapbox Vector Tile) of public entries, in the Web Mercator tile grid.

Below POINTS_ZOOM a tile holds the clusters of the entries in it (the clusters read, cut by the
tile's box, so each tile's counts add up to the entries in it, exactly as the list counts them);
from POINTS_ZOOM on it holds each entry's public point with its summary. Either way the points are
public points only, never an exact location withheld.

PostGIS encodes point tiles itself (ST_AsMVTGeom, ST_AsMVT); SpatiaLite has no encoder, so the
same layer is encoded in Python by mapbox-vector-tile, and clusters are always encoded that way
(a tile holds a few dozen). Both give the same features (tests/test_vector_tiles.py decodes both).
"""

import math

import mapbox_vector_tile
from django.db import connections
from django.db.models import CharField, F
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from shapely.geometry import Point

from mapapp.grid import CELLS_PER_TILE, FINEST_ZOOM
from mapapp.reads.clusters import clusters
from mapapp.reads.filters import entries_matching

# Coordinates per tile side, as every vector tile renderer expects by default.
EXTENT = 4096
# From this zoom on, tiles carry entries one by one (a tile is ~10 km across at zoom 12).
POINTS_ZOOM = FINEST_ZOOM
# A tile is CELLS_PER_TILE cells wide and, in Web Mercator, at most about as many high.
CELLS_PER_TILE_AT_MOST = (CELLS_PER_TILE + 2) ** 2
MAX_ZOOM = 20
POINTS_LAYER = "entries"
CLUSTERS_LAYER = "clusters"
# What a point feature says of its entry: (property name, values() expression, TileJSON type),
# all public. Freshness too, so the map greys out unverified dots drawn from tiles as from
# GeoJSON: verified as its date (YYYY-MM-DD), left out when the entry was never verified.
POINT_PROPERTIES = (
    ("slug", F("slug"), "String"),
    ("name", F("name"), "String"),
    ("category", F("category__slug"), "String"),
    ("threat", F("threat"), "String"),
    ("precision", F("precision"), "String"),
    ("unverified", F("unverified"), "Boolean"),
    ("verified", Substr(Cast("verified_at", CharField()), 1, 10), "String"),
)
CLUSTER_PROPERTIES = ("count", "west", "south", "east", "north")
ATTRIBUTION = "Entries: Commons Map contributors (CC BY-SA 4.0 unless an entry says otherwise)"
# Web Mercator's half width in metres, and the latitude where its square grid ends.
HALF_WORLD = 20037508.342789244
MAX_LATITUDE = 85.0511287798066


def tile_path_template():
    """The tiles' path with {z}, {x} and {y} in it (/api/v1/tiles/{z}/{x}/{y}.mvt), from the
    URLconf."""
    return reverse("api-tile", kwargs={"z": 0, "x": 0, "y": 0}).replace(
        "/0/0/0.mvt", "/{z}/{x}/{y}.mvt"
    )


def tile_bbox(z, x, y):
    """(west, south, east, north) in degrees of tile z/x/y (x eastwards, y southwards)."""
    n = 2**z

    def latitude(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, latitude(y + 1), (x + 1) / n * 360 - 180, latitude(y))


def mercator(lon, lat):
    """EPSG:3857 metres of a longitude and latitude (latitudes clamped to the grid's edge)."""
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = lon * HALF_WORLD / 180
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * HALF_WORLD / math.pi
    return x, y


def tile_bounds_metres(z, x, y):
    size = 2 * HALF_WORLD / 2**z
    west, north = -HALF_WORLD + x * size, HALF_WORLD - y * size
    return west, north - size, west + size, north


def tile(filters, z, x, y):
    """The encoded tile z/x/y of the entries filters select (their bbox is ignored: the tile is
    the box)."""
    filters.bbox = clamp_box(tile_bbox(z, x, y))
    if z < POINTS_ZOOM:
        rows = clusters(filters, z, limit=CELLS_PER_TILE_AT_MOST)
        return encode_layer(CLUSTERS_LAYER, cluster_features(rows), z, x, y)
    entries = entries_matching(filters).order_by()
    if connections[entries.db].vendor == "postgresql":
        return postgis_points_tile(entries, z, x, y)
    return encode_layer(POINTS_LAYER, point_features(entries), z, x, y)


def clamp_box(box):
    west, south, east, north = box
    return (max(-180.0, west), max(-90.0, south), min(180.0, east), min(90.0, north))


def cluster_features(rows):
    return [
        {
            "geometry": Point(mercator(row["lon"], row["lat"])),
            "properties": {name: row[name] for name in CLUSTER_PROPERTIES},
        }
        for row in rows
    ]


def point_rows(entries):
    names = [name for name, _, _ in POINT_PROPERTIES]
    columns = {f"tile_{name}": expression for name, expression, _ in POINT_PROPERTIES}
    return names, entries.annotate(**columns).values_list(*columns, "public_point")


def point_features(entries):
    names, rows = point_rows(entries)
    return [
        {
            "geometry": Point(mercator(row[-1].x, row[-1].y)),
            "properties": dict(zip(names, row[:-1], strict=True)),
        }
        for row in rows
    ]


def encode_layer(name, features, z, x, y):
    if not features:
        return b""
    options = {"quantize_bounds": tile_bounds_metres(z, x, y), "extents": EXTENT}
    return mapbox_vector_tile.encode(
        [{"name": name, "features": features}], default_options=options
    )


def postgis_points_tile(entries, z, x, y):
    """The points layer encoded by PostGIS from the same query the SpatiaLite path reads."""
    names, rows = point_rows(entries)
    sql, params = rows.query.get_compiler(entries.db).as_sql()
    inner = ", ".join(f'e."tile_{name}" AS "{name}"' for name in names)
    statement = (
        "SELECT ST_AsMVT(tile, %s, %s, 'geom') FROM ("  # noqa: S608 (our own column names)
        f"SELECT {inner}, ST_AsMVTGeom(ST_Transform(e.public_point, 3857), "
        "ST_TileEnvelope(%s, %s, %s), %s, 0, false) AS geom "
        f"FROM ({sql}) AS e) AS tile"
    )
    with connections[entries.db].cursor() as cursor:
        cursor.execute(statement, (POINTS_LAYER, EXTENT, z, x, y, EXTENT, *params))
        (body,) = cursor.fetchone()
    return bytes(body or b"")
