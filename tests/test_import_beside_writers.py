"""An import being applied beside everyone else's writes: its one long transaction keeps the
map's aggregates for its end, so a contribution in the same category saves at once instead of
waiting minutes for the import to commit (PostgreSQL; SQLite lets one writer in at a time, so
there an import holds every other write back, as the README says)."""

import threading

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django_q.conf import Conf

from mapapp import services
from mapapp.imports import apply
from mapapp.models import Category, Entry, ImportRun
from mapapp.services import imports
from tests.importing import planned

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "mapapp.spatialite",
        reason="SQLite admits one writer at a time: an import holds every other write back",
    ),
]
MAPPING = {"Name": "name", "lat": "latitude", "lon": "longitude", "Category": "category"}


def gardens(count):
    rows = [f"g{n},Leeds Garden {n},53.80{n:02d},-1.55{n:02d},commoning" for n in range(count)]
    return "id,Name,lat,lon,Category\n" + "\n".join(rows) + "\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, monkeypatch):  # noqa: F811 (the fixture)
    settings.IMPORT_DIR = tmp_path / "imports"
    monkeypatch.setattr(Conf, "SYNC", True)
    monkeypatch.setattr(apply, "PROGRESS_EVERY", 5)


def test_a_contribution_saves_while_an_import_in_its_category_is_being_applied(people, category):
    moderator = people["moderator"]
    run = planned(moderator, gardens(20), MAPPING, publish=True)
    midway, written = threading.Event(), threading.Event()
    outcome = {}

    def pause_midway(done, total):
        midway.set()
        written.wait(timeout=30)

    def apply_the_import():
        try:
            imports.import_confirm(run=run, user=moderator, inline=True, on_progress=pause_midway)
        finally:
            connection.close()

    def contribute():
        midway.wait(timeout=30)
        try:
            with connection.cursor() as cursor:
                # Waiting for the import's locks would stop here, not 30 s later.
                cursor.execute("SET lock_timeout = '3s'")
            services.entry_create(
                author=None,
                data={
                    "name": "Chapeltown Tenants",
                    "category": Category.objects.get(slug="commoning"),
                    "location": Point(-1.53, 53.82, srid=4326),
                    "status": Entry.Status.PUBLISHED,
                },
            )
            outcome["contribution"] = "saved"
        except Exception as error:  # noqa: BLE001 (the failure shown)
            outcome["contribution"] = f"{type(error).__name__}: {error}"
        finally:
            written.set()
            connection.close()

    threads = [threading.Thread(target=apply_the_import), threading.Thread(target=contribute)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert midway.is_set()
    assert outcome == {"contribution": "saved"}
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.APPLIED
    assert Entry.objects.filter(name__startswith="Leeds Garden").count() == 20
    from tests.test_cluster_aggregates import assert_in_step

    assert_in_step()
