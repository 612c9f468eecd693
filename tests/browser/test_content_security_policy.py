"""Our pages work under their own Content-Security-Policy (no inline script, no other hosts)."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LIVE, TILE_HOST, open_session

pytestmark = LIVE


@pytest.mark.parametrize("path", ["/#6/54.2/-2.8", "/embed/#6/54.2/-2.8", "/entries/", "ENTRY"])
def test_pages_run_without_policy_violations(browser, live, demo, path):
    session = open_session(browser, enforce_csp=True)
    try:
        if path == "ENTRY":
            path = f"/entries/{demo['garden'].slug}/"
        response = session.page.goto(f"{live.url}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        if path != "/entries/":
            session.page.wait_for_selector("body[data-map-state='ready']", timeout=15000)
        session.page.wait_for_timeout(300)
        assert session.errors == []
    finally:
        session.context.close()


@pytest.mark.parametrize(
    "path,ready",
    [
        ("/api/docs/", ".swagger-ui .info"),
        ("/accounts/login/", "form"),
        ("/accounts/signup/", "form"),
        ("/admin/login/", "#login-form"),
    ],
)
def test_password_pages_and_the_api_docs_run_under_the_policy(browser, live, path, ready):
    session = open_session(browser, enforce_csp=True)
    try:
        response = session.page.goto(f"{live.url}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        session.page.wait_for_selector(ready, timeout=15000)
        session.page.wait_for_timeout(300)
        assert session.errors == []
    finally:
        session.context.close()


@pytest.mark.parametrize("path", ["/#6/54.2/-2.8", "/#13/51.457/-2.595", "/embed/#6/54.2/-2.8"])
def test_a_crowded_map_draws_its_vector_tiles_under_the_policy(browser, live, demo, settings, path):
    """The import map runs under the page's nonce, and the decoders are ours, not a CDN's."""
    settings.API_DEFAULT_LIMIT = 1
    session = open_session(browser, enforce_csp=True)
    try:
        session.page.goto(f"{live.url}{path}")
        session.page.wait_for_selector("body[data-map-state='ready']", timeout=15000)
        drawn = session.page.locator(".cm-cell, .cm-tile-dot")
        assert drawn.count() >= 2
        assert any(".mvt" in url for url in session.requests)
        assert session.hosts() <= {urlsplit(live.url).netloc, TILE_HOST}
        session.page.wait_for_timeout(300)
        assert session.errors == []
    finally:
        session.context.close()
