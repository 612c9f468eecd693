from django.urls import include, path

from bench.baseline import BaselineEntryList

urlpatterns = [
    path("bench/baseline/entries/", BaselineEntryList.as_view()),
    path("", include("commons.urls")),
]
