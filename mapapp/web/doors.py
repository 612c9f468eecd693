"""Which door a request came in through, read from the URL configuration, and the error
shape each door's clients read: cross-cutting answers (a 404, a refused NUL) speak it too.

The doors' prefixes are where the URL configuration includes their URL modules, so mounting the
site elsewhere (or renaming /api/) moves them without a second list to update."""

from functools import cache

from django.http import JsonResponse
from django.urls import URLResolver, get_resolver

DOOR_URLCONFS = {"mapapp.api.urls": "api", "mapapp.ogc.urls": "ogc"}


def door_of(request):
    """ "api", "ogc" or "pages" for this request's path."""
    for prefix, door in _door_prefixes(get_resolver()):
        if request.path_info.startswith(prefix):
            return door
    return "pages"


@cache
def _door_prefixes(resolver, prefix="/"):
    found = []
    for pattern in resolver.url_patterns:
        if not isinstance(pattern, URLResolver):
            continue
        here = prefix + str(pattern.pattern)
        # include("…urls") holds the module; the admin's and others' hold their patterns.
        name = getattr(pattern.urlconf_name, "__name__", None)
        door = DOOR_URLCONFS.get(name)
        found += [(here, door)] if door else _door_prefixes(pattern, here)
    return tuple(found)


def ogc_exception(status, code, description):
    """OGC API's exception document (Common, exception.yaml), not DRF's {"detail": …}."""
    return JsonResponse({"code": code, "description": description}, status=status)
