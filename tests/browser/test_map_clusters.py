"""A view holding more entries than one page is drawn from the vector tiles: counts per area
below zoom 12, each entry as a dot from there on."""

import math

from mapapp.models import Entry
from tests.browser.conftest import LIVE, violations

pytestmark = LIVE


def tile_requests(session):
    return [url for url in session.requests if ".mvt" in url]


def cluster_requests(session):
    return [url for url in session.requests if "/api/v1/clusters/" in url]


def wait_for_cells(page):
    """Ready, and the cluster markers in the DOM are those counted (a level just left fades)."""
    page.wait_for_function(
        "document.querySelectorAll('.cm-cell').length == document.body.dataset.cellCount"
    )


def test_a_crowded_view_shows_counts_per_area_from_the_tiles_and_a_click_zooms_in(
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
    assert cells.count() == 2 == int(page.evaluate("document.body.dataset.cellCount"))
    assert sorted(int(t) for t in cells.all_text_contents()) == [4, 5]
    assert session.feature_count() == 0 and page.locator(".cm-marker").count() == 0
    assert all("/api/v1/tiles/6/" in url for url in tile_requests(session))
    assert tile_requests(session) and cluster_requests(session) == []
    status = page.get_by_role("status")
    assert "9 entries in view, counted by area" in status.text_content()
    assert page.locator(".entry-button").count() == 3  # the list shows the first page
    assert violations(page) == []

    page.get_by_role("button", name="5 entries here; zoom in").click()
    page.wait_for_function("Number(location.hash.split('/')[0].slice(1)) > 6")
    session.wait_ready()
    zoom = page.evaluate("Number(location.hash.split('/')[0].slice(1))")
    assert zoom > 6
    assert any(f"/api/v1/tiles/{zoom}/" in url for url in tile_requests(session))
    assert cluster_requests(session) == []
    assert session.errors == []


def test_the_counts_drawn_add_up_to_the_list_s_count_with_the_filters_in_the_tile_urls(
    session, live, make_entry, settings
):
    settings.API_DEFAULT_LIMIT = 2
    for n in range(7):
        make_entry(name=f"Garden {n}", lon=-2.2 + n * 0.15, lat=53.3 + n * 0.1)
    for n in range(4):
        make_entry(
            name=f"Campaign {n}",
            lon=-1.5 + n * 0.1,
            lat=52.5,
            category_slug=("campaigns-resistance"),
        )
    page = session.page
    page.goto(f"{live.url}/?category=commoning#7/53.00000/-2.00000")
    session.wait_ready()
    wait_for_cells(page)
    counts = [int(t) for t in page.locator(".cm-cell").all_text_contents()]
    assert sum(counts) == 7
    assert "7 entries in view" in page.get_by_role("status").text_content()
    assert all("category=commoning" in url for url in tile_requests(session))

    before = len(tile_requests(session))
    marks = page.evaluate("performance.getEntriesByName('cm-features-drawn').length")
    page.get_by_role("checkbox", name="Campaigns & resistance").check()
    page.wait_for_function(f"performance.getEntriesByName('cm-features-drawn').length > {marks}")
    session.wait_ready()
    wait_for_cells(page)
    counts = [int(t) for t in page.locator(".cm-cell").all_text_contents()]
    assert sum(counts) == 11
    assert all(
        "category=commoning%2Ccampaigns-resistance" in url
        for url in tile_requests(session)[before:]
    )
    assert session.errors == []


def test_a_crowded_city_view_draws_each_entry_from_the_tiles_with_a_popup(
    session, live, make_entry, settings
):
    settings.API_DEFAULT_LIMIT = 2
    made = [
        make_entry(
            name=f"Stokes Croft {n}", lon=-2.59 + n * 0.003, lat=51.46, category_slug="commoning"
        )
        for n in range(3)
    ]
    make_entry(
        name="Save the Baths",
        lon=-2.58,
        lat=51.455,
        threat="at_risk",
        category_slug="campaigns-resistance",
    )
    page = session.page
    page.goto(f"{live.url}/#14/51.45800/-2.58500")
    session.wait_ready()
    dots = page.locator(".cm-tile-dot")
    assert dots.count() == 4
    assert page.locator(".cm-cell").count() == 0 and session.feature_count() == 0
    assert all("/api/v1/tiles/14/" in url for url in tile_requests(session))
    assert tile_requests(session) and cluster_requests(session) == []
    assert page.locator(".cm-tile-dot .cm-dot.cm-at-risk").count() == 1
    assert page.get_by_role("button", name="Save the Baths (at risk)").count() == 1

    page.get_by_role("button", name="Stokes Croft 1", exact=True).click()
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert "Stokes Croft 1" in popup.text_content()
    assert "Commoning" in popup.text_content()
    link = popup.get_by_role("link", name="More about this entry")
    assert link.get_attribute("href") == f"/entries/{made[1].slug}/"
    link.click()
    page.wait_for_url(f"**/entries/{made[1].slug}/")
    assert page.get_by_role("heading", name="Stokes Croft 1").count() == 1
    assert session.errors == []


def test_an_approximate_entry_drawn_from_the_tiles_is_a_soft_circle_not_a_dot(
    session, live, make_entry, settings
):
    settings.API_DEFAULT_LIMIT = 1
    make_entry(name="Montpelier Exact", lon=-2.59, lat=51.465)
    make_entry(
        name="Montpelier Somewhere", lon=-2.585, lat=51.462, precision=Entry.Precision.APPROXIMATE
    )
    page = session.page
    page.goto(f"{live.url}/#14/51.46300/-2.58700")
    session.wait_ready()
    assert all("/api/v1/tiles/14/" in url for url in tile_requests(session))
    assert page.locator(".cm-tile-dot").count() == 1
    circle = page.locator("path.cm-approximate")
    assert circle.count() == 1
    circle.click()
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert "Montpelier Somewhere" in popup.text_content()
    assert "Approximate location" in popup.text_content()
    assert session.errors == []


def pixel(lon, lat, zoom):
    """Web Mercator pixel of a point at zoom (256-pixel tiles), as Leaflet places it."""
    scale = 256 * 2**zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * scale
    return x, y


def test_a_withheld_exact_location_is_never_drawn_only_the_public_point(
    session, live, make_entry, settings
):
    settings.API_DEFAULT_LIMIT = 1
    hidden = make_entry(name="Safe House", lon=-2.5900, lat=51.4600, precision="approximate")
    make_entry(name="Open Garden", lon=-2.5800, lat=51.4550)
    public = Entry.objects.get(pk=hidden.pk).public_point
    assert (public.x, public.y) != (-2.59, 51.46)
    zoom, centre = 15, (-2.585, 51.4575)
    page = session.page
    page.goto(f"{live.url}/#{zoom}/{centre[1]:.5f}/{centre[0]:.5f}")
    session.wait_ready()
    # Drawn as a soft circle around its public point (the list names it for screen readers).
    dot = page.locator("path.cm-approximate")
    assert dot.count() == 1 and page.get_by_role("button", name="Safe House").count() == 0
    box, frame = dot.bounding_box(), page.locator("#map").bounding_box()
    drawn = (box["x"] + box["width"] / 2 - frame["x"], box["y"] + box["height"] / 2 - frame["y"])
    origin = pixel(*centre, zoom)

    def on_screen(lon, lat):
        x, y = pixel(lon, lat, zoom)
        return x - origin[0] + frame["width"] / 2, y - origin[1] + frame["height"] / 2

    assert math.dist(drawn, on_screen(public.x, public.y)) < 3
    assert math.dist(drawn, on_screen(-2.59, 51.46)) > 20
    dot.click()
    assert "Approximate location" in page.locator(".leaflet-popup").text_content()
    assert session.errors == []


def test_a_tile_that_fails_shows_the_error_banner(session, live, make_entry, settings):
    settings.API_DEFAULT_LIMIT = 1
    for n in range(2):
        make_entry(name=f"Place {n}", lon=-2.59 + n * 0.002, lat=51.45)
    session.page.route(
        "**/*.mvt*", lambda route: route.fulfill(status=503, json={"detail": "Tiles are resting."})
    )
    session.page.goto(f"{live.url}/#6/54.20000/-2.80000")
    session.page.wait_for_function("document.body.dataset.mapState == 'error'")
    banner = session.page.locator("#error-banner")
    assert banner.is_visible()
    assert "Tiles are resting." in banner.text_content()


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
