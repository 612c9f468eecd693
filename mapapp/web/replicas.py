"""Read replicas: reads go to a replica, writes and the writer's next reads to the primary.

Replicas are the DATABASES aliases replica_1, replica_2, ... (DATABASE_REPLICA_URLS). With
none, the router has no opinion and the middleware does nothing.
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Whether this request (or, outside requests, this thread) reads the primary.
_pinned = ContextVar("replicas_pinned", default=False)
_wrote = ContextVar("replicas_wrote", default=False)

PIN_COOKIE = "commons_primary"
PIN_SALT = "commons.replicas.pin"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The database cache holds rate-limit counters, and the job queue its jobs' locks and attempts:
# a lagging copy would under-count the ones and run the others twice. Neither is the client's
# write, so neither pins its reads to the primary.
PRIMARY_APP_LABELS = {"django_cache", "django_q"}


def replica_aliases():
    return [alias for alias in connections if alias.startswith("replica_")]


_process_pinned = False


def pin_process_to_primary():
    """Every read of this process goes to the primary (the job worker, mapapp/apps.py)."""
    global _process_pinned
    _process_pinned = True


def reads_primary():
    return _process_pinned or _pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """Reads to a random replica unless this client wrote lately or a transaction is open."""

    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        if not replicas:
            return None
        if model._meta.app_label in PRIMARY_APP_LABELS or reads_primary():
            return DEFAULT_DB_ALIAS
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        if not replica_aliases():
            return None
        if model._meta.app_label not in PRIMARY_APP_LABELS:
            _pinned.set(True)
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every replica holds the primary's rows: objects read from any of them relate.
        ours = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return True if {obj1._state.db, obj2._state.db} <= ours else None

    def allow_migrate(self, db, app_label, **hints):
        return False if db.startswith("replica_") else None


class ReadYourWritesMiddleware:
    """Pin a request to the primary if it writes or its client wrote in the last
    REPLICA_PIN_SECONDS; a request that wrote tells its client so in a signed cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        writes = request.method not in SAFE_METHODS
        pinned = _pinned.set(writes or recently_wrote(request))
        wrote = _wrote.set(writes)
        try:
            response = self.get_response(request)
            if _wrote.get():
                remember_write(response)
            return response
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)


def recently_wrote(request):
    seconds = settings.REPLICA_PIN_SECONDS
    return bool(request.get_signed_cookie(PIN_COOKIE, "", salt=PIN_SALT, max_age=seconds))


def remember_write(response):
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=settings.REPLICA_PIN_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
