"""axe-core finds no serious or critical accessibility violations on the public pages."""

from pathlib import Path

import pytest

from tests.browser.conftest import LIVE

pytestmark = LIVE

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


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
