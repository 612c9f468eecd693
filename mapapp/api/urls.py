from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView

from mapapp.api import views
from mapapp.api.schema import SchemaView

urlpatterns = [
    path("v1/entries/", views.EntryList.as_view(), name="api-entries"),
    path("v1/entries/<str:slug>/", views.EntryDetail.as_view(), name="api-entry"),
    path("v1/entries/<str:slug>/reports/", views.EntryReports.as_view(), name="api-reports"),
    path("v1/clusters/", views.ClusterList.as_view(), name="api-clusters"),
    path("v1/categories/", views.CategoryList.as_view(), name="api-categories"),
    path("v1/tags/", views.TagList.as_view(), name="api-tags"),
    path("v1/schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
