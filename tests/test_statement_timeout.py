"""A request's database statements are held to DATABASE_STATEMENT_TIMEOUT_MS: a slower one is
stopped and the request answers 503 in its door's shape; commands are not held to it.

The slow statements are real ones (pg_sleep, or a long recursive count on SQLite), run from the
reads the views call."""

import json

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.test import RequestFactory

from mapapp.web.timeouts import StatementTimeoutMiddleware, is_statement_timeout
from tests.conftest import ensure_categories
from tests.test_settings import load_settings

# On PostgreSQL a stopped statement aborts the transaction it is in, which would be the test's
# own: these tests commit. The serialized rollback puts back the seeded rows for later tests.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIMIT_MS = 100
MESSAGE = (
    f"This request took longer than {LIMIT_MS} ms and was stopped; "
    "try a smaller area or fewer filters."
)
# Rows a second SQLite's recursive count gets through here, give or take: enough to size a
# statement that outlasts LIMIT_MS several times over.
SQLITE_ROWS_PER_SECOND = 5_000_000


def run_slow_statement(seconds, using=connection):
    """Run one statement that takes about `seconds` in the database itself."""
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        else:
            rows = int(seconds * SQLITE_ROWS_PER_SECOND)
            cursor.execute(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %s) "
                "SELECT count(*) FROM n",
                [rows],
            )
        cursor.fetchall()


def slow_read(seconds, returns=None):
    def read(*args, **kwargs):
        run_slow_statement(seconds)
        return returns

    return read


@pytest.fixture
def limit(settings):
    settings.DATABASE_STATEMENT_TIMEOUT_MS = LIMIT_MS


@committing
def test_a_slow_api_read_answers_503_in_the_apis_json_with_retry_after(limit, client, monkeypatch):
    monkeypatch.setattr("mapapp.api.views.categories_with_counts", slow_read(10, []))
    response = client.get("/api/v1/categories/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": MESSAGE}
    assert response["Retry-After"] == "30"


@committing
def test_a_slow_ogc_read_answers_503_as_an_ogc_exception_with_retry_after(
    limit, client, monkeypatch, make_entry
):
    make_entry()
    monkeypatch.setattr("mapapp.ogc.views.dataset_last_modified", slow_read(10))
    response = client.get("/ogc/collections/entries/items")
    assert response.status_code == 503
    assert json.loads(response.content) == {"code": "ServiceUnavailable", "description": MESSAGE}
    assert response["Retry-After"] == "30"


@committing
def test_a_slow_page_answers_503_in_the_sites_layout_with_retry_after(limit, client, monkeypatch):
    monkeypatch.setattr("mapapp.pages.public.next_deadlines", slow_read(10, {}))
    response = client.get("/entries/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "<title>Taking too long · Commons Map</title>" in page
    assert MESSAGE in page
    assert 'href="/"' in page  # the way back to the map


@committing
def test_a_fast_request_is_unaffected(limit, client):
    ensure_categories()  # a transactional test before may have flushed them
    response = client.get("/api/v1/categories/")
    assert response.status_code == 200
    assert len(json.loads(response.content)) > 0


@committing
def test_a_timeout_of_0_lets_a_slow_statement_finish(limit, client, monkeypatch, settings):
    settings.DATABASE_STATEMENT_TIMEOUT_MS = 0
    monkeypatch.setattr("mapapp.api.views.categories_with_counts", slow_read(0.5, []))
    response = client.get("/api/v1/categories/")
    assert response.status_code == 200


@committing
def test_a_management_command_is_not_cut_off(limit, monkeypatch):
    """Commands (and migrations, and the benchmark's data) run outside any request."""
    ensure_categories()
    monkeypatch.setattr("mapapp.management.commands.load_demo._load_cases", slow_read(0.5, 0))
    call_command("load_demo", verbosity=0)


@committing
def test_the_connection_serves_the_next_request_after_a_statement_is_stopped(
    limit, client, monkeypatch
):
    monkeypatch.setattr("mapapp.api.views.categories_with_counts", slow_read(10, []))
    assert client.get("/api/v1/categories/").status_code == 503
    monkeypatch.undo()
    assert client.get("/api/v1/categories/").status_code == 200
    # And outside requests it has no limit again.
    run_slow_statement(0.5)


@committing
def test_other_database_errors_surface_as_before(limit, client, monkeypatch):
    def locked():
        raise OperationalError("database is locked")

    monkeypatch.setattr("mapapp.api.views.categories_with_counts", locked)
    with pytest.raises(OperationalError, match="database is locked"):
        client.get("/api/v1/categories/")


@committing
def test_a_connection_opened_for_any_alias_is_held_to_the_limit(limit):
    """As each replica_N is: the limit comes with every connection, not with `default`."""
    other = connections.create_connection("default")

    def view(request):
        run_slow_statement(10, using=other)
        return HttpResponse()

    try:
        with pytest.raises(OperationalError) as stopped:
            StatementTimeoutMiddleware(view)(RequestFactory().get("/"))
        assert is_statement_timeout(stopped.value)
    finally:
        other.close()


def test_the_timeout_defaults_to_five_seconds():
    done = load_settings("s.DATABASE_STATEMENT_TIMEOUT_MS")
    assert done.stdout.strip() == "5000"


def test_a_negative_timeout_stops_start_up():
    done = load_settings("s.DATABASE_STATEMENT_TIMEOUT_MS", DATABASE_STATEMENT_TIMEOUT_MS="-1")
    assert "DATABASE_STATEMENT_TIMEOUT_MS=-1 must be at least 0" in done.stderr
