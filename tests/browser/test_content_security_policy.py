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
