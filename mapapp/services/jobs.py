"""The job queue: what talks to the outside world or runs later goes through django-q2.

By default the broker is the database (JOB_BROKER=database; Redis is the other engine, see
jobs_redis): a job enqueued inside a write's transaction
is committed or rolled back with it, so a decision is never recorded without its email, nor an
email sent for a decision that failed. A worker takes a job by moving its row's lock into the
future; the row is deleted only when the job succeeds, so a worker killed mid-job leaves it to
be taken again once the lock runs out, and a failing job is tried again later, each time
later, until JOB_MAX_ATTEMPTS. Its failures are kept in django-q2's task table for the
moderation dashboard and the admin.

How long a job is held. Most jobs are stopped after JOB_TIMEOUT_SECONDS; a job enqueued with
its own timeout (an import's dry run or apply, IMPORT_TIMEOUT_SECONDS) after that instead:
django-q2's worker arms its alarm, and its guard its kill, with the job's own timeout. Its row
(or Redis lease) must outlast both ways the job can be waiting or running, or a second worker
host takes it while the first still has it:
- From when a worker host takes it until its run starts, it waits in that host's own queue
  behind at most queue_limit + 1 others and the ones running, any of which may be as long as
  the longest timeout a job may have (longest_timeout). Nothing tells the pusher what is ahead,
  so the lease taken then covers that many rounds of the longest, then a run of the longest
  (take_lease_seconds): safe whatever is queued, at the price that a job held by a host that
  dies before running it is taken again only after that bound.
- When its run starts (renew_lease) it is held afresh for its own timeout, the guard's grace
  and the backoff (lease_seconds): a mail job whose worker dies comes back within minutes, an
  import within its own timeout, and a failure's retry keeps its doubling wait.
"""

import math
import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.conf import Conf, logger
from django_q.models import Failure, OrmQ, Task
from django_q.signing import BadSignature, SignedPackage
from django_q.tasks import async_task
from django_q.utils import get_func_repr


def enqueue(func, *args, name=None, timeout=None):
    """Queue func (a dotted path) with args; it runs in a worker, once it commits, and is
    stopped after timeout seconds (JOB_TIMEOUT_SECONDS when None)."""
    options = {"task_name": name} if name else {}
    if timeout is not None:
        # The leases are reckoned with the longest timeout a job may have: one longer could
        # be taken twice.
        if not 1 <= timeout <= longest_timeout():
            raise ValueError(f"A job's timeout must be 1 to {longest_timeout()} seconds.")
        options["timeout"] = timeout
    return async_task(func, *args, **options)


# Jobs whose arguments hold someone's address: once one succeeds its row (kept by django-q2
# for every job that ran) is deleted, so delivered mail leaves no copy of who it went to.
PRIVATE_JOBS = {"mapapp.services.mail.deliver"}


def forget_private_success(sender, task, **kwargs):
    """post_execute: sent by the worker after it has saved a job's result."""
    if task.get("success") and get_func_repr(task.get("func")) in PRIVATE_JOBS:
        Task.objects.using("default").filter(id=task["id"]).delete()


def retry_delay(attempts):
    """Seconds before the next try of a job that has failed `attempts` times."""
    if attempts <= 0:
        return 0
    return min(settings.JOB_RETRY_SECONDS * 2 ** (attempts - 1), settings.JOB_RETRY_MAX_SECONDS)


# django-q2 lets a job run this long past its timeout before its guard kills it.
GUARD_SECONDS = 3


def longest_timeout():
    """The longest any job may run: the cluster's timeout, or the imports' if longer."""
    return max(settings.JOB_TIMEOUT_SECONDS, settings.IMPORT_TIMEOUT_SECONDS)


def lease_seconds(takes, timeout=None):
    """How long a job in its `takes`-th run is kept from other workers, from when the run
    starts: its timeout (JOB_TIMEOUT_SECONDS unless it has its own) and the guard's grace,
    then the wait before its next try should this one fail or its worker die."""
    run = timeout or settings.JOB_TIMEOUT_SECONDS
    return run + GUARD_SECONDS + retry_delay(takes)


def queue_wait_seconds():
    """The longest a job can wait, once taken, in its worker host's own queue before it runs:
    behind the jobs running and queued ahead of it (queue_limit, and one more the pusher is
    handing over), each killed at the longest timeout a job may have at the latest."""
    ahead = settings.Q_CLUSTER["queue_limit"] + 1
    rounds = 1 + math.ceil(ahead / settings.JOB_WORKERS)
    return rounds * (longest_timeout() + GUARD_SECONDS)


def take_lease_seconds(takes):
    """How long a job is kept from other workers when it is taken: its wait in the worker's
    queue, then a run's lease as long as any job's (Redis takes a job without reading it),
    which renew_lease replaces with the job's own when the run begins."""
    return queue_wait_seconds() + lease_seconds(takes, longest_timeout())


def run_lease_seconds(takes, payload):
    """lease_seconds for a job about to run, with the timeout it was enqueued with, read from
    its payload as the broker holds it (the worker has taken it out of the task it gives
    renew_lease)."""
    try:
        timeout = SignedPackage.loads(payload).get("timeout") if payload else None
    except (BadSignature, TypeError):
        timeout = None
    if timeout and timeout > longest_timeout():
        # Enqueued by a host whose IMPORT_TIMEOUT_SECONDS is longer than this worker's: the
        # leases this worker takes may run out while such a job waits behind another.
        logger.warning(
            "A job's timeout (%s s) is longer than this worker allows for (%s s): give every "
            "host the same IMPORT_TIMEOUT_SECONDS and JOB_TIMEOUT_SECONDS",
            timeout,
            longest_timeout(),
        )
    return lease_seconds(takes, timeout)


class BackoffBroker(ORM):
    """django-q2's database broker with a job's lock held for its run and then its backoff.

    The lock is set when a worker host takes the job, for its wait in that host's queue and its
    run, and set again when the run starts; if the job fails (or its worker dies) the row
    stays, and is taken again when the lock runs out: after the run's timeout plus a delay that
    doubles with every failure so far.
    """

    def timeout(self, task):
        wait = take_lease_seconds(failed_attempts(task) + 1)
        return timezone.now() + timedelta(seconds=wait)

    def renew(self, task):
        """Hold a job's row for a whole lease from when its run starts (see renew_lease)."""
        rows = OrmQ.objects.using(Conf.ORM).filter(pk=task["ack_id"])
        payload = rows.values_list("payload", flat=True).first()
        if payload is None:
            return
        wait = run_lease_seconds(attempts_of(task["id"]) + 1, payload)
        rows.update(lock=timezone.now() + timedelta(seconds=wait))


def renew_lease(sender, task, **kwargs):
    """pre_execute, in the worker about to run task: its lease (or lock) began when the pusher
    took it, and a job kept waiting in the worker's own queue behind long ones could see it
    run out before it even starts, and be taken a second time. Renewed here, it lasts the
    job's own timeout (after which it is killed) plus its backoff."""
    if task.get("sync") or "ack_id" not in task:
        return
    broker = get_broker()
    if hasattr(broker, "renew"):
        broker.renew(task)


def failed_attempts(queued: OrmQ):
    return attempts_of(queued.task_id())


def attempts_of(task_id):
    """How many times the job task_id has been tried and failed, as the worker recorded."""
    row = Task.objects.using("default").filter(id=task_id).values("attempt_count")
    found = row.first()
    return found["attempt_count"] if found else 0


def failing():
    """Jobs whose last try failed, newest first: those still being retried and those given
    up after JOB_MAX_ATTEMPTS (kept until an admin deletes them). Either broker's worker
    records them in the database, so the list is the same on both."""
    return Failure.objects.order_by("-stopped", "id")


# Anything shaped like an address, in an error a mail server gave back (a refused recipient
# is named in it).
ADDRESS = re.compile(r"[^\s<>'\"(){}\[\],;:]+@[^\s<>'\"(){}\[\],;:]+")


def described(failure):
    """What the moderation dashboard says of a failing job: no arguments (an email's address
    is in them), the error's first line with any address blanked, and whether it will be
    tried again."""
    error = (failure.result or "").strip().splitlines()
    first = ADDRESS.sub("[address]", error[0]) if error else "no error was recorded"
    failure.error = first[:300]
    failure.gave_up = failure.attempt_count >= settings.JOB_MAX_ATTEMPTS
    return failure
