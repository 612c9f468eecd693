from django.urls import path

from mapapp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("embed/", views.embed, name="embed"),
    path("entries/", views.entry_list, name="entry-list"),
    path("entries/<str:slug>/", views.entry_detail, name="entry-detail"),
    path("privacy/", views.privacy, name="privacy"),
]
