"""Benchmark: the home page in headless Chromium with 20,000 published entries.

    .venv/bin/python bench/bench_map.py [--entries 20000] [--runs 5]
    BENCH_DATABASE_URL=postgis://… .venv/bin/python bench/bench_map.py --national --entries 1000000

Reports, as medians over several runs, the time from navigation until the markers of the
initial view are drawn, and the time from the end of a drag that pans to a new area until its
markers are drawn. Targets on this machine: under 1.5 s and under 300 ms.

With --national: the default view (the whole country at zoom 6, drawn from the vector tiles)
on PostGIS with the benchmark's national data set, served as `make serve` serves it, its caches
as deployed (the first, unmeasured run fills them, as the first visitor would) or, with
--caches-off, keeping nothing, so every tile and page is read afresh; target: first markers
within 1.0 s.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_api import free_port, start_gunicorn  # noqa: E402

TARGET_LOAD_MS = 1500
TARGET_NATIONAL_LOAD_MS = 1000
TARGET_PAN_MS = 300
START = "/#11/53.48000/-2.24000"  # Manchester at city zoom
NATIONAL_START = "/"  # the map's default view: the whole country


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--national", action="store_true", help="PostGIS, the country view")
    parser.add_argument(
        "--caches-off", action="store_true", help="with --national: the server keeps nothing"
    )
    return parser.parse_args()


def server_environment(national=False, caches_off=False):
    """What the served app is told: the national data set on PostGIS, its caches as deployed
    or (caches_off) keeping nothing, else the city data set on SpatiaLite. The database must
    not depend on the caches: once it did, and 'as deployed' was measured on SpatiaLite."""
    if not national:
        return {"DATABASE_URL": "spatialite:///var/bench.sqlite3"}
    from bench.bench_api import DATABASES

    environment = {"DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DATABASES["postgis"])}
    if caches_off:
        environment["API_CACHE_SECONDS"] = environment["VECTOR_TILE_CACHE_SECONDS"] = "0"
    return environment


def prepare(entries, national=False, caches_off=False):
    os.environ.update(server_environment(national, caches_off))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["API_THROTTLE_ANON"] = "off"
    os.environ["TILE_URL"] = "http://tiles.commons-map.test/{z}/{x}/{y}.png"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.data import ensure_entries

    call_command("migrate", verbosity=0)
    ensure_entries(entries)
    analyze()


def analyze():
    """Fresh planner statistics, as bench_scale.py takes: autovacuum may be off (as on this
    project's machines) or not have run since the bulk load, and without them the country's
    first page (/api/v1/entries/?bbox=...&limit=1000), which the map waits for before its
    tiles, took 3.0 s instead of 0.17 s at 1,000,000 entries."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def drawn_marks(page):
    return page.evaluate("performance.getEntriesByName('cm-features-drawn').map(m => m.startTime)")


def one_run(browser, url):
    from tests.browser.conftest import TILE_HOST
    from tests.browser.tiles import stub_tile

    tile = stub_tile()
    # Playwright's polling evaluates strings, which the page's CSP forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.route(
        f"http://{TILE_HOST}/**", lambda r: r.fulfill(body=tile, content_type="image/png")
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-map-state='ready']", timeout=30000)
    load_ms = drawn_marks(page)[0]
    features = int(page.evaluate("document.body.dataset.featureCount"))
    features += int(page.evaluate("document.body.dataset.cellCount || '0'"))
    before = len(drawn_marks(page))
    box = page.locator("#map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x - 30 * step, y, steps=1)
        page.wait_for_timeout(15)
    # A deliberate drag: hold still before letting go, so no inertia glide follows.
    page.wait_for_timeout(150)
    page.mouse.up()
    released = page.evaluate("performance.now()")
    page.wait_for_function(
        f"performance.getEntriesByName('cm-features-drawn').length > {before}", timeout=30000
    )
    pan_ms = drawn_marks(page)[-1] - released
    context.close()
    return load_ms, pan_ms, features


def main():
    args = parse_args()
    database = "PostGIS" if args.national else "SpatiaLite"
    start, target = (
        (NATIONAL_START, TARGET_NATIONAL_LOAD_MS) if args.national else (START, TARGET_LOAD_MS)
    )
    print(f"== Map page benchmark ({database}, {args.entries:,} published entries)")
    prepare(args.entries, args.national, args.caches_off)
    from django.db import connection

    print(f"  served from {connection.vendor} database {connection.settings_dict['NAME']}")
    if args.national:
        caches = "off" if args.caches_off else "as deployed (warmed by one run)"
        print(f"  server caches {caches}")
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    port = free_port()
    server = start_gunicorn(port, production=args.national)
    loads, pans = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            one_run(browser, f"http://127.0.0.1:{port}{start}")  # warm caches
            for _ in range(args.runs):
                load_ms, pan_ms, features = one_run(browser, f"http://127.0.0.1:{port}{start}")
                loads.append(load_ms)
                pans.append(pan_ms)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    load, pan = statistics.median(loads), statistics.median(pans)
    print(f"  initial view {start}: {features} markers (entries and counts by area)")
    print(
        f"  navigation -> markers drawn: median {load:.0f} ms over {args.runs} runs "
        f"(target < {target} ms) {'PASS' if load < target else 'MISS'}"
    )
    print(
        f"  pan to a new area -> markers drawn: median {pan:.0f} ms "
        f"(target < {TARGET_PAN_MS} ms) {'PASS' if pan < TARGET_PAN_MS else 'MISS'}"
    )
    print(f"  all runs: load {[round(v) for v in loads]} ms; pan {[round(v) for v in pans]} ms")


if __name__ == "__main__":
    main()
