"""axe-core finds no serious or critical accessibility violations on the public pages."""

import re

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
        "/threats/",
    ],
)
def test_no_serious_or_critical_violations(session, live, demo, path):
    has_map = path not in {"/entries/", "/accounts/signup/", "/privacy/", "/threats/"}
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


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def rgba(css):
    return [float(n) for n in re.findall(r"[\d.]+", css)]


@pytest.mark.parametrize("path", ["/#6/54.2/-2.8", "/embed/#6/54.2/-2.8"])
def test_the_map_attribution_link_is_underlined_with_strong_contrast(session, live, demo, path):
    """Over map tiles of any colour: an opaque background, 4.5:1 text, an underline."""
    session.page.goto(f"{live.url}{path}")
    session.wait_ready()
    link = session.page.locator(".leaflet-control-attribution a").first
    style = link.evaluate(
        "a => { const s = getComputedStyle(a), box = getComputedStyle(a.closest("
        "'.leaflet-control-attribution')); return [s.color, box.backgroundColor, "
        "s.textDecorationLine]; }"
    )
    colour, background, decoration = style
    back = rgba(background)
    assert len(back) == 3 or back[3] == 1, background  # opaque
    lighter, darker = sorted((luminance(rgba(colour)[:3]), luminance(back[:3])), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (colour, background)
    assert "underline" in decoration
