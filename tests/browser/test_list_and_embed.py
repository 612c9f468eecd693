"""The list view without JavaScript, the embed page, and the share dialog's iframe code."""

from tests.browser.conftest import LIVE, open_session

pytestmark = LIVE


def test_the_list_view_works_with_javascript_disabled(browser, live, demo):
    session = open_session(browser, javascript=False)
    page = session.page
    try:
        page.goto(f"{live.url}/entries/")
        assert page.locator(".entry-card").count() == 4
        page.get_by_label("Commoning").check()
        page.get_by_role("button", name="Show entries").click()
        page.wait_for_url("**/entries/?*")
        assert page.locator(".entry-card h2").all_text_contents() == ["Bristol Community Garden"]
        page.get_by_label("Search").fill("closure")
        page.get_by_label("Commoning").uncheck()
        page.get_by_role("button", name="Show entries").click()
        page.wait_for_load_state()
        assert "q=closure" in page.url
        assert page.locator(".entry-card h2").all_text_contents() == ["Save Leeds Library"]
        page.get_by_role("link", name="Save Leeds Library").click()
        assert page.locator("h1").text_content() == "Save Leeds Library"
    finally:
        session.context.close()


def test_the_map_links_to_the_list_with_the_same_filters(session, live, demo):
    session.page.goto(f"{live.url}/?category=commoning#6/54.2/-2.8")
    session.wait_ready()
    session.page.get_by_role("link", name="View as list").click()
    session.page.wait_for_url("**/entries/?category=commoning")
    assert session.page.locator(".entry-card").count() == 1


def test_two_categories_picked_on_the_map_carry_over_to_the_list(session, live, demo):
    page = session.page
    page.goto(f"{live.url}/#6/54.2/-2.8")
    session.wait_ready()
    page.get_by_label("Commoning").check()
    page.get_by_label("Reciprocal working").check()
    page.wait_for_function("location.search.includes('reciprocal-working')")
    session.wait_ready()
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name="View as list").click()
    assert navigation.value.status == 200
    assert "category=" in page.url and "%2C" in page.url  # the map's comma list
    names = page.locator(".entry-card h2").all_text_contents()
    assert sorted(names) == ["Bristol Community Garden", "Bristol Timebank"]


def test_the_embed_renders_with_filters_and_a_link_back(session, live, demo):
    session.page.goto(f"{live.url}/embed/?category=commoning,reciprocal-working#7/51.46/-2.6")
    session.wait_ready()
    assert session.feature_count() == 2
    assert session.page.locator("#panel").count() == 0
    link = session.page.get_by_role("link", name="View on Commons Map")
    assert "category=commoning%2Creciprocal-working" in link.get_attribute("href")
    assert session.page.locator(".leaflet-control-attribution").is_visible()


def test_the_share_dialog_gives_a_permalink_and_working_iframe_code(session, live, demo):
    page = session.page
    page.goto(f"{live.url}/?category=commoning#9/51.46/-2.6")
    session.wait_ready()
    page.get_by_role("button", name="Share / embed").click()
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible()
    assert page.get_by_label("Link to this view").input_value() == page.url
    code = page.get_by_label("Embed code").input_value()
    assert code.startswith("<iframe src=") and "/embed/?category=commoning#9/" in code
    page.get_by_role("button", name="Close").click()
    # Load the code in a page of its own, as another site would.
    page.set_content(f"<!doctype html><title>Host</title>{code}")
    frame = page.frame_locator("iframe")
    frame.locator("body[data-map-state='ready']").wait_for(timeout=15000)
    assert frame.locator("body").get_attribute("data-feature-count") == "1"


def test_the_map_filters_open_the_list_without_javascript(browser, live, demo):
    session = open_session(browser, javascript=False)
    page = session.page
    try:
        page.goto(f"{live.url}/")
        page.get_by_label("Commoning").check()
        page.get_by_label("Reciprocal working").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/entries/?*")
        names = page.locator(".entry-card h2").all_text_contents()
        assert sorted(names) == ["Bristol Community Garden", "Bristol Timebank"]
    finally:
        session.context.close()
