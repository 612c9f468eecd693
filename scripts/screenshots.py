"""Save screenshots of Commons Map with demo data to docs/screenshots/ (make screenshots).

Serves the app on a free local port with the SpatiaLite demo database, answers tile requests
with a locally drawn stand-in tile, and captures the home page (desktop and phone), an entry
page, the list view and the threats page in Debian's Chromium; then, signed in as a demo
follower, the entry page's Follow button, the "Follow this area" form and the list of follows;
and, as a trusted contributor, an import's mapping step, its dry run in progress and its report.
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
# As a signed-in person who follows an entry, a category and an area.
SIGNED_IN_SHOTS = [
    ("entry-follow.png", "/entries/save-leeds-central-library/", 1280, 900, True),
    ("follow-area.png", "/follows/area/?bbox=-2.65,51.42,-2.53,51.49", 1280, 800, False),
    ("follows.png", "/account/follows/", 1280, 900, False),
    # The demo follower owns no entry: a visitor's "I was there recently" and the freshness facts.
    ("entry-freshness.png", "/entries/bristol-tenants-union/", 1280, 1500, True),
]
# As a trusted contributor with three imports under way: the mapping step, the dry run in
# progress (no worker runs here, so it stays where it is) and a dry run's report.
IMPORT_SHOTS = [
    ("import-mapping.png", "/imports/{mapping}/", 1280, 1800, False),
    ("import-progress.png", "/imports/{progress}/", 1280, 700, False),
    ("import-dry-run.png", "/imports/{report}/", 1280, 1500, False),
    ("import-mapping-phone.png", "/imports/{mapping}/", 375, 1400, False),
]
IMPORTER = """
import tempfile
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from mapapp.models import Entry, ImportRun, ImportSource
from mapapp.services import imports
users = get_user_model().objects
user, _ = users.get_or_create(username="demo-importer", email="importer@demo.example")
user.groups.add(Group.objects.get_or_create(name="Trusted contributors")[0])
ImportRun.objects.all().delete()
ImportSource.objects.all().delete()
near = Entry.objects.published().filter(precision="exact").order_by("pk").first()
lon, lat = near.location.x + 0.0004, near.location.y + 0.0002
rows = [
    "Name,Town,lat,lon,Type,Website,Tags",
    "Easton Community Garden,Bristol,51.4600,-2.5700,commoning,https://garden.example,food;growing",
    "Totterdown Timebank,Bristol,51.4400,-2.5800,reciprocal-working,,skills",
    f"{near.name},{near.locality},{lat:.5f},{lon:.5f},{near.category.slug},,",
    "Bedminster Tool Library,Bristol,,,commoning,not a website,tools",
    "Knowle West Food Co-op,Bristol,,,mutual-aid,,food",
    "Redfield Repair Cafe,Bristol,51.4610,-2.5620,commoning,https://repair.example,repair",
]
content = ("\\n".join(rows) + "\\n").encode()
mapping = {"Name": "name", "Town": "place", "lat": "latitude", "lon": "longitude",
           "Type": "category", "Website": "website", "Tags": "tags"}
def upload(name):
    return imports.import_upload(user=user, upload=SimpleUploadedFile("groups.csv", content),
                                 filename="bristol-groups.csv", source_name=name,
                                 licence="CC-BY-4.0")
report = upload("Bristol Mutual Aid network")
imports.import_map(run=report, user=user, mapping=mapping, inline=True)
progress = upload("Somerset community gardens")
imports.import_map(run=progress, user=user, mapping=mapping)
ImportRun.objects.filter(pk=progress.pk).update(progress_done=1240, progress_total=3000)
mapping_run = upload("Avon repair cafés")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key, mapping_run.pk, progress.pk, report.pk)
"""
FOLLOWER = """
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from mapapp.models import Category, Entry
from mapapp.services import follows
users = get_user_model().objects
user, _ = users.get_or_create(username="demo-follower", email="follower@demo.example")
entry = Entry.objects.published().get(slug="keep-plymouth-parks-public")
follows.follow_entry(user=user, entry=entry)
commoning = Category.objects.get(slug="commoning")
follows.follow_category(user=user, category=commoning, frequency="weekly")
bristol = (-2.65, 51.42, -2.53, 51.49)
follows.follow_area(user=user, bbox=bristol, name="Central Bristol", frequency="daily")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shell(python, env, code):
    """What a `manage.py shell -c code` printed last, as words."""
    result = subprocess.run(
        [python, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.split("\n")[-2].split()


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
    session = shell(python, env, FOLLOWER)[-1]
    importer, *runs = shell(python, env, IMPORTER)
    ids = dict(zip(("mapping", "progress", "report"), runs, strict=True))
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
            return server, session, importer, ids
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def main():
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server, session, importer, ids = serve(port)
    base = f"http://127.0.0.1:{port}"
    shots = [(*shot, None) for shot in SHOTS] + [(*shot, session) for shot in SIGNED_IN_SHOTS]
    shots += [(n, p.format(**ids), w, h, m, importer) for n, p, w, h, m in IMPORT_SHOTS]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, width, height, has_map, signed_in in shots:
                context = browser.new_context(viewport={"width": width, "height": height})
                if signed_in:
                    cookie = {"name": "sessionid", "value": signed_in, "url": base}
                    context.add_cookies([cookie])
                context.route(
                    f"http://{TILE_HOST}/**",
                    lambda r: r.fulfill(body=stub_tile(), content_type="image/png"),
                )
                page = context.new_page()
                page.goto(f"{base}{path}")
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
