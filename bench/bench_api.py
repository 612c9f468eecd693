"""Benchmark: our /api/v1/entries/?bbox= against the drf-gis baseline, served by gunicorn.

    .venv/bin/python bench/bench_api.py --database postgis --entries 200000
    .venv/bin/python bench/bench_api.py --database spatialite --entries 20000

Both endpoints run in the same gunicorn (2 workers) on the same data and box, alternating in
rounds, driven from loopback. Prints requests/s, p50 and p95 for each, the throughput ratio
(target: ours >= 8x the baseline) and our single-client p50 over the endpoint's own bbox
statement timed directly in the database between the latency rounds (target <= 2.5).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASES = {
    "postgis": "postgis://postgres@127.0.0.1:5432/commons_bench",
    "spatialite": "spatialite:///var/bench.sqlite3",
}
TARGET_RATIO = 8.0
TARGET_DB_RATIO = 2.5
CENTRE = (-1.89, 52.48)  # Birmingham


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=DATABASES, default="postgis")
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=6.0, help="per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    return parser.parse_args()


def setup_django(database):
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DATABASES[database])
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["API_THROTTLE_ANON"] = "off"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def count_in(box):
    from mapapp.models import Entry

    return Entry.objects.published().in_bbox(box).count()


def choose_box(low=900, high=1000):
    """A city-sized box around CENTRE holding between low and high entries."""
    small, large = 0.001, 2.0
    for _ in range(40):
        half = (small + large) / 2
        box = (CENTRE[0] - half * 1.6, CENTRE[1] - half, CENTRE[0] + half * 1.6, CENTRE[1] + half)
        n = count_in(box)
        if low <= n <= high:
            return tuple(round(v, 5) for v in box), n
        small, large = (half, large) if n < low else (small, half)
    raise RuntimeError("could not find a box with about 1,000 entries")


def list_statement(box):
    """The endpoint's own SQL and parameters for the first page of 1,000 in box."""
    from mapapp.reads.filters import EntryFilters
    from mapapp.reads.statements import page_statement

    return page_statement(EntryFilters(bbox=box, limit=1000))


def time_db_query(box, seconds):
    """Timings of our list query run directly on the database, fetching every row, for
    `seconds`; taken between the HTTP rounds so both see the machine in the same state."""
    from django.db import connection

    sql, params = list_statement(box)
    timings = []
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.append(time.perf_counter() - started)
    return timings


def query_plan(box):
    from django.db import connection

    sql, params = list_statement(box)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [str(row[-1]) for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port, *, production=False):
    """gunicorn on port: 2 sync workers (as the baselines were measured), or with production
    set, the worker class and counts `make serve` uses (commons/gunicorn.conf.py)."""
    workers = ["--config", "commons/gunicorn.conf.py"] if production else ["--workers", "2"]
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "commons.wsgi:application",
            *workers,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def check_same_features(port, ours, baseline):
    import http.client

    def ids(path):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path)
        body = json.loads(connection.getresponse().read())
        return sorted(f["id"] for f in body["features"])

    a, b = ids(ours), ids(baseline)
    if a != b:
        raise RuntimeError(f"endpoints disagree: {len(a)} vs {len(b)} features")
    return len(a)


def run(args):
    from django.db import connection

    from bench.data import ensure_entries
    from bench.export import run_downloads
    from bench.load import hammer, summary

    print(f"== API bbox benchmark on {args.database} ({connection.settings_dict['NAME']})")
    ensure_entries(args.entries)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE mapapp_entry")
    box, n = choose_box()
    bbox = ",".join(str(v) for v in box)
    plan = query_plan(box)
    time_db_query(box, seconds=1)  # warm the cache and the connection
    ours = f"/api/v1/entries/?bbox={bbox}"
    baseline = f"/bench/baseline/entries/?in_bbox={bbox}"
    port = free_port()
    server = start_gunicorn(port)
    try:
        features = check_same_features(port, ours, baseline)
        for path in (ours, baseline):  # warm both workers' caches and connections
            hammer("127.0.0.1", port, path, seconds=1, connections=args.connections)
        results = {"ours": [], "baseline": []}
        single = {"ours": [], "baseline": []}
        db_timings = []
        # Latency first, one client at a time (no queueing, no backlog from a load burst),
        # alternating with the query timed in the database; then throughput with concurrent
        # clients. Both alternate the endpoints in rounds.
        for round_ in range(args.rounds):
            for name, path in (("ours", ours), ("baseline", baseline)):
                db_timings += time_db_query(box, seconds=args.seconds / 4)
                single[name] += hammer(
                    "127.0.0.1", port, path, seconds=args.seconds / 2, connections=1
                )
            print(f"  latency round {round_ + 1}/{args.rounds} done")
        for round_ in range(args.rounds):
            for name, path in (("ours", ours), ("baseline", baseline)):
                results[name] += hammer(
                    "127.0.0.1", port, path, seconds=args.seconds, connections=args.connections
                )
            print(f"  throughput round {round_ + 1}/{args.rounds} done")
        downloads = run_downloads(port, server.pid)
        print("  full downloads done")
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = args.seconds * args.rounds
    mine, base = summary(results["ours"], total), summary(results["baseline"], total)
    mine["single_p50_ms"] = summary(single["ours"], total / 2)["p50_ms"]
    base["single_p50_ms"] = summary(single["baseline"], total / 2)["p50_ms"]
    db_ms = statistics.median(db_timings) * 1000
    report(args, box, n, features, plan, db_ms, mine, base, downloads)


def report(args, box, n, features, plan, db_ms, mine, base, downloads):
    from bench.export import describe_downloads
    from mapapp.models import Entry

    ratio = mine["rps"] / base["rps"]
    db_ratio = mine["single_p50_ms"] / db_ms
    index_lines = [
        line
        for line in plan
        if "idx_mapapp_entry_public_point" in line or "public_point" in line and "Index" in line
    ]
    print(
        f"  entries: {args.entries:,}; box {box} holds {n} entries; responses carry "
        f"{features} features"
    )
    print("  query plan uses the spatial index:", "yes" if index_lines else "NO")
    for line in index_lines:
        print("    " + line.strip())
    print(f"  req/s, p50, p95 with {args.connections} concurrent clients; 'alone': one client")
    print(f"  {'endpoint':<32}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p50 alone':>11}")
    for label, row in (
        ("ours  /api/v1/entries/?bbox=", mine),
        ("baseline drf-gis serializer", base),
    ):
        print(
            f"  {label:<32}{row['rps']:>8.1f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['single_p50_ms']:>11.1f}"
        )
    print(
        f"  throughput ratio ours/baseline: {ratio:.1f}x (target >= {TARGET_RATIO:g}x) "
        f"{'PASS' if ratio >= TARGET_RATIO else 'MISS'}"
    )
    print(
        f"  bbox query in the database: p50 {db_ms:.1f} ms; ours p50 alone / db = {db_ratio:.2f} "
        f"(target <= {TARGET_DB_RATIO:g}) {'PASS' if db_ratio <= TARGET_DB_RATIO else 'MISS'}"
    )
    describe_downloads(downloads, Entry.objects.published().count())
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"api-{args.database}.json").write_text(
        json.dumps(
            {
                "entries": args.entries,
                "box": box,
                "features": features,
                "ours": mine,
                "baseline": base,
                "ratio": ratio,
                "db_p50_ms": db_ms,
                "db_ratio": db_ratio,
                "downloads": downloads,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    arguments = parse_args()
    setup_django(arguments.database)
    run(arguments)
