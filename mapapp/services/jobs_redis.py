"""The job queue on Redis (JOB_BROKER=redis://host:port/N), for several app servers and workers.

Why Redis, and why this way. With the database as broker every worker host polls the queue
table twice a second and takes jobs by updating rows; with many app servers and worker hosts
that is load on the one primary and a hand-off no faster than the poll. On Redis a worker
blocks until a job is relayed and takes it in one round trip, and the database only sees the
writes a job must make anyway. django-q2's own Redis broker cannot be used as it is: it takes
a job with BLPOP and nothing acknowledges it, so a worker killed mid-job loses it, and it
sends a job to Redis at once, before the write that made it has committed (or even if it rolls
back). Celery on RabbitMQ would keep its promises too, but is a second job framework beside
the one the whole code base, its schedules and its failure records already use; a django-q2
broker class (its documented extension point) keeps all of that and changes only the hand-off.

What keeps its promises:
- The outbox. enqueue() writes the job to django-q2's queue table (OrmQ) inside the write's
  transaction, exactly as the database broker does, so a job exists only if its write
  committed. After the commit the job is relayed to Redis, and its row is deleted only once
  Redis has taken it. If Redis is unreachable the row stays, and each worker's pusher sweeps
  the outbox every RELAY_SECONDS: an outage delays jobs, it never loses them. A job relayed
  twice (a relay that died between Redis taking it and deleting the row) is known by its id
  and not queued again.
- The lease. A pusher takes a job, in one atomic script, by moving its id from the ready
  list into a sorted set of leases scored by when the lease runs out: the longest the job
  can wait in the worker host's own queue, the run's timeout, and then the wait before its
  next try (jobs.take_lease_seconds, which doubles with each take); when the run starts the
  lease is set afresh for the run and the wait (jobs.renew_lease), so a job kept waiting
  behind long ones is never taken a second time. The script cannot read a job's signed
  payload, so the lease it takes is reckoned with the longest timeout any job may have (an
  import's, IMPORT_TIMEOUT_SECONDS, if longer than JOB_TIMEOUT_SECONDS), for the jobs ahead
  and for the run; the renewal reads the job's own timeout from its payload.
  Success deletes it (acknowledge); a failure, or a worker killed mid-job, leaves the lease to
  run out, and the next take puts the job back on the ready list. The backoff is the lease.
- Results and failures are saved by django-q2's monitor to the database's task table, as on
  the database broker: jobs.failing() and the moderation dashboard read the same rows.

Redis must keep what it is given: run it with `appendonly yes` (`appendfsync always` for no
loss even on a power cut) and `maxmemory-policy noeviction`; the cluster warns at start-up
when it is not. Every key shares one hash tag, so the scripts also run on a Redis Cluster.
"""

import functools
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.brokers import Broker
from django_q.conf import Conf, logger
from django_q.models import OrmQ
from django_q.signing import BadSignature

from mapapp.services.jobs import run_lease_seconds, take_lease_seconds

# How often each pusher looks in the outbox for jobs whose relay after commit failed.
RELAY_SECONDS = 5
# A relay holds an outbox row this long; if it dies the row is relayed again after it.
CLAIM_SECONDS = 60
# How long Redis remembers that a job was relayed, so a second relay of it is dropped.
SEEN_SECONDS = 7 * 24 * 3600
# Longest a pusher waits for a job before it looks at the leases and the outbox again.
WAIT_SECONDS = 1

RELAY = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('RPUSH', KEYS[3], ARGV[1])
  redis.call('RPUSH', KEYS[4], '1')
  redis.call('LTRIM', KEYS[4], -16, -1)
  return 1
end
return 0
"""

# Leases that ran out go back on the ready list; then up to ARGV[1] jobs are taken, each leased
# for ARGV[1 + its takes] seconds (the last for any later take). Ids whose job was acknowledged
# meanwhile (no payload) are dropped.
TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('RPUSH', KEYS[1], id)
end
local bulk = tonumber(ARGV[1])
local taken = {}
while #taken < 2 * bulk do
  local id = redis.call('LPOP', KEYS[1])
  if not id then break end
  local payload = redis.call('HGET', KEYS[3], id)
  if payload then
    local takes = redis.call('HINCRBY', KEYS[4], id, 1)
    local lease = tonumber(ARGV[1 + math.min(takes, #ARGV - 1)])
    redis.call('ZADD', KEYS[2], now + lease, id)
    table.insert(taken, id)
    table.insert(taken, payload)
  end
end
return taken
"""


# A job about to run is leased afresh from now, if it is still leased (not acknowledged).
RENEW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
"""


@functools.cache
def redis_client(url):
    """One client (and connection pool) per process and URL; short timeouts, so a request
    whose relay meets a Redis that is down answers at once, its job left in the outbox."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=WAIT_SECONDS + 5,
        health_check_interval=30,
    )


def lease_table():
    """take_lease_seconds for the first takes, up to where it stops growing."""
    leases = [take_lease_seconds(1)]
    while len(leases) < 64 and take_lease_seconds(len(leases) + 1) > leases[-1]:
        leases.append(take_lease_seconds(len(leases) + 1))
    return leases


class RedisBroker(Broker):
    """django-q2's broker on Redis with an outbox in the database, leases and backoff."""

    @staticmethod
    def get_connection(list_key=None):
        return redis_client(settings.JOB_BROKER)

    def key(self, name):
        return f"{{commons:jobs:{self.list_key}}}:{name}"

    def outbox(self):
        return OrmQ.objects.using(Conf.ORM).filter(key=self.list_key)

    def enqueue(self, task):
        row = OrmQ.objects.using(Conf.ORM).create(
            key=self.list_key, payload=task, lock=timezone.now()
        )
        # robust: the write has committed; a failed relay must not turn its request into an
        # error (the row stays in the outbox for the sweep).
        transaction.on_commit(lambda: self.relay(row), using=Conf.ORM, robust=True)
        return row.pk

    def relay(self, row):
        """After commit: hand the job to Redis now; if Redis fails, the sweep will."""
        try:
            return self.relay_row(row)
        except redis.RedisError as error:
            logger.warning("Redis did not take a job (%s); it waits in the outbox", error)
            return False

    def relay_row(self, row):
        """Hand one committed outbox row to Redis, then delete it; False if another relay
        holds it. On a Redis error the row is freed for the next sweep and the error raised."""
        claimed = timezone.now() + timedelta(seconds=CLAIM_SECONDS)
        if not self.outbox().filter(pk=row.pk, lock=row.lock).update(lock=claimed):
            return False
        try:
            task_id = row.task_id()
        except (BadSignature, TypeError, KeyError):
            # As django-q2's pusher does with a job no worker can read (signed with another
            # SECRET_KEY): logged and deleted, never retried for ever.
            logger.error("Deleted an unreadable job from the outbox (row %s)", row.pk)
            self.outbox().filter(pk=row.pk).delete()
            return False
        try:
            self.connection.register_script(RELAY)(
                keys=[self.key(f"seen:{task_id}"), *self.keys("payloads", "ready", "wake")],
                args=[task_id, row.payload, SEEN_SECONDS],
            )
        except redis.RedisError:
            self.outbox().filter(pk=row.pk, lock=claimed).update(lock=timezone.now())
            raise
        self.outbox().filter(pk=row.pk).delete()
        return True

    def relay_waiting(self):
        """Relay the outbox rows no relay holds: their relay after commit failed or died."""
        try:
            for row in self.outbox().filter(lock__lte=timezone.now()).order_by("id")[:100]:
                self.relay_row(row)
        except redis.RedisError as error:
            logger.warning("Redis is unreachable (%s); jobs wait in the outbox", error)

    def dequeue(self):
        if time.monotonic() >= getattr(self, "next_relay", 0):
            self.next_relay = time.monotonic() + RELAY_SECONDS
            self.relay_waiting()
        try:
            taken = self.connection.register_script(TAKE)(
                keys=self.keys("ready", "leases", "payloads", "takes"),
                args=[Conf.BULK, *lease_table()],
            )
            if not taken:
                self.connection.blpop([self.key("wake")], timeout=WAIT_SECONDS)
                return None
        except (redis.ConnectionError, redis.TimeoutError) as error:
            logger.warning("Redis is unreachable (%s); jobs wait in the outbox", error)
            time.sleep(WAIT_SECONDS)
            return None
        return list(zip(taken[::2], taken[1::2], strict=True))

    def renew(self, task):
        """Lease a job for its own run and backoff from when it starts (jobs.renew_lease)."""
        job = task["ack_id"]
        takes = int(self.connection.hget(self.key("takes"), job) or 1)
        payload = self.connection.hget(self.key("payloads"), job)
        seconds = run_lease_seconds(takes, payload)
        self.connection.register_script(RENEW)(keys=[self.key("leases")], args=[job, seconds])

    def acknowledge(self, task_id):
        with self.connection.pipeline() as pipe:
            pipe.zrem(self.key("leases"), task_id)
            pipe.lrem(self.key("ready"), 0, task_id)
            pipe.hdel(self.key("payloads"), task_id)
            pipe.hdel(self.key("takes"), task_id)
            pipe.execute()

    def delete(self, task_id):
        self.acknowledge(task_id)

    def fail(self, task_id):
        self.acknowledge(task_id)

    def queue_size(self):
        return self.connection.llen(self.key("ready")) + self.outbox().count()

    def lock_size(self):
        return self.connection.zcard(self.key("leases"))

    def purge_queue(self):
        self.connection.delete(*self.keys("ready", "leases", "payloads", "takes", "wake"))
        self.outbox().delete()

    def delete_queue(self):
        self.purge_queue()

    def ping(self):
        """True if Redis answers (warning when it may lose jobs); False, not an error, if it
        does not: the cluster starts, and its jobs wait in the outbox until it is back."""
        try:
            self.connection.ping()
            kept = self.connection.info("persistence").get("aof_enabled")
            policy = self.connection.info("memory").get("maxmemory_policy")
        except redis.RedisError as error:
            logger.warning("Redis is unreachable (%s); jobs wait in the outbox", error)
            return False
        if not kept:
            logger.warning("Redis has appendonly off: a restart of Redis loses queued jobs")
        if policy != "noeviction":
            logger.warning("Redis has maxmemory-policy %s: it may evict queued jobs", policy)
        return True

    def info(self):
        if not self._info:
            version = self.connection.info("server")["redis_version"]
            self._info = f"Redis {version}, outbox ORM {Conf.ORM}"
        return self._info

    def keys(self, *names):
        return [self.key(name) for name in names]
