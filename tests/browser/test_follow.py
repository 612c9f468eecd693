"""Following in the browser: an entry from its page, an area from the map's view."""

import re

import pytest

from mapapp.models import Follow
from tests.browser.conftest import LIVE, signed_in

pytestmark = LIVE


@pytest.fixture
def account(people):
    return people["owner"]


def test_following_and_unfollowing_an_entry_from_its_page(browser, live, make_entry, account):
    entry = make_entry(name="Bristol Tool Library")
    session = signed_in(browser, live, account)
    page = session.page
    page.goto(f"{live.url}/entries/{entry.slug}/")
    page.get_by_role("button", name="Follow", exact=True).click()
    page.wait_for_url(f"**/entries/{entry.slug}/")
    assert "You follow Bristol Tool Library" in page.locator("body").inner_text()
    assert Follow.objects.filter(user=account, entry=entry).count() == 1
    page.get_by_role("button", name="Unfollow").click()
    page.wait_for_url(f"**/entries/{entry.slug}/")
    assert "You no longer follow Bristol Tool Library" in page.locator("body").inner_text()
    assert page.get_by_role("button", name="Follow", exact=True).is_visible()
    assert not Follow.objects.exists()
    assert session.errors == []
    session.context.close()


def test_follow_this_area_takes_the_maps_view_into_the_form(browser, live, make_entry, account):
    make_entry(name="Bristol Community Garden", lon=-2.59, lat=51.455)
    session = signed_in(browser, live, account)
    page = session.page
    page.goto(f"{live.url}/#13/51.4550/-2.5900")
    session.wait_ready()
    link = page.locator("#follow-area-link")
    page.wait_for_function(
        "document.getElementById('follow-area-link').href.includes('bbox=')", timeout=10000
    )
    bbox = re.search(r"bbox=([^&]+)", link.get_attribute("href")).group(1).replace("%2C", ",")
    west, south, east, north = map(float, bbox.split(","))
    assert west < -2.59 < east and south < 51.455 < north
    link.click()
    page.get_by_label("Name of the area").fill("Central Bristol")
    page.get_by_label("Email me").select_option("daily")
    page.get_by_role("button", name="Follow this area").click()
    page.wait_for_url("**/account/follows/")
    assert "Central Bristol" in page.locator("main").inner_text()
    follow = Follow.objects.get(user=account)
    assert follow.frequency == "daily"
    assert follow.area.extent == pytest.approx((west, south, east, north))
    assert session.errors == []
    session.context.close()
