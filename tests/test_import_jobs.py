"""An import's dry run and apply are jobs with a timeout of their own, IMPORT_TIMEOUT_SECONDS,
so a list that takes longer than other jobs may (JOB_TIMEOUT_SECONDS) is planned and applied
once, not stopped and retried for ever.

The worker is the real one (`manage.py qcluster`) on the test database with a cluster timeout
of one second; what makes the jobs outlast it without timing anything here is a geocoder (a
real HTTP server on a free port) that takes half a second to find nothing for each address,
and a few hundred rows applied through the entry services.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_q.models import OrmQ, Task

from mapapp.models import Entry, ImportRun
from mapapp.services import imports
from tests.importing import upload
from tests.test_job_queue import Worker, free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ADDRESSES = ["1 Mill Lane", "2 Mill Lane", "3 Mill Lane", "4 Mill Lane"]
PLACED = 300
MAPPING = {"Name": "name", "Address": "address", "Town": "locality"}
MAPPING |= {"lat": "latitude", "lon": "longitude"}


def slow_list():
    lines = ["Name,Address,Town,lat,lon"]
    lines += [f"Garden on {street},{street},Bristol,," for street in ADDRESSES]
    lines += [f"Timebank {n},,Bristol,51.{4000 + n},-2.{5000 + n}" for n in range(PLACED)]
    return "\n".join(lines) + "\n"


class SlowGeocoder(ThreadingHTTPServer):
    """Answers every search, after half a second, with no place found."""

    def __init__(self):
        self.asked = 0
        super().__init__(("127.0.0.1", free_port()), self.Handler)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.server.asked += 1
            time.sleep(0.5)
            body = json.dumps([]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass


@pytest.fixture
def geocoder():
    server = SlowGeocoder()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def import_worker(settings, tmp_path, geocoder):
    """Starts a worker whose jobs are stopped after a second, imports' after a minute."""
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_TIMEOUT_SECONDS = 60
    env = {
        "IMPORT_DIR": str(settings.IMPORT_DIR),
        "IMPORT_GEOCODER_URL": f"http://127.0.0.1:{geocoder.server_port}/search",
        "JOB_TIMEOUT_SECONDS": "1",
        "IMPORT_TIMEOUT_SECONDS": "60",
    }
    started = []

    def start():
        one = Worker(free_port(), **env)
        started.append(one)
        one.start()
        return one

    yield start
    for one in started:
        one.stop()


def queued_timeout(job):
    """The timeout the queued job (a dotted path) was given."""
    (queued,) = [queued for queued in OrmQ.objects.all() if queued.func() == job]
    return queued.task.get("timeout")


def status_of(run):
    return ImportRun.objects.values_list("status", flat=True).get(pk=run.pk)


def test_an_import_is_planned_and_applied_by_a_worker_under_the_imports_timeout(
    people, category, import_worker, geocoder
):
    user = people["moderator"]
    run = upload(user, slow_list(), name="Mill Lane gardens")
    imports.import_map(run=run, user=user, mapping=MAPPING, category=category)
    assert queued_timeout(imports.PLAN_JOB) == 60
    planner = import_worker()
    wait_for(lambda: status_of(run) == ImportRun.Status.PLANNED, what="the dry run")
    # Each address took half a second to look up: the dry run outlasted the cluster's timeout.
    assert geocoder.asked >= len(ADDRESSES)
    plan_recorded = Task.objects.filter(name=f"import-plan:{run.pk}", success=True).exists
    wait_for(plan_recorded, what="the dry run's job to be recorded")
    planner.stop()
    imports.import_confirm(run=run, user=user)
    assert queued_timeout(imports.APPLY_JOB) == 60
    import_worker()
    wait_for(lambda: status_of(run) == ImportRun.Status.APPLIED, what="the apply")
    assert (
        Entry.objects.filter(imported_records__source=run.source).count() == len(ADDRESSES) + PLACED
    )
    done = Task.objects.filter(name__in=[f"import-plan:{run.pk}", f"import-apply:{run.pk}"])
    # The run is applied when the job's transaction commits; the worker records the job
    # itself a moment later.
    wait_for(lambda: done.count() == 2, what="both jobs to be recorded")
    assert sorted(done.values_list("success", "attempt_count")) == [(True, 1), (True, 1)]


def test_a_dry_run_stopped_at_its_timeout_fails_its_run_at_once_with_a_message(
    people, category, settings, tmp_path, geocoder
):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_TIMEOUT_SECONDS = 1  # fixed when the job is queued
    user = people["moderator"]
    run = upload(user, slow_list(), name="Mill Lane gardens")
    imports.import_map(run=run, user=user, mapping=MAPPING, category=category)
    worker = Worker(
        free_port(),
        IMPORT_DIR=str(settings.IMPORT_DIR),
        IMPORT_GEOCODER_URL=f"http://127.0.0.1:{geocoder.server_port}/search",
        JOB_TIMEOUT_SECONDS="1",
        IMPORT_TIMEOUT_SECONDS="1",
    )
    worker.start()
    try:
        wait_for(lambda: status_of(run) == ImportRun.Status.FAILED, what="the run to fail")
        # Its next try (after the backoff) finds the run failed and ends at once.
        wait_for(
            lambda: Task.objects.filter(name=f"import-plan:{run.pk}", success=True).exists(),
            what="the job to end",
        )
    finally:
        worker.stop()
    progress = imports.import_progress(run)
    assert progress["status"] == "failed"
    assert (
        "The dry run ran longer than its limit (IMPORT_TIMEOUT_SECONDS, 1 s)"
        in (progress["message"])
    )
    [ended] = Task.objects.filter(name=f"import-plan:{run.pk}")
    assert (ended.success, ended.attempt_count) == (True, 2)  # timed out, then found it failed
    assert Entry.objects.count() == 0 and status_of(run) == ImportRun.Status.FAILED


def test_an_import_job_given_up_after_its_tries_fails_its_run(people, category, settings):
    from django_q.models import Task as Tried

    from tests.importing import planned

    user = people["moderator"]
    run = planned(user, slow_list().replace(",,", ",51.45,-2.58"), MAPPING, id_column="",
                  category=category)  # fmt: skip
    imports.import_confirm(run=run, user=user)
    task = {"id": "a" * 32, "func": imports.APPLY_JOB, "args": (run.pk,), "success": False}
    Tried.objects.create(id=task["id"], name=f"import-apply:{run.pk}", func=imports.APPLY_JOB,
                         started=run.created_at, stopped=run.created_at, success=False,
                         attempt_count=settings.JOB_MAX_ATTEMPTS - 1)  # fmt: skip
    imports.fail_given_up(None, {**task, "result": "ValueError: a bug"})
    assert status_of(run) == ImportRun.Status.APPLYING  # tries are left
    Tried.objects.filter(id=task["id"]).update(attempt_count=settings.JOB_MAX_ATTEMPTS)
    imports.fail_given_up(None, {**task, "result": "ValueError: a bug"})
    assert status_of(run) == ImportRun.Status.FAILED
    assert "The import stopped after" in imports.import_progress(run)["message"]
