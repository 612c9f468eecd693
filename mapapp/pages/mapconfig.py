"""The settings every map page hands its script: tiles, API addresses, categories and the
colour of a category the page does not know (the model field's default, declared there once)."""

from django.conf import settings
from django.urls import reverse

from mapapp.models import Category
from mapapp.reads.public import entry_path_parts
from mapapp.reads.threats import THREAT_FILTERS
from mapapp.reads.tiles import tile_path_template


def map_config(request, *, embed=False):
    return {
        "embed": embed,
        "tileUrl": settings.TILE_URL,
        "tileAttribution": settings.TILE_ATTRIBUTION,
        "maxZoom": settings.TILE_MAX_ZOOM,
        "center": [54.2, -2.8],
        "zoom": 6,
        "apiEntries": reverse("api-entries"),
        # Crowded views are drawn from the vector tiles: their URL template, and each entry's
        # page path either side of its slug (the tiles carry slugs, not URLs).
        "apiTile": tile_path_template(),
        "entryPath": entry_path_parts(),
        "apiTags": reverse("api-tags"),
        "pageLimit": settings.API_DEFAULT_LIMIT,
        "searchCountLimit": settings.SEARCH_COUNT_LIMIT,
        "siteUrl": request.build_absolute_uri("/"),
        "embedUrl": request.build_absolute_uri(reverse("embed")),
        "listUrl": reverse("entry-list"),
        # The threats page for the map's view takes these of the map's filters.
        "threatsUrl": reverse("threats"),
        "followAreaUrl": reverse("follow-area"),
        "threatFilters": list(THREAT_FILTERS),
        "categories": list(Category.objects.values("slug", "name", "colour", "icon")),
        "defaultColour": Category._meta.get_field("colour").default,
    }
