"""A view holding more entries than one page shows counts per area for all of them."""

from tests.browser.conftest import LIVE, violations

pytestmark = LIVE


def test_a_crowded_view_shows_counts_per_area_and_a_click_zooms_in(
    session, live, make_entry, settings
):
    settings.API_DEFAULT_LIMIT = 3  # one page of the map holds 3 entries
    for n in range(5):
        make_entry(name=f"Bristol {n}", lon=-2.59 + n * 0.002, lat=51.45)
    for n in range(4):
        make_entry(name=f"Leeds {n}", lon=-1.55 + n * 0.002, lat=53.80)
    page = session.page
    page.goto(f"{live.url}/#6/54.20000/-2.80000")
    session.wait_ready()
    cells = page.locator(".cm-cell")
    assert cells.count() == 2
    assert sorted(int(t) for t in cells.all_text_contents()) == [4, 5]
    assert session.feature_count() == 0 and page.locator(".cm-marker").count() == 0
    status = page.get_by_role("status")
    assert "9 entries in view, counted by area" in status.text_content()
    assert page.locator(".entry-button").count() == 3  # the list shows the first page
    assert violations(page) == []

    page.get_by_role("button", name="5 entries here; zoom in").click()
    page.wait_for_function("Number(location.hash.split('/')[0].slice(1)) > 6")
    session.wait_ready()
    assert page.evaluate("Number(location.hash.split('/')[0].slice(1))") > 6
    assert session.errors == []


def test_a_list_entry_opens_its_popup_while_the_map_shows_counts(
    session, live, make_entry, settings
):
    settings.API_DEFAULT_LIMIT = 2
    for n in range(3):
        make_entry(name=f"Place {n}", lon=-2.59 + n * 0.002, lat=51.45, summary=f"Summary {n}")
    session.page.goto(f"{live.url}/#6/54.20000/-2.80000")
    session.wait_ready()
    assert session.page.locator(".cm-cell").count() == 1
    session.page.get_by_role("button", name="Place 0").click()
    popup = session.page.locator(".leaflet-popup")
    popup.wait_for()
    assert "Summary 0" in popup.text_content()
    assert session.errors == []
