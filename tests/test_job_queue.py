"""The job queue: email goes through it, survives a mail server that is down and a worker that
is killed, retries with a growing delay, and a job that keeps failing stays listed.

The worker is the real one (`manage.py qcluster`, as `make run` starts it) on the test
database, and the mail server a real SMTP server (aiosmtpd) on a free port.
"""

import asyncio
import math
import os
import signal
import subprocess
import threading
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import Failure, OrmQ, Task

from mapapp import services
from mapapp.models import Entry, ModerationDecision
from mapapp.services import jobs

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
QUEUED = "mapapp.services.mail.QueuedEmailBackend"
DELIVER = "mapapp.services.mail.deliver"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Inbox:
    """An SMTP handler that keeps what it is given; `stall` holds the next message's DATA
    until released, as a mail server that hangs mid-delivery."""

    def __init__(self):
        self.messages = []
        self.refuse = False
        self.stall = False
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            self.stall = False
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.inbox.release.set()
            self.controller.stop()
            self.controller = None


def worker_database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"spatialite:///{settings['NAME']}"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgis://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


class Worker:
    """`manage.py qcluster` in a process group of its own, so it can be killed whole."""

    def __init__(self, mail_port, **env):
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        self.env = {
            **keep,
            "DATABASE_URL": worker_database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_port),
            "EMAIL_USE_TLS": "false",
            "JOB_WORKERS": "1",
            "JOB_TIMEOUT_SECONDS": "3",
            "JOB_RETRY_SECONDS": "1",
            "JOB_RETRY_MAX_SECONDS": "2",
            "JOB_MAX_ATTEMPTS": "30",
            **env,
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture
def worker(mail_server):
    started = []

    def make(**env):
        one = Worker(mail_server.port, **env)
        started.append(one)
        return one

    yield make
    for one in started:
        one.stop()


@pytest.fixture
def queued_email(settings):
    settings.EMAIL_BACKEND = QUEUED


def queued_emails():
    return [queued for queued in OrmQ.objects.all() if queued.func() == DELIVER]


def wait_for(condition, seconds=60, what="the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def start_worker(worker):
    def start(**env):
        one = worker(**env)
        one.start()
        return one

    return start


NOTED = "tests.job_functions.noted"
# Workers whose cluster timeout is short and whose imports' (the longest a job may have) long.
LONG_JOBS = {"JOB_TIMEOUT_SECONDS": "1", "IMPORT_TIMEOUT_SECONDS": "40", "JOB_RETRY_SECONDS": "1"}


def noted_runs(path):
    """The lines tests.job_functions.noted wrote: a start, and an end if the run finished."""
    return path.read_text().splitlines() if path.exists() else []


def a_long_job_runs_once_past_the_clusters_timeout(start, runs, queue_empty):
    """Both brokers: a job with a timeout of its own runs to its end, and the other host never
    takes it meanwhile (the lease renewed as it starts lasts its own timeout, not the
    cluster's)."""
    task_id = jobs.enqueue(NOTED, str(runs), "A", 7, timeout=20)
    start(**LONG_JOBS)
    start(**LONG_JOBS)
    wait_for(lambda: "end A" in noted_runs(runs) and queue_empty(), what="the job to finish")
    time.sleep(2)  # time for a second run to start, had the other host taken it meanwhile
    assert noted_runs(runs) == ["start A", "end A"]
    task = Task.objects.get(id=task_id)
    assert (task.success, task.attempt_count) == (True, 1)


def a_job_waiting_behind_a_long_one_runs_once(start, runs, all_taken, queue_empty):
    """Both brokers: B and C are taken by the first host while its one worker runs L, for
    longer than a lease reckoned with the cluster's timeout would last; a second host then
    waits for any of them to be let go."""
    start(**LONG_JOBS)
    jobs.enqueue(NOTED, str(runs), "L", 21, timeout=30)
    wait_for(lambda: "start L" in noted_runs(runs), what="the long job to start")
    for name in "BC":
        jobs.enqueue(NOTED, str(runs), name, 0.5)
    wait_for(all_taken, what="the first host to take every job")
    start(**LONG_JOBS)
    wait_for(lambda: queue_empty() and len(noted_runs(runs)) >= 6, seconds=90, what="the jobs")
    time.sleep(2)  # time for a second run to start, had the other host taken one
    assert sorted(noted_runs(runs)) == [f"{step} {n}" for step in ("end", "start") for n in "BCL"]


def a_job_past_its_own_timeout_is_stopped_and_tried_again(start, runs, queue_empty):
    """Both brokers: the first run would take five minutes and is stopped at the job's own
    timeout; the retry, longer than the cluster's timeout but within the job's, finishes."""
    task_id = jobs.enqueue(NOTED, str(runs), "A", 300, 2, timeout=4)
    start(**LONG_JOBS)
    wait_for(lambda: "end A" in noted_runs(runs) and queue_empty(), what="the job's retry")
    assert noted_runs(runs) == ["start A", "start A", "end A"]
    task = Task.objects.get(id=task_id)
    assert (task.success, task.attempt_count) == (True, 2)


def pending_entry(make_entry, author, name):
    return make_entry(name=name, author=author, status=Entry.Status.PENDING)


def test_an_email_is_queued_with_the_write_that_sends_it_not_sent_by_the_request(
    queued_email, make_entry, people
):
    entry = pending_entry(make_entry, people["resident"], "Tenants' Union")
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.PUBLISH
    )
    assert mail.outbox == []
    assert "mapapp.services.mail.deliver" in [queued.func() for queued in OrmQ.objects.all()]


def test_an_email_in_a_transaction_that_rolls_back_is_never_queued(queued_email):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_mail("Subject", "Body", None, ["someone@private.example"])
        raise RuntimeError("the write failed")
    assert not OrmQ.objects.exists()


def test_emails_made_while_the_mail_server_is_down_each_arrive_once_when_it_is_back(
    queued_email, make_entry, people, mail_server, worker
):
    entries = [pending_entry(make_entry, people["resident"], f"Food Co-op {n}") for n in range(3)]
    for entry in entries:
        services.entry_moderate(
            entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.PUBLISH
        )
    one = worker()
    one.start()
    emails = Failure.objects.filter(func=DELIVER)
    wait_for(lambda: emails.count() == 3, what="the three deliveries to fail")
    assert len(queued_emails()) == 3, "a failed delivery stays queued"
    mail_server.start()
    wait_for(lambda: len(mail_server.inbox.messages) >= 3, what="the three emails")
    wait_for(lambda: not queued_emails(), what="the emails' jobs to be done")
    time.sleep(3)  # longer than a retry's delay: a second copy would have arrived by now
    subjects = [message["Subject"] for _, message in mail_server.inbox.messages]
    assert len(subjects) == 3
    assert {tuple(to) for to, _ in mail_server.inbox.messages} == {("resident@private.example",)}
    bodies = sorted(
        message.get_payload(decode=True).decode() for _, message in mail_server.inbox.messages
    )
    assert [entry.name in body for entry, body in zip(entries, bodies, strict=True)] == [True] * 3
    assert not Task.objects.filter(func=DELIVER).exists(), "delivered mail leaves no address"


def test_a_job_whose_worker_is_killed_mid_delivery_is_delivered_once_by_the_next_worker(
    queued_email, mail_server, worker
):
    mail_server.inbox.stall = True
    mail_server.start()
    mail.send_mail("Your entry was published", "Body", None, ["someone@private.example"])
    first = worker()
    first.start()
    assert mail_server.inbox.stalled.wait(60), "the worker never reached the mail server"
    first.kill()
    mail_server.inbox.release.set()
    assert OrmQ.objects.count() == 1, "the killed worker's job is still queued"
    second = worker()
    second.start()
    wait_for(lambda: not OrmQ.objects.exists(), what="the job to complete")
    time.sleep(3)
    assert len(mail_server.inbox.messages) == 1
    assert mail_server.inbox.messages[0][0] == ["someone@private.example"]


def test_a_job_that_keeps_failing_stops_after_its_attempts_and_stays_listed_as_failed(
    queued_email, mail_server, worker, client_for, settings
):
    """The mail server refuses the recipient, naming them: the dashboard shows the error,
    not the address."""
    mail_server.inbox.refuse = True
    mail_server.start()
    mail.send_mail("Your entry was published", "Body", None, ["someone@private.example"])
    one = worker(JOB_MAX_ATTEMPTS="2")
    one.start()
    wait_for(lambda: not OrmQ.objects.exists(), what="the job to be given up")
    failure = Failure.objects.get()
    assert failure.attempt_count == 2
    assert failure.func == "mapapp.services.mail.deliver"
    assert "someone@private.example" in failure.result  # as the server said it, for admins
    settings.JOB_MAX_ATTEMPTS = 2
    page = client_for("moderator").get("/moderation/").content.decode()
    assert "Failing jobs (1)" in page
    assert "email: Your entry was published" in page
    assert "tried 2 of 2 times" in page and "Given up" in page
    assert "Recipient address rejected" in page and "[address]" in page
    assert "someone@private.example" not in page
    assert mail_server.inbox.messages == []


def test_the_dashboard_says_when_no_job_is_failing_and_pages_many(client_for):
    page = client_for("moderator").get("/moderation/").content.decode()
    assert "Failing jobs (0)" in page and "No job is failing." in page
    for n in range(30):
        Task.objects.create(
            id=f"job{n}",
            name=f"email {n}",
            func="mapapp.services.mail.deliver",
            started=timezone.now(),
            stopped=timezone.now(),
            success=False,
            result="SMTPServerDisconnected: Connection unexpectedly closed",
            attempt_count=1,
        )
    first = client_for("moderator").get("/moderation/").content.decode()
    assert "Failing jobs (30)" in first and first.count("It will be tried again.") == 25
    second = client_for("moderator").get("/moderation/?jobs_page=2").content.decode()
    assert second.count("It will be tried again.") == 5


def test_the_delay_before_a_retry_doubles_with_each_failure_up_to_its_ceiling(settings):
    settings.JOB_RETRY_SECONDS = 60
    settings.JOB_RETRY_MAX_SECONDS = 600
    assert [jobs.retry_delay(n) for n in range(7)] == [0, 60, 120, 240, 480, 600, 600]


def test_a_taken_job_is_locked_for_its_run_and_then_a_delay_that_grows_with_its_failures(
    settings, queued_email
):
    settings.JOB_TIMEOUT_SECONDS = 300
    settings.JOB_RETRY_SECONDS = 60
    mail.send_mail("Subject", "Body", None, ["someone@private.example"])
    queued = OrmQ.objects.get()
    broker = jobs.BackoffBroker()

    def locked_for():
        return (broker.timeout(queued) - timezone.now()).total_seconds()

    settings.IMPORT_TIMEOUT_SECONDS = 120
    # Its wait in the worker host's queue, then its run (the timeout and the guard's grace)
    # and the backoff before the next try.
    wait = jobs.queue_wait_seconds()
    ahead = settings.Q_CLUSTER["queue_limit"] + 1
    assert wait == (1 + math.ceil(ahead / settings.JOB_WORKERS)) * 303
    assert wait + 362 < locked_for() <= wait + 363
    Task.objects.create(
        id=queued.task_id(),
        name="email",
        func="mapapp.services.mail.deliver",
        attempt_count=2,
        started="2026-01-01T00:00:00Z",
        stopped="2026-01-01T00:00:01Z",
        success=False,
    )
    assert wait + 542 < locked_for() <= wait + 543


def test_jobs_waiting_behind_long_ones_in_a_workers_queue_each_run_once(worker, tmp_path):
    """A job's lock is renewed when its run starts: taken, then kept waiting behind two
    others longer than the lock lasts, it is not taken again."""
    runs = tmp_path / "runs.txt"
    for name in "ABC":
        jobs.enqueue("tests.job_functions.slow", str(runs), name, 2.5)
    started = time.monotonic()
    # No job may run longer than the cluster's 3 s, so leases are reckoned with that.
    worker(IMPORT_TIMEOUT_SECONDS="3").start()
    wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 3, seconds=90)
    # Until well past the lease C had when it was taken (the worker's timeout of 3 s and
    # backoff of 1 s, waiting behind two others): a second run of any job would be here.
    time.sleep(max(0, 3 * (3 + 3) + (3 + 3 + 1) + 3 - (time.monotonic() - started)))
    assert sorted(runs.read_text().split()) == ["A", "B", "C"]


def test_a_taken_job_is_locked_for_waits_and_a_run_as_long_as_the_longest_timeout(
    settings, queued_email
):
    """Imports may run longer than other jobs: any job ahead of one in a worker's queue may be
    one, and the job itself may be one (a take does not read it)."""
    settings.JOB_TIMEOUT_SECONDS, settings.IMPORT_TIMEOUT_SECONDS = 300, 3600
    settings.JOB_RETRY_SECONDS = 60
    mail.send_mail("Subject", "Body", None, ["someone@private.example"])
    queued = OrmQ.objects.get()
    locked_for = (jobs.BackoffBroker().timeout(queued) - timezone.now()).total_seconds()
    ahead = settings.Q_CLUSTER["queue_limit"] + 1
    wait = (1 + math.ceil(ahead / settings.JOB_WORKERS)) * 3603
    assert jobs.queue_wait_seconds() == wait
    assert wait + 3662 < locked_for <= wait + 3663


def test_a_jobs_lock_renewed_as_its_run_starts_lasts_its_own_timeout(settings, tmp_path):
    settings.JOB_TIMEOUT_SECONDS, settings.IMPORT_TIMEOUT_SECONDS = 300, 3600
    settings.JOB_RETRY_SECONDS = 60
    broker = jobs.BackoffBroker()
    for timeout, held in ((None, 363), (1800, 1863)):
        jobs.enqueue(NOTED, str(tmp_path / "runs"), "A", 0, timeout=timeout)
        ack_id, _payload = broker.dequeue()[0]
        broker.renew({"id": OrmQ.objects.get(pk=ack_id).task_id(), "ack_id": ack_id})
        lock = OrmQ.objects.get(pk=ack_id).lock
        assert held - 1 < (lock - timezone.now()).total_seconds() <= held
        OrmQ.objects.filter(pk=ack_id).delete()


def test_a_job_may_not_be_given_a_timeout_longer_than_the_longest_the_leases_allow(settings):
    settings.JOB_TIMEOUT_SECONDS, settings.IMPORT_TIMEOUT_SECONDS = 300, 3600
    with pytest.raises(ValueError, match="1 to 3600 seconds"):
        jobs.enqueue(NOTED, "runs", "A", 0, timeout=3601)
    assert not OrmQ.objects.exists()


def test_a_job_given_a_longer_timeout_than_the_clusters_runs_past_it_to_its_end_once(
    start_worker, tmp_path
):
    a_long_job_runs_once_past_the_clusters_timeout(
        start_worker, tmp_path / "runs.txt", queue_empty=lambda: not OrmQ.objects.exists()
    )


def every_job_taken(count):
    return lambda: (
        OrmQ.objects.count() == count and not OrmQ.objects.filter(lock__lte=timezone.now()).exists()
    )


def test_jobs_waiting_behind_one_with_a_longer_timeout_than_the_clusters_each_run_once(
    start_worker, tmp_path
):
    a_job_waiting_behind_a_long_one_runs_once(
        start_worker,
        tmp_path / "runs.txt",
        all_taken=every_job_taken(3),
        queue_empty=lambda: not OrmQ.objects.exists(),
    )


def test_a_job_that_outruns_its_own_timeout_is_stopped_and_tried_again(start_worker, tmp_path):
    a_job_past_its_own_timeout_is_stopped_and_tried_again(
        start_worker, tmp_path / "runs.txt", queue_empty=lambda: not OrmQ.objects.exists()
    )
