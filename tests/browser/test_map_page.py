"""The home page map in real Chromium: markers, filters, search, permalinks, history, popups."""

import re

from tests.browser.conftest import LIVE, TILE_HOST

pytestmark = LIVE

UK = "#6/54.20000/-2.80000"


def goto(session, live, path=f"/{UK}"):
    session.page.goto(f"{live.url}{path}")
    session.wait_ready()


def test_markers_appear_for_published_entries(session, live, demo, make_entry):
    make_entry(name="Hidden Pending", status="pending", lon=-2.59, lat=51.45)
    goto(session, live)
    assert session.feature_count() == 4
    assert session.page.locator(".entry-button").count() == 4
    assert "Hidden Pending" not in session.page.content()
    assert session.page.locator(".marker-cluster, .cm-marker, .cm-approximate").count() > 0
    assert session.page.get_by_role("status").filter(has_text="4 entries in view").count() == 1


def test_a_category_filter_reduces_markers_and_list(session, live, demo):
    goto(session, live)
    session.page.get_by_label("Commoning").check()
    session.page.wait_for_function("document.body.dataset.featureCount === '1'")
    session.wait_ready()
    names = session.page.locator(".entry-name").all_text_contents()
    assert names == ["Bristol Community Garden"]
    assert "category=commoning" in session.page.url


def test_search_finds_an_entry_by_a_word_in_its_description(session, live, demo):
    goto(session, live)
    session.page.get_by_label("Search").fill("polytunnel")
    session.page.wait_for_function("document.body.dataset.featureCount === '1'")
    session.wait_ready()
    assert session.page.locator(".entry-name").all_text_contents() == ["Bristol Community Garden"]
    assert "q=polytunnel" in session.page.url


def test_the_empty_state_explains_how_to_widen_the_search(session, live, demo):
    goto(session, live)
    session.page.get_by_label("Search").fill("nonexistentword")
    session.page.wait_for_function("document.body.dataset.featureCount === '0'")
    empty = session.page.locator("#empty-state")
    assert empty.is_visible() and "zooming out" in empty.text_content()


def test_the_permalink_restores_zoom_centre_and_filters(session, live, demo):
    goto(
        session,
        live,
        "/?category=campaigns-resistance,convivial-spaces&threat=1#12/53.80000/-1.55000",
    )
    page = session.page
    checked = page.locator("input[name=category]:checked")
    assert [box.get_attribute("value") for box in checked.all()] == [
        "convivial-spaces",
        "campaigns-resistance",
    ]
    assert page.get_by_label("Only entries under threat").is_checked()
    assert session.feature_count() == 1  # the café is not under threat
    assert re.search(r"#12/53\.80000/-1\.55000$", page.url)


def test_the_back_button_restores_the_previous_view(session, live, demo):
    goto(session, live)
    page = session.page
    page.get_by_label("Commoning").check()
    page.wait_for_function("document.body.dataset.featureCount === '1'")
    page.wait_for_timeout(400)
    page.go_back()
    page.wait_for_function("document.body.dataset.featureCount === '4'")
    assert not page.get_by_label("Commoning").is_checked()
    assert "category" not in page.url
    page.go_forward()
    page.wait_for_function("document.body.dataset.featureCount === '1'")
    assert page.get_by_label("Commoning").is_checked()


def test_clicking_a_list_item_opens_its_popup(session, live, demo):
    goto(session, live)
    session.page.locator(".entry-button", has_text="Save Leeds Library").click()
    popup = session.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10000)
    assert "Save Leeds Library" in popup.text_content()
    assert "At risk" in popup.text_content()
    assert popup.get_by_role("link", name="More about this entry").get_attribute("href") == (
        f"/entries/{demo['library'].slug}/"
    )


def test_hostile_names_and_descriptions_render_as_text(session, live, make_entry):
    make_entry(
        name="<img src=x onerror=alert(1)>",
        lon=-2.59,
        lat=51.45,
        summary="<script>alert('summary')</script>",
        description="<script>alert('description')</script>",
    )
    goto(session, live)
    page = session.page
    assert page.locator(".entry-name").first.text_content() == "<img src=x onerror=alert(1)>"
    page.locator(".entry-button").first.click()
    page.locator(".leaflet-popup-content").wait_for()
    assert (
        "<script>alert('summary')</script>" in page.locator(".leaflet-popup-content").text_content()
    )
    href = page.locator(".leaflet-popup-content a").get_attribute("href")
    page.goto(f"{live.url}{href}")
    page.wait_for_timeout(300)
    assert page.locator("h1").text_content() == "<img src=x onerror=alert(1)>"
    assert session.dialogs == [] and session.errors == []
    assert page.locator("img[src=x]").count() == 0


def test_a_page_session_talks_only_to_our_server_and_the_tile_stub(session, live, demo):
    goto(session, live)
    page = session.page
    page.get_by_label("Commoning").check()
    page.locator(".entry-button", has_text="Bristol Community Garden").click()
    page.locator(".leaflet-popup-content").wait_for()
    page.goto(f"{live.url}/entries/{demo['garden'].slug}/")
    page.wait_for_function("document.body.dataset.mapState === 'ready'")
    page.goto(f"{live.url}/entries/")
    own = live.url.split("//", 1)[1]
    assert session.hosts() <= {own, TILE_HOST}, session.hosts()
    assert TILE_HOST in session.hosts()
    assert session.errors == []


def test_an_api_failure_shows_an_error_banner_with_retry(session, live, demo):
    page = session.page
    failing = {"on": True}

    def maybe_fail(route):
        if failing["on"]:
            route.fulfill(
                status=503,
                body='{"detail": "Down for maintenance."}',
                content_type="application/json",
            )
        else:
            route.continue_()

    page.route("**/api/v1/entries/?*", maybe_fail)
    page.goto(f"{live.url}/{UK}")
    page.wait_for_function("document.body.dataset.mapState === 'error'")
    banner = page.get_by_role("alert")
    assert banner.is_visible() and "Down for maintenance." in banner.text_content()
    failing["on"] = False
    page.get_by_role("button", name="Try again").click()
    page.wait_for_function("document.body.dataset.mapState === 'ready'")
    assert session.feature_count() == 4 and not banner.is_visible()


def test_near_me_handles_a_refused_permission(session, live, demo):
    goto(session, live)
    session.page.get_by_role("button", name="Near me").click()
    message = session.page.locator("#geo-message")
    message.wait_for(state="visible")
    session.page.wait_for_function(
        "!document.getElementById('geo-message').textContent.includes('Finding')"
    )
    assert "refused" in message.text_content() or "could not" in message.text_content()
