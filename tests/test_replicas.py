"""Read replicas: public reads come from a real streaming replica, writes and the writer's next
reads from the primary, and without replicas everything stays on default."""

import copy
import json
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from commons.settings import replica_databases
from mapapp.models import Entry
from mapapp.web import replicas
from tests.test_settings import load_settings

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "mapapp.spatialite",
    reason="replicas are PostgreSQL streaming replication",
)

ROOT = Path(__file__).resolve().parent.parent
POSTGIS = {"ENGINE": "django.contrib.gis.db.backends.postgis"}
URL = "/api/v1/entries/"
BODY = {
    "name": "Salford Tool Library",
    "category": "commoning",
    "geometry": {"type": "Point", "coordinates": [-2.2889, 53.4875]},
}
on_replica = pytest.mark.django_db(transaction=True, databases=["default", "replica_1"])


@pytest.fixture(scope="module")
def replica_port():
    """The port of a running replica of the test server: scripts/test.sh starts one and says
    where in TEST_REPLICA_PORT; run alone, this starts it."""
    if os.environ.get("TEST_REPLICA_PORT"):
        return os.environ["TEST_REPLICA_PORT"]
    done = subprocess.run(
        [ROOT / "scripts" / "setup_replica.sh"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"scripts/setup_replica.sh could not start a replica:\n{done.stderr}")
    return done.stdout.split()[-1]


@pytest.fixture(scope="module")
def replica(django_db_setup, replica_port):
    """replica_1: the test database as the replica serves it (it copies the whole cluster)."""
    config = copy.deepcopy(connections.settings["default"])
    config["PORT"] = replica_port
    config["TEST"]["MIRROR"] = "default"
    connections.settings["replica_1"] = config
    yield "replica_1"
    connections["replica_1"].close()
    del connections["replica_1"]
    del connections.settings["replica_1"]


@pytest.fixture(autouse=True)
def new_client():
    """Each test starts as a client that has written nothing (fixtures' writes pin the test's
    own thread, as they would a script's)."""
    pinned, wrote = replicas._pinned.set(False), replicas._wrote.set(False)
    yield
    replicas._pinned.reset(pinned)
    replicas._wrote.reset(wrote)


@contextmanager
def without_replicas():
    taken = {alias: connections.settings.pop(alias) for alias in replicas.replica_aliases()}
    try:
        yield
    finally:
        connections.settings.update(taken)


@contextmanager
def queries_on(*aliases):
    with CaptureQueriesContext(connections[aliases[0]]) as first:
        if len(aliases) == 1:
            yield (first,)
            return
        with queries_on(*aliases[1:]) as rest:
            yield (first, *rest)


def read_entries(captured):
    return [query["sql"] for query in captured if "mapapp_entry" in query["sql"]]


def wait_for_replay(entry, alias="replica_1"):
    """The replica replays the primary's commits a moment later: wait for this one."""
    deadline = time.monotonic() + 60
    while not Entry.objects.using(alias).filter(pk=entry.pk, name=entry.name).exists():
        assert time.monotonic() < deadline, f"{alias} never replayed entry {entry.pk}"
        time.sleep(0.05)


def author_client(people):
    key = Token.objects.get_or_create(user=people["trusted"])[0].key
    return Client(headers={"Authorization": f"Token {key}"})


def post_entry(client, **fields):
    response = client.post(URL, json.dumps({**BODY, **fields}), content_type="application/json")
    assert response.status_code == 201, response.content
    return response


@on_replica
def test_the_router_reads_from_a_server_in_recovery(replica):
    alias = router.db_for_read(Entry)
    assert alias == "replica_1"
    with connections[alias].cursor() as cursor:
        cursor.execute("select pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    assert router.db_for_write(Entry) == "default"


@on_replica
def test_a_public_entry_read_is_served_by_the_replica(replica, make_entry):
    entry = make_entry(lon=-2.5879, lat=51.4545)
    wait_for_replay(entry)
    with queries_on("replica_1", "default") as (from_replica, from_primary):
        response = Client().get(f"{URL}{entry.slug}/")
    assert response.status_code == 200
    assert response.json()["properties"]["name"] == entry.name
    assert read_entries(from_replica) and not read_entries(from_primary)
    assert replicas.PIN_COOKIE not in response.cookies


@on_replica
def test_the_map_list_and_a_vector_tile_are_served_by_the_replica(replica, make_entry):
    entry = make_entry(lon=-2.5879, lat=51.4545)
    wait_for_replay(entry)
    with queries_on("replica_1", "default") as (from_replica, from_primary):
        listed = Client().get(URL, {"bbox": "-3,51,-2,52"})
        tile = Client().get("/api/v1/tiles/14/8074/5451.mvt")
    assert listed.status_code == 200 and tile.status_code == 200 and tile.content
    assert [f["id"] for f in listed.json()["features"]] == [entry.slug]
    assert read_entries(from_replica) and not read_entries(from_primary)


@on_replica
def test_the_author_reads_their_write_from_the_primary_on_the_next_request(
    replica, people, category
):
    author = author_client(people)
    created = post_entry(author, name="Levenshulme Tool Library")
    assert replicas.PIN_COOKIE in created.cookies
    slug = created.json()["properties"]["slug"]
    with queries_on("replica_1", "default") as (from_replica, from_primary):
        response = author.get(f"{URL}{slug}/")
    assert response.status_code == 200
    assert response.json()["properties"]["name"] == "Levenshulme Tool Library"
    assert read_entries(from_primary) and not read_entries(from_replica)


@on_replica
def test_other_clients_keep_reading_the_replica_after_someone_writes(replica, people, category):
    created = post_entry(author_client(people))
    entry = Entry.objects.get(slug=created.json()["properties"]["slug"])
    wait_for_replay(entry)
    with queries_on("replica_1", "default") as (from_replica, from_primary):
        assert Client().get(f"{URL}{entry.slug}/").status_code == 200
    assert read_entries(from_replica) and not read_entries(from_primary)


@on_replica
def test_a_forged_pin_cookie_is_ignored(replica):
    client = Client()
    client.cookies[replicas.PIN_COOKIE] = "1"
    with queries_on("replica_1") as (from_replica,):
        assert client.get(f"{URL}no-such-entry/").status_code == 404
    assert read_entries(from_replica)


@on_replica
def test_a_write_outside_a_request_pins_the_reads_that_follow_it(replica):
    assert router.db_for_read(Entry) == "replica_1"
    Group.objects.create(name="Readers of their own writes")
    assert router.db_for_read(Entry) == "default"


@on_replica
def test_a_safe_request_that_writes_reads_the_primary_after_and_pins_its_client(replica):
    def view(request):
        before = router.db_for_read(Entry)
        Group.objects.create(name="Written during a GET")
        return HttpResponse(f"{before} {router.db_for_read(Entry)}")

    response = replicas.ReadYourWritesMiddleware(view)(RequestFactory().get("/"))
    assert response.content == b"replica_1 default"
    assert replicas.PIN_COOKIE in response.cookies
    assert router.db_for_read(Entry) == "replica_1"


@on_replica
def test_reads_inside_a_transaction_go_to_the_primary(replica):
    with transaction.atomic():
        assert router.db_for_read(Entry) == "default"
    assert router.db_for_read(Entry) == "replica_1"


@on_replica
def test_the_cache_table_is_always_read_on_the_primary_and_does_not_pin(replica):
    from django.core.cache.backends.db import Options

    class CacheEntry:
        _meta = Options("commons_cache")

    assert router.db_for_read(CacheEntry) == "default"
    assert router.db_for_write(CacheEntry) == "default"
    assert router.db_for_read(Entry) == "replica_1"


def test_migrations_run_only_on_default(replica):
    assert router.allow_migrate("default", "mapapp")
    assert not router.allow_migrate("replica_1", "mapapp")


@pytest.mark.django_db
def test_without_replicas_everything_goes_to_default(people, category):
    with without_replicas():
        assert router.db_for_read(Entry) == "default"
        assert router.db_for_write(Entry) == "default"
        created = post_entry(author_client(people))
        assert replicas.PIN_COOKIE not in created.cookies
        slug = created.json()["properties"]["slug"]
        with queries_on("default") as (from_primary,):
            assert Client().get(f"{URL}{slug}/").status_code == 200
        assert read_entries(from_primary)


def test_start_up_reads_the_replica_urls_from_the_environment():
    result = load_settings(
        "sorted(s.DATABASES), s.DATABASES['replica_2']['PORT'], s.REPLICA_PIN_SECONDS",
        DATABASE_URL="postgis://postgres@127.0.0.1:5432/commons",
        DATABASE_REPLICA_URLS="postgis://postgres@127.0.0.1:5433/commons, "
        "postgis://postgres@127.0.0.1:5434/commons",
        REPLICA_PIN_SECONDS="3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default', 'replica_1', 'replica_2'] 5434 3"


def test_replica_urls_become_aliases_the_test_runner_does_not_create():
    found = replica_databases(["postgis://u@one:5433/commons", "postgis://u@two/commons"], POSTGIS)
    assert list(found) == ["replica_1", "replica_2"]
    assert found["replica_2"]["HOST"] == "two" and found["replica_1"]["PORT"] == 5433
    assert found["replica_1"]["TEST"] == {"MIRROR": "default"}
    assert replica_databases([], POSTGIS) == {}


@pytest.mark.parametrize(
    "urls, primary, message",
    [
        (["spatialite:///var/x.sqlite3"], POSTGIS, "is not a postgis:// URL"),
        (["postgis://u@host"], POSTGIS, "DATABASE_REPLICA_URLS=.* does not name a database"),
        (["postgis://u@host/c"], {"ENGINE": "mapapp.spatialite"}, "needs a postgis://"),
    ],
)
def test_replica_urls_that_cannot_work_stop_start_up_naming_the_setting(urls, primary, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        replica_databases(urls, primary)


WHICH_DATABASE = """
import sys
sys.argv = ["manage.py", sys.argv[1]]
import django
django.setup()
from django.db import router
from mapapp.models import Entry
print(router.db_for_read(Entry))
"""


@pytest.mark.parametrize(
    ("command", "reads"), [("qcluster", "default"), ("runserver", "replica_1")]
)
def test_a_job_worker_reads_the_primary_where_web_servers_read_a_replica(command, reads):
    """A job reads what it was queued after; a replica a moment behind would show a
    just-published entry as pending. (Routing only: no database is opened.)"""
    env = {
        **os.environ,
        "DATABASE_URL": "postgis://postgres@127.0.0.1:5432/commons_routing",
        "DATABASE_REPLICA_URLS": "postgis://postgres@127.0.0.1:5499/commons_routing",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "commons.settings"
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", WHICH_DATABASE, command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == reads
