"""Save screenshots of Commons Map with demo data to docs/screenshots/ (make screenshots).

Serves the app on a free local port with the SpatiaLite demo database, answers tile requests
with a locally drawn stand-in tile, and captures the home page (desktop and phone), an entry
page, the list view and the threats page in Debian's Chromium.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TILE_HOST, TILE_URL  # noqa: E402
from tests.browser.tiles import stub_tile  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SHOTS = [
    ("home-desktop.png", "/#6/54.20000/-2.80000", 1280, 800, True),
    ("home-phone.png", "/#6/54.20000/-2.80000", 375, 812, True),
    ("entry.png", "/entries/save-leeds-central-library/", 1280, 900, True),
    ("list.png", "/entries/?category=commoning", 1280, 900, False),
    ("add-entry.png", "/entries/new/", 1280, 1400, True),
    ("entry-timeline.png", "/entries/keep-plymouth-parks-public/", 1280, 2200, True),
    ("threats.png", "/threats/", 1280, 2800, False),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port):
    env = {
        **os.environ,
        "DATABASE_URL": "spatialite:///var/screenshots.sqlite3",
        "TILE_URL": TILE_URL,
        "API_THROTTLE_ANON": "off",
    }
    python = str(ROOT / ".venv/bin/python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def main():
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, width, height, has_map in SHOTS:
                context = browser.new_context(viewport={"width": width, "height": height})
                context.route(
                    f"http://{TILE_HOST}/**",
                    lambda r: r.fulfill(body=stub_tile(), content_type="image/png"),
                )
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}{path}")
                if has_map:
                    page.wait_for_selector("body[data-map-state='ready']", timeout=15000)
                page.wait_for_timeout(600)
                page.screenshot(path=str(OUT / name))
                print(f"saved docs/screenshots/{name}")
                context.close()
            browser.close()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
