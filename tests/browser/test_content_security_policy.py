"""Our pages work under their own Content-Security-Policy (no inline script, no other hosts)."""

import pytest

from tests.browser.conftest import LIVE, open_session

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
