"""Commons Map URLs: public pages, the API, OGC API - Features and the admin."""

from django.contrib import admin
from django.urls import include, path

from mapapp import ogc

ogc_patterns = [
    path("", ogc.landing, name="ogc-landing"),
    path("conformance", ogc.conformance, name="ogc-conformance"),
    path("collections", ogc.collections, name="ogc-collections"),
    path("collections/entries", ogc.collection, name="ogc-collection"),
    path("collections/entries/items", ogc.items, name="ogc-items"),
    path("collections/entries/items/<str:feature_id>", ogc.item, name="ogc-item"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("mapapp.api.urls")),
    path("ogc/", include(ogc_patterns)),
    path("accounts/", include("allauth.urls")),
    path("", include("mapapp.urls")),
]

handler404 = "mapapp.views.not_found"
# allauth looks for this name when one of its rate limits is reached.
handler429 = "mapapp.errors.too_many_requests"
