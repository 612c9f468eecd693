"""Wide reads take turns, so cheap ones keep flowing beside them.

A server process answers requests on several threads, and Python lets one compute at a time:
every request in flight gets its share. A view of a whole country (clusters or low-zoom tiles,
a few milliseconds of computing each) asked for by several clients at once would take as many
shares, and every city view beside them would wait its turn behind each. Up to
WIDE_READS_AT_ONCE wide reads compute at once in a process (0: no limit); the others wait for a
turn without computing, so the city views keep the rest of the process.
"""

import threading
from contextlib import contextmanager, nullcontext

from django.conf import settings

_turns = {}
_made = threading.Lock()


def _semaphore(size):
    with _made:
        if size not in _turns:
            _turns[size] = threading.BoundedSemaphore(size)
        return _turns[size]


def wide_read(wide=True):
    """A turn for a wide read (a context manager); a narrow one needs none."""
    size = settings.WIDE_READS_AT_ONCE
    if not wide or not size:
        return nullcontext()
    return _turn(_semaphore(size))


@contextmanager
def _turn(semaphore):
    with semaphore:
        yield
