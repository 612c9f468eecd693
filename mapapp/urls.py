from django.urls import path

from mapapp import views

urlpatterns = [
    path("", views.home, name="home"),
]
