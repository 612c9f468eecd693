"""axe-core finds no serious or critical accessibility violations on the public pages."""

import pytest

from tests.browser.conftest import LIVE, violations

pytestmark = LIVE


@pytest.mark.parametrize(
    "path",
    [
        "/#6/54.2/-2.8",
        "/entries/",
        "ENTRY",
        "/embed/#6/54.2/-2.8",
        "/entries/new/",
        "/accounts/signup/",
        "/privacy/",
    ],
)
def test_no_serious_or_critical_violations(session, live, demo, path):
    has_map = path not in {"/entries/", "/accounts/signup/", "/privacy/"}
    if path == "ENTRY":
        path = f"/entries/{demo['library'].slug}/"
    session.page.goto(f"{live.url}{path}")
    if has_map:
        session.page.wait_for_selector("body[data-map-state]", timeout=15000)
    assert violations(session.page) == []


def test_filters_and_list_work_from_the_keyboard(session, live, demo):
    page = session.page
    page.goto(f"{live.url}/#6/54.2/-2.8")
    session.wait_ready()
    page.get_by_label("Commoning").focus()
    page.keyboard.press("Space")
    page.wait_for_function("document.body.dataset.featureCount === '1'")
    page.locator(".entry-button").first.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for(timeout=10000)
    assert "Bristol Community Garden" in page.locator(".leaflet-popup-content").text_content()
