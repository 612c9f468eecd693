"""A statement timeout for requests: no request holds a database connection for seconds.

Every statement a request runs may take DATABASE_STATEMENT_TIMEOUT_MS (0: no limit); a longer
one is stopped, and the request answers 503 in its door's shape (mapapp.web.errors).

Only requests are held to it. Migrations, management commands, the shell and the benchmark's
data creation run outside a request and may rightly take minutes, so the limit is not put in
the connections' OPTIONS (which would bind every process, and need lifting again in each entry
point that is not a web server). Instead every connection, default and replica_N alike, gets an
execute wrapper when it opens; the wrapper reads the limit of the request it runs in, set by
StatementTimeoutMiddleware, and holds the statement to it: PostgreSQL by the session's
statement_timeout, SQLite by a progress handler that aborts a statement past its deadline.
Streamed downloads read after the view has returned, outside the request's limit, as commands do.
"""

import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.db.utils import OperationalError

from mapapp.web.errors import statement_timed_out

# The limit, in ms, for statements run here: the request's, or 0 (none) outside requests.
_limit_ms = ContextVar("statement_timeout_ms", default=0)

# PostgreSQL's SQLSTATE query_canceled: what statement_timeout raises.
QUERY_CANCELED = "57014"
# SQLite calls the progress handler every this many virtual-machine steps: often enough to stop
# within a millisecond or so, rarely enough to cost nothing measurable.
PROGRESS_STEPS = 10_000
# Transaction control Django runs through cursors: never preceded by a SET.
CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


class StatementTimeoutMiddleware:
    """Hold the request's statements to DATABASE_STATEMENT_TIMEOUT_MS; answer one stopped by it
    with a 503 (views' statements; middleware's own are a session or cache row apiece)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATABASE_STATEMENT_TIMEOUT_MS
        token = _limit_ms.set(limit)
        for connection in connections.all(initialized_only=True):
            if _needs_limit_set(connection, limit):
                _set_postgresql_timeout(connection, limit)
        try:
            return self.get_response(request)
        finally:
            _limit_ms.reset(token)

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        return statement_timed_out(request, settings.DATABASE_STATEMENT_TIMEOUT_MS)


def _needs_limit_set(connection, limit):
    if connection.vendor != "postgresql" or connection.connection is None:
        return False
    # Inside a transaction (the tests' own) a SET may since have been rolled back: set it
    # again; in autocommit (a server's requests) once per connection.
    return connection.statement_timeout_applied != limit or not connection.get_autocommit()


def is_statement_timeout(exception):
    """Whether exception is a statement stopped by the timeout (on either database)."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    return getattr(cause, "pgcode", None) == QUERY_CANCELED or str(cause) == "interrupted"


def hold_connection_to_limits(sender, connection, **kwargs):
    """connection_created receiver: every new connection's statements keep to the limit."""
    connection.statement_timeout_applied = 0
    connection.statement_deadline = None
    if connection.vendor == "postgresql" and _limit_ms.get():
        _set_postgresql_timeout(connection, _limit_ms.get())
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(
            lambda: _past_deadline(connection), PROGRESS_STEPS
        )
    # First in the list, so an execute_wrapper() block that opened the connection pops its own.
    if _keep_to_limit not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _keep_to_limit)


def _keep_to_limit(execute, sql, params, many, context):
    connection, limit = context["connection"], _limit_ms.get()
    if connection.vendor == "postgresql":
        # Requests set their limit as they start (and connections as they open); this lifts it
        # again for statements outside requests. Never before a savepoint's own statements: in
        # a transaction a failed statement aborted, only the rollback to it may run.
        if connection.statement_timeout_applied != limit and not sql.startswith(CONTROL):
            _set_postgresql_timeout(connection, limit)
    else:
        connection.statement_deadline = time.monotonic() + limit / 1000 if limit else None
    return execute(sql, params, many, context)


def _set_postgresql_timeout(connection, limit):
    # Callers decide whether it is needed: inside a transaction the remembered value may have
    # been rolled back on the server, so the middleware sets it again even when it matches.
    # RESET, not 0: outside requests the server's or role's own setting applies, if any. A
    # cursor of its own: the statement's may be a server-side (named) one, which runs queries
    # only.
    with connection.connection.cursor() as cursor:
        cursor.execute(
            f"SET statement_timeout = {int(limit)}" if limit else "RESET statement_timeout"
        )
    connection.statement_timeout_applied = limit


def _past_deadline(connection):
    # A non-zero return makes SQLite abort the statement with "interrupted".
    deadline = connection.statement_deadline
    return bool(deadline and _limit_ms.get() and time.monotonic() > deadline)
