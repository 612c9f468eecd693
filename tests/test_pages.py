"""Server-rendered pages: entry pages, the list view, embeds and their headers."""

import json
import re
from urllib.parse import urlsplit

import pytest


def test_an_entry_page_shows_the_public_fields(client, make_entry):
    entry = make_entry(
        name="Totnes Repair Café",
        summary="Fix things together",
        description="Bring a kettle. See https://repair.example.org/about",
        opening_times="Saturdays 10–1",
        website="https://repair.example.org",
        threat="at_risk",
        threat_note="The hall lease ends in May",
        tags=["repair"],
        locality="Totnes",
    )
    response = client.get(f"/entries/{entry.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Totnes Repair Café",
        "Fix things together",
        "Saturdays 10–1",
        "At risk",
        "The hall lease ends in May",
        "Totnes",
        "repair",
        "Last updated",
    ):
        assert text in body, text
    assert '<a href="https://repair.example.org/about" rel="nofollow">' in body
    assert f'href="/api/v1/entries/{entry.slug}/"' in body


def test_an_entry_page_escapes_html_in_every_field(client, make_entry):
    entry = make_entry(
        name="<b>Bold</b>",
        description="<script>alert(1)</script> http://x.example",
        summary='"><img src=x onerror=alert(1)>',
    )
    body = client.get(f"/entries/{entry.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "<b>Bold</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body


def test_an_entry_page_has_open_graph_and_json_ld(client, make_entry):
    entry = make_entry(name="Stroud Seed Library </script><script>", summary="Seeds for all")
    body = client.get(f"/entries/{entry.slug}/").content.decode()
    assert (
        '<meta property="og:title" content="Stroud Seed Library &lt;/script&gt;&lt;script&gt;">'
        in body
    )
    ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1)
    data = json.loads(ld)
    assert data["name"] == "Stroud Seed Library </script><script>"
    assert data["location"]["geo"]["longitude"] == round(entry.public_point.x, 6)


@pytest.mark.parametrize("status", ["pending", "rejected", "archived"])
def test_unpublished_entries_have_no_page(client, make_entry, status):
    entry = make_entry(status=status)
    response = client.get(f"/entries/{entry.slug}/")
    assert response.status_code == 404 and b"could not find" in response.content


def test_an_unknown_slug_is_a_friendly_404(client, db):
    response = client.get("/entries/no-such-thing/")
    assert response.status_code == 404 and b"Back to the map" in response.content


def test_a_withheld_location_does_not_leak_from_the_entry_page(client, make_entry):
    entry = make_entry(
        precision="approximate",
        address="7 Quiet Mews",
        postcode="BS3 1AA",
        lon=-2.612345,
        lat=51.441234,
    )
    body = client.get(f"/entries/{entry.slug}/").content.decode()
    assert "7 Quiet Mews" not in body and "BS3 1AA" not in body
    assert "2.61234" not in body and "51.44123" not in body
    assert "approximate point" in body


def test_the_list_paginates_and_sorts(client, make_entry):
    for n in range(30):
        make_entry(name=f"Entry {n:02d}")
    first = client.get("/entries/").content.decode()
    assert "Entry 00" in first and "Entry 25" not in first and "page 1 of 2" in first
    second = client.get("/entries/", {"page": 2}).content.decode()
    assert "Entry 29" in second and "Entry 00" not in second
    recent = client.get("/entries/", {"sort": "-updated"}).content.decode()
    assert recent.index("Entry 29") < recent.index("Entry 20")


def test_the_list_filters_combine(client, make_entry):
    make_entry(name="Garden A", category_slug="commoning", tags=["food"], threat="at_risk")
    make_entry(name="Garden B", category_slug="commoning", tags=["food"])
    make_entry(name="Pool C", category_slug="public-goods", threat="lost")
    body = client.get("/entries/", {"category": "commoning", "threat": "on", "tag": "food"})
    assert [e.name for e in body.context["page"].object_list] == ["Garden A"]
    body = client.get("/entries/", {"q": "pool"})
    assert [e.name for e in body.context["page"].object_list] == ["Pool C"]


def names_listed(response):
    return sorted(e.name for e in response.context["page"].object_list)


@pytest.mark.parametrize("category", ["commoning,public-goods", ["commoning", "public-goods"]])
def test_the_list_takes_several_categories_as_the_map_sends_them(client, make_entry, category):
    make_entry(name="Garden A", category_slug="commoning")
    make_entry(name="Pool C", category_slug="public-goods")
    make_entry(name="Timebank", category_slug="reciprocal-working")
    response = client.get("/entries/", {"category": category})
    assert response.status_code == 200
    assert names_listed(response) == ["Garden A", "Pool C"]
    ticked = re.findall(r'<input[^>]*value="([^"]+)"[^>]*checked', response.content.decode())
    assert sorted(ticked) == ["commoning", "public-goods"]


@pytest.mark.parametrize(
    "threat,names",
    [
        ("1", ["A", "L"]),
        ("on", ["A", "L"]),
        ("at_risk,lost", ["A", "L"]),
        ("lost", ["L"]),
        ("none", ["N"]),
        ("0", ["A", "L", "N"]),
    ],
)
def test_the_list_takes_the_threat_as_the_map_and_the_api_send_it(
    client, make_entry, threat, names
):
    make_entry(name="A", threat="at_risk")
    make_entry(name="L", threat="lost")
    make_entry(name="N")
    response = client.get("/entries/", {"threat": threat})
    assert response.status_code == 200 and names_listed(response) == names


@pytest.mark.parametrize(
    "params,field",
    [
        ({"category": "nope"}, "category"),
        ({"category": "commoning,nope"}, "category"),
        ({"threat": "doomed"}, "threat"),
        ({"tag": "nope"}, "tag"),
        ({"sort": "colour"}, "sort"),
        ({"q": "!!!"}, "q"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_list_filters_get_a_400_with_the_problem_named(client, db, params, field):
    response = client.get("/entries/", params)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert b'class="field-error"' in response.content


def test_an_out_of_range_page_shows_the_last_page(client, make_entry):
    make_entry(name="Only")
    assert client.get("/entries/", {"page": 99}).status_code == 200
    assert client.get("/entries/", {"page": "x"}).status_code == 200


def test_embeds_may_be_framed_anywhere_and_other_pages_nowhere(client, make_entry):
    entry = make_entry()
    embed = client.get("/embed/")
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    for path in ("/", "/entries/", f"/entries/{entry.slug}/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_pages_allow_images_only_from_the_tile_server(client, db, settings):
    # The policy is computed once from TILE_URL at start-up (tests/test_settings.py has {s}).
    csp = client.get("/")["Content-Security-Policy"]
    tiles = urlsplit(settings.TILE_URL.replace("{s}", "*"))
    images = re.search(r"img-src ([^;]*)", csp)[1].split()
    assert images == ["'self'", "data:", f"{tiles.scheme}://{tiles.netloc}"]
    assert "script-src 'self'" in csp


def test_the_home_page_passes_its_settings_as_json(client, db, settings):
    settings.TILE_URL = "https://tiles.example.net/{z}/{x}/{y}.png"
    settings.TILE_ATTRIBUTION = "Tiles © Example"
    response = client.get("/")
    config = json.loads(
        re.search(
            r'id="map-config" type="application/json">(.*?)</script>',
            response.content.decode(),
            re.S,
        ).group(1)
    )
    assert config["tileUrl"] == settings.TILE_URL
    assert config["tileAttribution"] == "Tiles © Example"
    assert len(config["categories"]) == 6


def test_the_privacy_page_explains_what_is_kept_private(client, db):
    body = client.get("/privacy/").content.decode()
    assert "never shown" in body and "No analytics" in body


def test_the_list_counts_from_the_aggregates_not_with_a_count_over_the_entries(client, make_entry):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(30):
        make_entry(name=f"Counted {n:02d}")
    make_entry(name="Waiting", status="pending")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/entries/")
    assert response.context["page"].paginator.count == 30
    assert "30 entries · page 1 of 2" in response.content.decode()
    # The paginator's own count (COUNT(*) AS "__count" over every entry matching) never runs.
    counts = [q["sql"] for q in queries if "__count" in q["sql"]]
    assert counts == []


def test_a_search_matching_more_than_its_limit_says_so_and_pages_up_to_it(
    client, make_entry, settings
):
    settings.SEARCH_COUNT_LIMIT = 26
    for n in range(30):
        make_entry(name=f"Orchard {n:02d}")
    response = client.get("/entries/", {"q": "orchard"})
    body = response.content.decode()
    assert "More than 26 entries match: add a word or a filter" in body
    assert "page 1 of 2" in body
    assert "26 entries · page" not in body
    settings.SEARCH_COUNT_LIMIT = 30
    body = client.get("/entries/", {"q": "orchard"}).content.decode()
    assert "30 entries · page 1 of 2" in body and "More than" not in body
