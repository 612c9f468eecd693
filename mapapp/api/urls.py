from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView

from mapapp.api import standards, threats, tiles, views
from mapapp.api.schema import SchemaView

# The split view serves Swagger UI's start-up script as a file, so script-src stays 'self'; the
# page's own <style> block needs inline styles, on this page only.
swagger_ui = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("v1/entries/", views.EntryList.as_view(), name="api-entries"),
    path("v1/entries/<str:slug>/", views.EntryDetail.as_view(), name="api-entry"),
    path("v1/entries/<str:slug>/reports/", views.EntryReports.as_view(), name="api-reports"),
    path("v1/entries/<str:slug>/jsonld/", standards.EntryJSONLD.as_view(), name="api-entry-jsonld"),
    path(
        "v1/entries/<str:slug>/murmurations/",
        standards.EntryMurmurations.as_view(),
        name="api-entry-murmurations",
    ),
    path("v1/entries/<str:slug>/cases/", threats.EntryCases.as_view(), name="api-entry-cases"),
    path("v1/threats/", threats.ThreatList.as_view(), name="api-threats"),
    path("v1/threats/stats/", threats.ThreatStats.as_view(), name="api-threat-stats"),
    path("v1/threats/<int:pk>/", threats.ThreatDetail.as_view(), name="api-threat"),
    path("v1/threats/<int:pk>/events/", threats.ThreatEvents.as_view(), name="api-threat-events"),
    path(
        "v1/threats/<int:pk>/events/<int:event_id>/",
        threats.ThreatEventDetail.as_view(),
        name="api-threat-event",
    ),
    path("v1/exports/hsds.zip", standards.HSDSExport.as_view(), name="api-export-hsds"),
    path("v1/clusters/", views.ClusterList.as_view(), name="api-clusters"),
    path("v1/tiles/<int:z>/<int:x>/<int:y>.mvt", tiles.EntryTile.as_view(), name="api-tile"),
    path("v1/tiles/entries.json", tiles.EntryTileJSON.as_view(), name="api-tilejson"),
    path("v1/categories/", views.CategoryList.as_view(), name="api-categories"),
    path("v1/tags/", views.TagList.as_view(), name="api-tags"),
    path("v1/schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", swagger_ui, name="api-docs"),
]
