"""Commons Map mounted under /commons/: links built from the URL configuration follow it."""

from django.urls import include, path

urlpatterns = [path("commons/", include("commons.urls"))]
