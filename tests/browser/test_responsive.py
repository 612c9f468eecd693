"""At phone size the panel becomes a drawer below the map and nothing overflows."""

from tests.browser.conftest import LIVE

pytestmark = LIVE


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_home_page_fits_a_phone_and_the_panel_opens_as_a_drawer(phone, live, demo):
    page = phone.page
    page.goto(f"{live.url}/#6/54.2/-2.8")
    phone.wait_ready()
    assert overflow(page) <= 0
    toggle = page.get_by_role("button", name="Filters and list")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    map_box = page.locator("#map").bounding_box()
    assert map_box["height"] > 400
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.wait_for_timeout(300)
    assert page.get_by_label("Search").is_visible()
    assert overflow(page) <= 0


def test_entry_and_list_pages_fit_a_phone(phone, live, demo):
    for path in ("/entries/", f"/entries/{demo['library'].slug}/"):
        phone.page.goto(f"{live.url}{path}")
        assert overflow(phone.page) <= 0, path
