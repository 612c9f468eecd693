"""Vector tiles of the published entries under /api/v1/tiles/, and their TileJSON document.

Tiles are answered from the data set's version (mapapp.web.conditional.versioned): a client
that is up to date gets its 304 before any query for the tile runs, and a tile once made is kept
in the configured cache for VECTOR_TILE_CACHE_SECONDS under that version.
"""

from django.conf import settings
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError

from mapapp.api import docs
from mapapp.api.params import parse_tile_query
from mapapp.api.views import CommonsAPIView, TileThrottle
from mapapp.reads import tiles
from mapapp.web.conditional import versioned

MVT = "application/vnd.mapbox-vector-tile"


class EntryTile(CommonsAPIView):
    throttle_classes = [TileThrottle]

    @extend_schema(**docs.TILE)
    def get(self, request, z, x, y):
        check_tile(z, x, y)
        filters = parse_tile_query(request.GET)
        return versioned(
            request,
            lambda: tiles.tile(filters, z, x, y),
            content_type=MVT,
            cache_seconds=settings.VECTOR_TILE_CACHE_SECONDS,
        )


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


class EntryTileJSON(CommonsAPIView):
    @extend_schema(**docs.TILEJSON)
    def get(self, request):
        parse_tile_query(request.GET)
        template = tiles.tile_path_template()
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
                    "fields": {name: kind for name, _, kind in tiles.POINT_PROPERTIES},
                },
            ],
        }
        return JsonResponse(document, headers={"Cache-Control": "public, max-age=300"})
