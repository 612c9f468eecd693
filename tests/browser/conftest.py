"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Tiles come from a host that does not exist and are answered in the browser by a route handler,
so nothing reaches the internet; every request a page makes is recorded for the tests.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.tiles import stub_tile

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TILE_HOST = "tiles.commons-map.test"
TILE_URL = f"http://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-quic",
]

# Each browser test module sets this as its pytestmark: the live server reads committed data,
# and the seeded categories and content types must come back after each test's flush.
LIVE = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `make test` to install it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live(live_server, settings):
    """The live server with tiles pointed at the stub host."""
    from commons.settings import content_security_policy
    from tests.conftest import ensure_categories

    settings.TILE_URL = TILE_URL
    settings.CONTENT_SECURITY_POLICY = content_security_policy(TILE_URL)
    settings.API_THROTTLE_ANON = None
    ensure_categories()
    return live_server


class Session:
    """A browser page plus what it did: requests, dialogs and script errors."""

    def __init__(self, context, page):
        self.context, self.page = context, page
        self.requests, self.dialogs, self.errors = [], [], []

    def hosts(self):
        return {urlsplit(url).netloc for url in self.requests if not url.startswith("data:")}

    def wait_ready(self, timeout=15000):
        self.page.wait_for_function(
            "['ready', 'error'].includes(document.body.dataset.mapState)", timeout=timeout
        )
        assert self.page.evaluate("document.body.dataset.mapState") == "ready"

    def feature_count(self):
        return int(self.page.evaluate("document.body.dataset.featureCount || '0'"))


def open_session(browser, *, width=1280, height=800, javascript=True, enforce_csp=False):
    # Playwright's polling helpers evaluate strings, which our CSP forbids; pages are checked
    # under the real policy in test_content_security_policy.py.
    context = browser.new_context(
        viewport={"width": width, "height": height},
        java_script_enabled=javascript,
        bypass_csp=not enforce_csp,
    )
    context.route(
        f"http://{TILE_HOST}/**",
        lambda route: route.fulfill(body=stub_tile(), content_type="image/png"),
    )
    page = context.new_page()
    session = Session(context, page)
    context.on("request", lambda request: session.requests.append(request.url))
    page.on("dialog", lambda dialog: (session.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: session.errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and session.errors.append(m.text))
    return session


def signed_in(browser, live, user):
    """A session whose browser holds user's session cookie, as after signing in."""
    from django.conf import settings
    from django.test import Client

    session = open_session(browser)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    session.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live.url}]
    )
    return session


def _closing(session):
    yield session
    session.context.close()


@pytest.fixture
def session(browser, live):
    yield from _closing(open_session(browser))


@pytest.fixture
def phone(browser, live):
    yield from _closing(open_session(browser, width=375, height=812))


@pytest.fixture
def demo(live, make_entry):
    """A few entries in two cities, covering categories, tags and withheld locations."""
    made = {
        "garden": make_entry(
            name="Bristol Community Garden",
            lon=-2.59,
            lat=51.455,
            category_slug="commoning",
            tags=["food"],
            description="Raised beds and a shared polytunnel",
        ),
        "timebank": make_entry(
            name="Bristol Timebank",
            lon=-2.60,
            lat=51.46,
            category_slug="reciprocal-working",
            tags=["skills"],
            description="Swap hours of help with neighbours",
        ),
        "library": make_entry(
            name="Save Leeds Library",
            lon=-1.55,
            lat=53.80,
            category_slug="campaigns-resistance",
            threat="at_risk",
            description="Campaign against the closure of the library",
        ),
        "cafe": make_entry(
            name="Leeds Community Café",
            lon=-1.56,
            lat=53.79,
            category_slug="convivial-spaces",
            precision="approximate",
            description="Pay-as-you-feel meals every Friday",
        ),
    }
    return made


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
