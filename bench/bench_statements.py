"""Benchmark: does the compile-once statement cache still pay? Pages of ~1,000 features timed
in process, alternating the cached statement with the same page compiled by the ORM.

    .venv/bin/python bench/bench_statements.py --database postgis --entries 200000
    .venv/bin/python bench/bench_statements.py --database spatialite --entries 20000

Uses bench_api's databases and data (created on the first run). Prints the medians of the
bbox query alone in the database, of the page through the cached statement, of the page
compiled per request, and the median of each pair's difference (what the cache saves).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import DATABASES, choose_box, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=DATABASES, default="postgis")
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=300, help="of each kind")
    return parser.parse_args()


def run(args):
    from django.db import connection

    from bench.data import ensure_entries
    from mapapp.reads import statements
    from mapapp.reads.filters import EntryFilters
    from mapapp.reads.geojson import encode, list_features

    ensure_entries(args.entries)
    box, n = choose_box()
    filters = EntryFilters(bbox=box, limit=1000)
    sql, params = statements.page_statement(filters)

    def database():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def cached():
        encode(statements.page_features(filters))

    def per_request():
        encode(list_features(statements.page_entries(filters)))

    def timed(fn):
        started = time.perf_counter()
        fn()
        return (time.perf_counter() - started) * 1000

    kinds = (database, cached, per_request)
    for fn in kinds:  # warm connection, caches and the statement
        fn()
    db, mine, orm = zip(*([timed(fn) for fn in kinds] for _ in range(args.pages)), strict=True)
    saved = statistics.median(b - a for a, b in zip(mine, orm, strict=True))
    print(
        f"{args.database}: box holds {n}; medians in ms: database {statistics.median(db):.2f}, "
        f"cached statement {statistics.median(mine):.2f}, compiled per request "
        f"{statistics.median(orm):.2f}; the cache saves {saved:.2f} ms a page"
    )


if __name__ == "__main__":
    arguments = parse_args()
    setup_django(arguments.database)
    run(arguments)
