"""Settings for benchmark servers: Commons Map's own, plus the baseline endpoint's URLs."""

from commons.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# drf-gis serves only the baseline; its app maps geometry fields for GeoFeatureModelSerializer.
INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework_gis", "bench"]  # noqa: F405
API_THROTTLE_ANON = None
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
