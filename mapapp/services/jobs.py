"""The job queue: what talks to the outside world or runs later goes through django-q2.

By default the broker is the database (JOB_BROKER=database; Redis is the other engine, see
jobs_redis): a job enqueued inside a write's transaction
is committed or rolled back with it, so a decision is never recorded without its email, nor an
email sent for a decision that failed. A worker takes a job by moving its row's lock into the
future; the row is deleted only when the job succeeds, so a worker killed mid-job leaves it to
be taken again once the lock runs out, and a failing job is tried again later, each time
later, until JOB_MAX_ATTEMPTS. Its failures are kept in django-q2's task table for the
moderation dashboard and the admin.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.models import Failure, OrmQ, Task
from django_q.tasks import async_task
from django_q.utils import get_func_repr


def enqueue(func, *args, name=None):
    """Queue func (a dotted path) with args; it runs in a worker, once it commits."""
    options = {"task_name": name} if name else {}
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


def lease_seconds(takes):
    """How long a job taken for the `takes`-th time is kept from other workers: its run's
    timeout, then the wait before its next try should this one fail or its worker die."""
    return settings.JOB_TIMEOUT_SECONDS + retry_delay(takes)


class BackoffBroker(ORM):
    """django-q2's database broker with a job's lock held for its run and then its backoff.

    The lock is set when a worker takes the job; if the job fails (or its worker dies) the row
    stays, and is taken again when the lock runs out: after the run's timeout plus a delay that
    doubles with every failure so far.
    """

    def timeout(self, task):
        wait = lease_seconds(failed_attempts(task) + 1)
        return timezone.now() + timedelta(seconds=wait)


def failed_attempts(queued: OrmQ):
    row = Task.objects.using("default").filter(id=queued.task_id()).values("attempt_count")
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
