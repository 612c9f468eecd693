"""Commons Map URLs: public pages, the API, OGC API - Features and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path

from mapapp import ogc

ogc_patterns = [
    path("", ogc.landing, name="ogc-landing"),
    path("conformance", ogc.conformance, name="ogc-conformance"),
    path("collections", ogc.collections, name="ogc-collections"),
    path("collections/<str:collection_id>", ogc.collection, name="ogc-collection"),
    path("collections/<str:collection_id>/items", ogc.items, name="ogc-items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="ogc-item"),
    # Anything else under /ogc/ answers in OGC's exception shape too.
    re_path(r"^(?P<rest>.+)$", ogc.not_found, name="ogc-not-found"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("mapapp.api.urls")),
    path("ogc/", include(ogc_patterns)),
    path("accounts/", include("allauth.urls")),
    path("", include("mapapp.urls")),
]

handler404 = "mapapp.errors.not_found"
# allauth looks for this name when one of its rate limits is reached.
handler429 = "mapapp.errors.too_many_requests"
