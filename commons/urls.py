"""Commons Map URLs: public pages, the API, OGC API - Features, Atom feeds and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("mapapp.api.urls")),
    path("ogc/", include("mapapp.ogc.urls")),
    path("feeds/", include("mapapp.feeds.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("mapapp.pages.urls")),
]

handler404 = "mapapp.web.errors.not_found"
# allauth looks for this name when one of its rate limits is reached.
handler429 = "mapapp.web.errors.too_many_requests"
