"""WSGI entry point for Commons Map (gunicorn commons.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commons.settings")
application = get_wsgi_application()
