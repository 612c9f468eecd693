"""Benchmark: a 100,000-row list imported through the import services (upload, the dry run,
the apply in one transaction), then the same file again (a dry run finding nothing to change).

    BENCH_DATABASE_URL=spatialite:///var/bench_import.sqlite3 \\
        .venv/bin/python bench/bench_import.py --rows 100000

In process, on its own database: give a fresh one (SpatiaLite: a new file; --fresh deletes
the file first) since the rows are imported as a new source each time. Prints rows/s of each
step, the process's peak resident memory after each (resource.getrusage) and how much that
peak grew past the start per 1,000 rows, which must stay flat from one size to another: rows
are streamed and the dry run's lines are written to the database, a batch at a time.
"""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import setup_django  # noqa: E402

DEFAULT_DATABASE = "spatialite:///var/bench_import.sqlite3"
# Great Britain, roughly: where the generated places are.
BOX = (-5.5, 50.2, 1.5, 55.8)
TOWNS = ["Leeds", "Bristol", "Manchester", "Glasgow", "Cardiff", "Norwich", "Exeter", "York"]
CATEGORIES = ["commoning", "reciprocal-working", "community-organising", "public-goods"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="delete a SpatiaLite file first")
    return parser.parse_args()


def write_list(path, rows):
    """A list like a group's spreadsheet: ids, names, coordinates, town, category, tags."""
    rng = random.Random(15)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "Name", "Latitude", "Longitude", "Town", "Category", "Website",
                         "Tags", "Description"])  # fmt: skip
        for n in range(rows):
            lon = rng.uniform(BOX[0], BOX[2])
            lat = rng.uniform(BOX[1], BOX[3])
            town = TOWNS[n % len(TOWNS)]
            writer.writerow([
                f"r{n}", f"{town} community project {n}", f"{lat:.6f}", f"{lon:.6f}", town,
                CATEGORIES[n % len(CATEGORIES)], f"https://project{n}.example",
                f"bench;{town.lower()}", f"Generated row {n} for the import benchmark.",
            ])  # fmt: skip


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def importer():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


def step(label, rows, call, start):
    """Run call, then print its time, rows/s, the peak RSS and its growth past start (MB)."""
    started = time.perf_counter()
    result = call()
    took = time.perf_counter() - started
    peak = peak_mb()
    growth = (peak - start) / rows * 1000
    print(f"  {label:<34} {took:8.1f} s  {rows / took:8.0f} rows/s  peak RSS {peak:6.0f} MB"
          f"  (+{growth:.2f} MB per 1,000 rows)", flush=True)  # fmt: skip
    return result


def main():
    args = parse_args()
    url = os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    if args.fresh and url.startswith("spatialite:///"):
        Path(url.removeprefix("spatialite:///")).unlink(missing_ok=True)
    setup_django("spatialite" if url.startswith("spatialite") else "postgis")
    from django.conf import settings

    from mapapp.models import Entry, ImportRun
    from mapapp.services import imports
    from tests.conftest import ensure_categories

    ensure_categories()
    user = importer()
    with tempfile.TemporaryDirectory() as folder:
        settings.IMPORT_DIR = Path(folder) / "imports"
        path = Path(folder) / "list.csv"
        write_list(path, args.rows)
        size = path.stat().st_size / 1_000_000
        settings.IMPORT_MAX_UPLOAD_BYTES = path.stat().st_size + 1
        print(f"== Import benchmark ({url}, {args.rows:,} rows, {size:.1f} MB CSV)")
        start = peak_mb()
        print(f"  before                             peak RSS {start:6.0f} MB")
        name = f"Bench list {time.time_ns()}"
        # Each step is given a run's id and keeps none of it: a job holds one run's report,
        # and a report held here between steps would be counted in the next step's peak.
        first = upload(imports, user, path, name=name)
        source = first.source
        counts = step("dry run (new source)", args.rows, lambda: plan(imports, first.pk, user),
                      start)  # fmt: skip
        assert counts["create"] == args.rows, counts
        step("apply (one transaction)", args.rows, lambda: apply(imports, first.pk, user), start)
        assert ImportRun.objects.get(pk=first.pk).status == ImportRun.Status.APPLIED
        again = upload(imports, user, path, source=source)
        counts = step("dry run again (all unchanged)", args.rows,
                      lambda: plan(imports, again.pk, user), start)  # fmt: skip
        assert counts["unchanged"] == args.rows, counts
        step("apply again (nothing to write)", args.rows,
             lambda: apply(imports, again.pk, user), start)  # fmt: skip
        print(f"  entries now {Entry.objects.count():,}")


def upload(imports, user, path, name="", source=None):
    with open(path, "rb") as stream:
        return imports.import_upload(user=user, upload=stream, filename=path.name, source=source,
                                     source_name=name, licence="CC0-1.0")  # fmt: skip


def plan(imports, run_id, user):
    """The dry run of run_id; its counts."""
    from mapapp.models import ImportRun

    run = imports.import_map(run=ImportRun.objects.get(pk=run_id), user=user,
                             mapping=ImportRun.objects.get(pk=run_id).mapping, id_column="id",
                             inline=True)  # fmt: skip
    return run.report["counts"]


def apply(imports, run_id, user):
    from mapapp.models import ImportRun

    imports.import_confirm(run=ImportRun.objects.get(pk=run_id), user=user, inline=True)


if __name__ == "__main__":
    main()
