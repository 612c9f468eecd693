"""GeoJSON answers the API and OGC doors give alike: the media type, a page of features with
its counts and the links to its neighbours, and one feature with its links, answered
conditionally."""

from django.utils import timezone

from mapapp.reads.geojson import encode
from mapapp.web.conditional import cached_json

GEOJSON = "application/geo+json"
# The times in a feature's properties after which it reads differently.
CHANGE_TIMES = ("updated", "verified", "confirmed")


def neighbour_links(request, *, offset, limit, matched):
    """`next` and `prev` links of a page of `limit` features from `offset` of `matched`, each
    the request's own address with only offset and limit changed."""
    base = request.build_absolute_uri(request.path)
    query = request.GET.copy()
    links = []
    for rel, start, wanted in (
        ("next", offset + limit, offset + limit < matched),
        ("prev", max(0, offset - limit), offset > 0),
    ):
        if wanted:
            query["offset"], query["limit"] = str(start), str(limit)
            links.append({"rel": rel, "type": GEOJSON, "href": f"{base}?{query.urlencode()}"})
    return links


def feature_page(request, features, filters, *, matched, links=(), stamped=False):
    """A page of features as a FeatureCollection: its counts, its links (self, `links`, then
    next and prev) and, if `stamped`, OGC's timeStamp. `matched` None: too many to count, so
    the page says nothing of it and a full page links to the next."""
    collection = {"type": "FeatureCollection"}
    if matched is None:
        matched = filters.offset + len(features) + (len(features) == filters.limit)
    else:
        collection["numberMatched"] = matched
    collection["numberReturned"] = len(features)
    if stamped:
        collection["timeStamp"] = timezone.now().replace(microsecond=0)
    collection["links"] = [
        {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()},
        *links,
        *neighbour_links(request, offset=filters.offset, limit=filters.limit, matched=matched),
    ]
    collection["features"] = features
    return collection


def last_changed(properties):
    """When a feature last changed: its edit, or a verification or a visitor's confirmation
    since, which change what it says without making a new version."""
    return max(filter(None, (properties.get(name) for name in CHANGE_TIMES)), default=None)


def feature_response(request, feature, *, links, etag_prefix=""):
    """One public feature with `links` and its entry page's, a 304 when the client is current."""
    page = request.build_absolute_uri(feature["properties"]["url"])
    feature["links"] = [*links, {"rel": "alternate", "type": "text/html", "href": page}]
    return cached_json(
        request,
        encode(feature),
        content_type=GEOJSON,
        last_modified=last_changed(feature["properties"]),
        etag_prefix=etag_prefix,
    )
