"""Writers at the same moment, for the tests that prove a row lock decides between them."""

import contextlib
import threading

import pytest
from django.db import connection


def at_the_same_moment(model, work, arguments):
    """What work(argument) returned (or the exception it raised, as text) for each argument,
    each run in its own thread and database connection.

    Each thread's model.save() waits until every thread has reached its own (or 2 s have
    passed: a database that makes the second writer wait at its lock never lets both arrive),
    so all of them have read the row before any of them writes it.
    """
    arrived = threading.Barrier(len(arguments), timeout=2)
    real_save = model.save

    def save_when_all_have_read(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            arrived.wait()
        return real_save(self, *args, **kwargs)

    outcomes = []

    def run(argument):
        try:
            outcomes.append(work(argument))
        except Exception as error:  # noqa: BLE001 (any other outcome is the failure shown)
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model, "save", save_when_all_have_read)
        threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return outcomes
