"""Vector tiles of the published entries under /api/v1/tiles/, and their TileJSON document.

A tile's ETag comes from the data set's version and the request alone, so a client that is up to
date gets its 304 before any query for the tile runs; a tile once made is kept in the configured
cache under that version, so a write makes every older tile unreachable at once.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import router
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError

from mapapp.api import docs
from mapapp.api.params import cell_degrees, parse_tile_query
from mapapp.api.views import CommonsAPIView
from mapapp.models import Entry
from mapapp.reads import tiles
from mapapp.reads.filters import entries_matching
from mapapp.reads.statements import dataset_last_modified

MVT = "application/vnd.mapbox-vector-tile"


def clusters(filters, zoom):
    return list(entries_matching(filters).clusters(cell_degrees(zoom)))


class EntryTile(CommonsAPIView):
    @extend_schema(**docs.TILE)
    def get(self, request, z, x, y):
        check_tile(z, x, y)
        filters = parse_tile_query(request.GET)
        changed = dataset_last_modified(router.db_for_read(Entry))
        key = version_key(request, changed)
        etag = f'"t{key[:24]}"'
        timestamp = int(changed.timestamp()) if changed else None
        if answered := get_conditional_response(request, etag=etag, last_modified=timestamp):
            return answered
        body = cache.get(f"tile:{key}")
        if body is None:
            body = tiles.tile(filters, z, x, y, clusters)
            cache.set(f"tile:{key}", body, timeout=settings.VECTOR_TILE_CACHE_SECONDS)
        response = HttpResponse(body, content_type=MVT)
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=60"
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        return response


def check_tile(z, x, y):
    """A 400 naming the coordinate that is off the tile grid."""
    if z > tiles.MAX_ZOOM:
        raise ValidationError({"z": [f"z must be 0..{tiles.MAX_ZOOM}, not {z}."]})
    last = 2**z - 1
    wrong = {name: value for name, value in (("x", x), ("y", y)) if value > last}
    if wrong:
        raise ValidationError(
            {
                name: [f"{name} must be 0..{last} at zoom {z}, not {value}."]
                for name, value in wrong.items()
            }
        )


def version_key(request, changed):
    """The data set's version plus the request's path and (sorted) query: the tile's identity."""
    query = sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
    text = f"{changed.isoformat() if changed else '-'}|{request.path}|{query}"
    return hashlib.sha256(text.encode()).hexdigest()


class EntryTileJSON(CommonsAPIView):
    @extend_schema(**docs.TILEJSON)
    def get(self, request):
        parse_tile_query(request.GET)
        template = reverse("api-tile", kwargs={"z": 0, "x": 0, "y": 0}).replace(
            "/0/0/0.mvt", "/{z}/{x}/{y}.mvt"
        )
        query = request.GET.urlencode()
        url = request.build_absolute_uri(template).replace("%7B", "{").replace("%7D", "}")
        document = {
            "tilejson": "3.0.0",
            "name": "Commons Map entries",
            "description": (
                f"Published entries: clusters below zoom {tiles.POINTS_ZOOM}, "
                "each entry's public point from there on."
            ),
            "tiles": [f"{url}?{query}" if query else url],
            "minzoom": 0,
            "maxzoom": tiles.MAX_ZOOM,
            "bounds": [-180, -tiles.MAX_LATITUDE, 180, tiles.MAX_LATITUDE],
            "attribution": tiles.ATTRIBUTION,
            "vector_layers": [
                {
                    "id": tiles.CLUSTERS_LAYER,
                    "description": "Entries counted per cell, at the mean of their public points.",
                    "minzoom": 0,
                    "maxzoom": tiles.POINTS_ZOOM - 1,
                    "fields": dict.fromkeys(tiles.CLUSTER_PROPERTIES, "Number"),
                },
                {
                    "id": tiles.POINTS_LAYER,
                    "description": "Each entry at its public point.",
                    "minzoom": tiles.POINTS_ZOOM,
                    "maxzoom": tiles.MAX_ZOOM,
                    "fields": {name: "String" for name, _ in tiles.POINT_PROPERTIES},
                },
            ],
        }
        return JsonResponse(document, headers={"Cache-Control": "public, max-age=300"})
