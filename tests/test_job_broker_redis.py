"""The job queue on Redis (JOB_BROKER=redis://…) keeps the database broker's promises: a job
exists only if its write committed and runs once; Redis down when it is queued delays it, a
worker killed mid-job leaves it to the next, a failing one is retried later each time and
stays listed for moderators.

Everything is real: a private redis-server on a free port (append-only, in a temporary
directory), the worker (`manage.py qcluster`) on the test database, and an SMTP server.
"""

import shutil
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Failure, OrmQ
from django_q.signing import SignedPackage

from mapapp import services
from mapapp.models import Entry, ModerationDecision
from mapapp.services import jobs, jobs_redis
from tests.test_job_queue import (
    NOTED,
    QUEUED,
    MailServer,
    Worker,
    a_job_past_its_own_timeout_is_stopped_and_tried_again,
    a_job_waiting_behind_a_long_one_runs_once,
    a_long_job_runs_once_past_the_clusters_timeout,
    free_port,
    wait_for,
)

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        REDIS_SERVER is None,
        reason="redis-server is not installed (scripts/setup_system.sh --test installs it)",
    ),
]


class RedisServer:
    """A redis-server of the test's own, configured as the README asks of production; what
    it was given survives a stop and a start."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--dir", str(self.directory), "--save", "", "--appendonly", "yes"]
            + ["--appendfsync", "always", "--maxmemory-policy", "noeviction"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, seconds=20, what="redis-server to answer")

    def answers(self):
        try:
            return redis.Redis(port=self.port).ping()
        except redis.ConnectionError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def redis_engine(tmp_path, settings, monkeypatch):
    """JOB_BROKER pointing at a fresh redis-server, here and in the workers started."""
    server = RedisServer(tmp_path)
    server.start()
    settings.JOB_BROKER = server.url
    settings.EMAIL_BACKEND = QUEUED
    # django-q2 reads Q_CLUSTER once, at import: this process queues as a Redis one would.
    monkeypatch.setattr(Conf, "BROKER_CLASS", "mapapp.services.jobs_redis.RedisBroker")
    yield server
    server.stop()


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture
def worker(mail_server, redis_engine):
    started = []

    def make(**env):
        one = Worker(mail_server.port, JOB_BROKER=redis_engine.url, **env)
        started.append(one)
        one.start()
        return one

    yield make
    for one in started:
        one.stop()


def jobs_in_redis():
    """Jobs Redis holds, queued or leased."""
    broker = jobs_redis.RedisBroker()
    return broker.connection.hlen(broker.key("payloads"))


def subjects(mail_server):
    return [message["Subject"] for _, message in mail_server.inbox.messages]


def test_a_job_whose_transaction_rolls_back_never_runs_and_a_committed_one_runs_once(
    redis_engine, mail_server, worker
):
    mail_server.start()
    worker()
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_mail("Rolled back", "Body", None, ["someone@private.example"])
        raise RuntimeError("the write failed")
    mail.send_mail("Committed", "Body", None, ["someone@private.example"])
    assert not OrmQ.objects.exists(), "a committed job is handed to Redis at once"
    wait_for(lambda: mail_server.inbox.messages, what="the committed email")
    wait_for(lambda: jobs_in_redis() == 0, what="the job to be acknowledged")
    time.sleep(3)  # time for a rolled-back or doubly relayed job to run, had one been queued
    assert subjects(mail_server) == ["Committed"]


def test_a_job_queued_while_redis_is_down_waits_in_the_outbox_and_runs_once_when_it_is_back(
    redis_engine, mail_server, worker, make_entry, people
):
    redis_engine.stop()
    mail_server.start()
    entry = make_entry(name="Tool Library", author=people["resident"], status=Entry.Status.PENDING)
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.PUBLISH
    )
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED, "the write is not held back by Redis"
    waiting = sorted(queued.func() for queued in OrmQ.objects.all())
    assert waiting == ["mapapp.services.follows.tell_followers", "mapapp.services.mail.deliver"]
    worker()  # starts while Redis is down
    time.sleep(2)
    assert mail_server.inbox.messages == [] and OrmQ.objects.count() == 2
    redis_engine.start()
    wait_for(lambda: mail_server.inbox.messages, what="the email, once Redis is back")
    wait_for(lambda: not OrmQ.objects.exists(), what="the outbox to be emptied")
    wait_for(lambda: jobs_in_redis() == 0, what="the job to be acknowledged")
    time.sleep(3)
    assert len(mail_server.inbox.messages) == 1
    assert mail_server.inbox.messages[0][0] == ["resident@private.example"]
    assert "Tool Library" in mail_server.inbox.messages[0][1].get_payload(decode=True).decode()


def test_a_job_whose_worker_is_killed_mid_delivery_is_delivered_once_by_the_next_worker(
    redis_engine, mail_server, worker
):
    mail_server.inbox.stall = True
    mail_server.start()
    mail.send_mail("Your entry was published", "Body", None, ["someone@private.example"])
    first = worker()
    assert mail_server.inbox.stalled.wait(60), "the worker never reached the mail server"
    first.kill()
    mail_server.inbox.release.set()
    assert jobs_redis.RedisBroker().lock_size() == 1, "the killed worker's job is still leased"
    worker()
    wait_for(lambda: mail_server.inbox.messages, what="the email from the second worker")
    wait_for(lambda: jobs_in_redis() == 0, what="the job to be acknowledged")
    time.sleep(3)
    assert subjects(mail_server) == ["Your entry was published"]
    assert mail_server.inbox.messages[0][0] == ["someone@private.example"]


def test_a_job_that_keeps_failing_stops_after_its_attempts_and_stays_listed_as_failed(
    redis_engine, mail_server, worker, client_for, settings
):
    mail_server.inbox.refuse = True
    mail_server.start()
    mail.send_mail("Your entry was published", "Body", None, ["someone@private.example"])
    worker(JOB_MAX_ATTEMPTS="2")
    wait_for(
        lambda: Failure.objects.filter(attempt_count=2).exists() and jobs_in_redis() == 0,
        what="the job to be given up",
    )
    failure = jobs.failing().get()
    assert failure.func == "mapapp.services.mail.deliver"
    assert "Recipient address rejected" in failure.result
    settings.JOB_MAX_ATTEMPTS = 2
    page = client_for("moderator").get("/moderation/").content.decode()
    assert "Failing jobs (1)" in page
    assert "email: Your entry was published" in page
    assert "tried 2 of 2 times" in page and "Given up" in page
    assert "someone@private.example" not in page
    assert mail_server.inbox.messages == []


def take(broker):
    """The id of the next job broker takes."""
    taken = []
    wait_for(lambda: taken.extend(broker.dequeue() or []) or taken, what="a take")
    return taken[0][0]


def leased_for(broker, job):
    """Seconds until job's lease runs out, by Redis's clock."""
    seconds, microseconds = broker.connection.time()
    return broker.connection.zscore(broker.key("leases"), job) - seconds - microseconds / 1e6


def test_a_taken_job_is_leased_for_its_run_and_a_wait_that_doubles_with_each_take(
    redis_engine, settings
):
    """A lease that runs out puts the job back: the retry's backoff is the lease."""
    settings.JOB_TIMEOUT_SECONDS = 1
    settings.JOB_RETRY_SECONDS = 1
    settings.JOB_RETRY_MAX_SECONDS = 60
    mail.send_mail("Subject", "Body", None, ["someone@private.example"])
    broker = jobs_redis.RedisBroker()

    def lease(takes):
        return jobs.take_lease_seconds(takes)

    job = take(broker)
    assert lease(1) - 1 < leased_for(broker, job) <= lease(1)
    broker.connection.zadd(broker.key("leases"), {job: 0})  # as if it ran out
    assert take(broker) == job
    assert lease(2) - 1 < leased_for(broker, job) <= lease(2)
    broker.connection.zadd(broker.key("leases"), {job: 0})
    assert take(broker) == job
    assert lease(3) - 1 < leased_for(broker, job) <= lease(3)
    assert lease(3) - lease(2) == 2 * (lease(2) - lease(1)) == 2
    broker.acknowledge(job)
    assert (broker.queue_size(), broker.lock_size(), jobs_in_redis()) == (0, 0, 0)


def test_a_job_relayed_twice_is_queued_once(redis_engine):
    """A relay that died after Redis took the job, before it deleted the row, relays it
    again: Redis knows the job by its id."""
    task = {"id": uuid.uuid4().hex, "name": "twice", "func": "math.floor", "args": (1.5,)}
    payload = SignedPackage.dumps({**task, "kwargs": {}, "started": timezone.now()})
    broker = jobs_redis.RedisBroker()
    for _ in range(2):
        row = OrmQ.objects.create(key=broker.list_key, payload=payload, lock=timezone.now())
        assert broker.relay_row(row)
    assert not OrmQ.objects.exists()
    assert broker.connection.lrange(broker.key("ready"), 0, -1) == [task["id"]]


def test_an_outbox_row_a_relay_holds_is_left_to_it_until_its_claim_runs_out(redis_engine):
    """The relay after commit and a pusher's sweep may meet on one row: one hands it over."""
    redis_engine.stop()
    mail.send_mail("Subject", "Body", None, ["someone@private.example"])
    row = OrmQ.objects.get()
    redis_engine.start()
    broker = jobs_redis.RedisBroker()
    OrmQ.objects.filter(pk=row.pk).update(lock=timezone.now() + timedelta(seconds=60))
    broker.relay_waiting()
    assert broker.relay_row(row) is False
    assert (OrmQ.objects.count(), jobs_in_redis()) == (1, 0)
    OrmQ.objects.filter(pk=row.pk).update(lock=timezone.now())  # that relay died
    broker.relay_waiting()
    assert (OrmQ.objects.count(), jobs_in_redis()) == (0, 1)


def test_jobs_waiting_behind_long_ones_in_a_workers_queue_each_run_once(worker, tmp_path):
    """A job's lease is renewed when its run starts: taken, then kept waiting behind two
    others longer than the lease lasts, it is not taken again."""
    runs = tmp_path / "runs.txt"
    for name in "ABC":
        jobs.enqueue("tests.job_functions.slow", str(runs), name, 2.5)
    started = time.monotonic()
    # No job may run longer than the cluster's 3 s, so leases are reckoned with that.
    worker(IMPORT_TIMEOUT_SECONDS="3")
    wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 3, seconds=90)
    # Until well past the lease C had when it was taken (the worker's timeout of 3 s and
    # backoff of 1 s, waiting behind two others): a second run of any job would be here.
    time.sleep(max(0, 3 * (3 + 3) + (3 + 3 + 1) + 3 - (time.monotonic() - started)))
    assert sorted(runs.read_text().split()) == ["A", "B", "C"]


def test_a_lease_renewed_as_a_run_starts_lasts_the_jobs_own_timeout(redis_engine, settings):
    """Taken, a job is leased as if it were the longest kind (the script cannot read it);
    renewed as it starts, for its own timeout."""
    settings.JOB_TIMEOUT_SECONDS, settings.IMPORT_TIMEOUT_SECONDS = 300, 3600
    settings.JOB_RETRY_SECONDS = 60
    broker = jobs_redis.RedisBroker()
    for timeout, held in ((None, 363), (1800, 1863)):
        jobs.enqueue(NOTED, "runs", "A", 0, timeout=timeout)
        job = take(broker)
        taken = jobs.take_lease_seconds(1)
        assert taken > 4 * 3603
        assert taken - 1 < leased_for(broker, job) <= taken
        broker.renew({"id": job, "ack_id": job})
        assert held - 1 < leased_for(broker, job) <= held
        broker.acknowledge(job)


def test_a_job_given_a_longer_timeout_than_the_clusters_runs_past_it_to_its_end_once(
    worker, tmp_path
):
    a_long_job_runs_once_past_the_clusters_timeout(
        worker, tmp_path / "runs.txt", queue_empty=lambda: jobs_in_redis() == 0
    )


def every_job_leased(count):
    broker = jobs_redis.RedisBroker()
    return lambda: (
        broker.lock_size() == count
        and broker.connection.llen(broker.key("ready")) == 0
        and not OrmQ.objects.exists()
    )


def test_jobs_waiting_behind_one_with_a_longer_timeout_than_the_clusters_each_run_once(
    worker, tmp_path
):
    a_job_waiting_behind_a_long_one_runs_once(
        worker,
        tmp_path / "runs.txt",
        all_taken=every_job_leased(3),
        queue_empty=lambda: jobs_in_redis() == 0,
    )


def test_a_job_that_outruns_its_own_timeout_is_stopped_and_tried_again(worker, tmp_path):
    a_job_past_its_own_timeout_is_stopped_and_tried_again(
        worker, tmp_path / "runs.txt", queue_empty=lambda: jobs_in_redis() == 0
    )
