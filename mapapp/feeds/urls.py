"""The Atom feeds: new entries in an area or a category, one entry's changes, the threats."""

from django.urls import path

from mapapp.feeds import views

urlpatterns = [
    path("area/", views.area, name="feed-area"),
    path("categories/<str:category>/", views.category, name="feed-category"),
    path("entries/<str:slug>/", views.entry, name="feed-entry"),
    path("threats/", views.threats, name="feed-threats"),
]
