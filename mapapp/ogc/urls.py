"""OGC API - Features under /ogc/."""

from django.urls import path, re_path

from mapapp.ogc import views

urlpatterns = [
    path("", views.landing, name="ogc-landing"),
    path("conformance", views.conformance, name="ogc-conformance"),
    path("collections", views.collections, name="ogc-collections"),
    path("collections/<str:collection_id>", views.collection, name="ogc-collection"),
    path("collections/<str:collection_id>/items", views.items, name="ogc-items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="ogc-item"),
    # Anything else under /ogc/ answers in OGC's exception shape too.
    re_path(r"^(?P<rest>.+)$", views.not_found, name="ogc-not-found"),
]
