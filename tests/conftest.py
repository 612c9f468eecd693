import itertools

import pytest
from django.contrib.gis.geos import Point

from mapapp import services
from mapapp.models import Category, Entry

_names = itertools.count(1)


@pytest.fixture
def category(db):
    return Category.objects.get(slug="commoning")


@pytest.fixture
def make_entry(db):
    """Create an entry through the services, with sensible defaults for anything not given."""

    def make(lon=-2.5879, lat=51.4545, tags=(), author=None, category_slug="commoning", **fields):
        data = {
            "name": f"Test entry {next(_names)}",
            "category": Category.objects.get(slug=category_slug),
            "location": Point(lon, lat, srid=4326),
            "status": Entry.Status.PUBLISHED,
            **fields,
        }
        return services.entry_create(author=author, data=data, tags=services.tags_from_names(tags))

    return make
