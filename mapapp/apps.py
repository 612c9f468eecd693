from django.apps import AppConfig


class MapAppConfig(AppConfig):
    name = "mapapp"
    verbose_name = "Commons Map"
