"""A small closed-loop HTTP load generator for loopback benchmarks (bounded in time)."""

import http.client
import itertools
import statistics
import threading
import time


def _worker(host, port, paths, deadline, latencies, failures):
    for path in itertools.cycle(paths):
        if time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            ok = False
        finally:
            connection.close()
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            failures.append(1)


def hammer(host, port, path, *, seconds, connections):
    """Send requests from `connections` threads for `seconds`; return latencies in seconds.

    path is one path or a list of them; with a list, each client starts at its own place in it
    and walks it round."""
    paths = [path] if isinstance(path, str) else list(path)
    latencies, failures = [], []
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_worker,
            args=(
                host,
                port,
                paths[n % len(paths) :] + paths[: n % len(paths)],
                deadline,
                latencies,
                failures,
            ),
        )
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests to {path} failed")
    return latencies


def summary(latencies, seconds):
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000 if ordered else float("nan"),
    }
