"""Commons Map URLs: public pages, the API, OGC API - Features and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("mapapp.api.urls")),
    path("", include("mapapp.urls")),
]
