"""gunicorn's configuration for `make serve` (and the tests and benchmarks that serve as it does).

Threaded workers: one expensive request (a country-wide view, a full download) holds one thread,
not a whole worker, so cheap requests keep flowing beside it. On 2 cores, 2 processes of 8
threads each: Python's lock lets one thread of a process compute at a time, but most of a
request's time is spent waiting on the database and the network, when the others run.
Measured at 1,000,000 entries (README › Measuring it), 4 processes of 4 threads served the
city clients no better than 2 of 8 (191 against 210-233 requests/s, the same tail), so the
counts stay as they are.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
# A thread left waiting on a slow client does not keep its connection for ever.
keepalive = 5
timeout = 60
