"""A search matching more entries than the server counts (SEARCH_COUNT_LIMIT) still shows as a
crowded view: counts by area on the map, the first page in the list, and words saying so."""

from tests.browser.conftest import LIVE

pytestmark = LIVE


def test_a_search_past_the_count_limit_is_drawn_by_area(session, live, make_entry, settings):
    settings.API_DEFAULT_LIMIT = 3
    settings.SEARCH_COUNT_LIMIT = 4
    for n in range(6):
        make_entry(name=f"Garden {n}", lon=-2.59 + n * 0.002, lat=51.45)
    make_entry(name="Orchard", lon=-1.55, lat=53.80)
    session.page.goto(f"{live.url}/?q=garden#6/54.20000/-2.80000")
    session.wait_ready()
    cells = session.page.locator(".cm-cell")
    assert cells.count() == 1 and cells.all_text_contents() == ["6"]
    status = session.page.get_by_role("status").filter(has_text="counted by area")
    assert "Over 4 entries in view" in status.text_content()
    assert session.page.locator(".entry-button").count() == 3
    assert session.errors == []


def test_a_search_within_the_count_limit_says_how_many(session, live, make_entry, settings):
    settings.API_DEFAULT_LIMIT = 3
    settings.SEARCH_COUNT_LIMIT = 10
    for n in range(6):
        make_entry(name=f"Garden {n}", lon=-2.59 + n * 0.002, lat=51.45)
    session.page.goto(f"{live.url}/?q=garden#6/54.20000/-2.80000")
    session.wait_ready()
    status = session.page.get_by_role("status").filter(has_text="counted by area")
    assert "6 entries in view" in status.text_content()
    assert session.errors == []
