"""/api/v1/tiles/{z}/{x}/{y}.mvt: the published entries as vector tiles, clusters when zoomed
out and public points when zoomed in, with their TileJSON; answered conditionally."""

import math

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mapapp.reads import tiles

BRISTOL = (-2.5879, 51.4545)


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def url(z, x, y):
    return f"/api/v1/tiles/{z}/{x}/{y}.mvt"


def decoded(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content) if response.content else {}


def tile_position(lon, lat, z, x, y):
    """Where a point falls in tile z/x/y's 0..4096 grid, y upwards as decode() gives it."""
    west, south, east, north = tiles.tile_bounds_metres(z, x, y)
    mx, my = tiles.mercator(lon, lat)
    return (mx - west) / (east - west) * 4096, (my - south) / (north - south) * 4096


@pytest.fixture
def bristol(make_entry):
    exact = make_entry(name="Exact garden", lon=BRISTOL[0], lat=BRISTOL[1])
    vague = make_entry(
        name="Withheld garden", lon=BRISTOL[0] + 0.002, lat=BRISTOL[1], precision="approximate"
    )
    make_entry(name="Pending garden", lon=BRISTOL[0], lat=BRISTOL[1], status="pending")
    make_entry(name="Archived garden", lon=BRISTOL[0], lat=BRISTOL[1], status="archived")
    return exact, vague


def test_a_zoomed_in_tile_holds_each_published_entry_at_its_public_point(client, bristol):
    exact, vague = bristol
    z, x, y = tile_of(*BRISTOL, 15)
    layer = decoded(client.get(url(z, x, y)))["entries"]
    by_slug = {f["properties"]["slug"]: f for f in layer["features"]}
    assert set(by_slug) == {exact.slug, vague.slug}
    assert by_slug[exact.slug]["properties"] == {
        "slug": exact.slug,
        "name": "Exact garden",
        "category": "commoning",
        "threat": "none",
        "precision": "exact",
        "unverified": False,
        "verified": exact.verified_at.date().isoformat(),
    }
    for entry in (exact, vague):
        got = by_slug[entry.slug]["geometry"]["coordinates"]
        expected = tile_position(entry.public_point.x, entry.public_point.y, z, x, y)
        assert got == pytest.approx(expected, abs=1)


def test_a_tile_says_which_entries_are_unverified_and_leaves_out_a_missing_date(client, bristol):
    from mapapp.models import Entry

    exact, vague = bristol
    Entry.objects.filter(pk=exact.pk).update(unverified=True)
    Entry.objects.filter(pk=vague.pk).update(verified_at=None)
    layer = decoded(client.get(url(*tile_of(*BRISTOL, 15))))["entries"]
    by_slug = {f["properties"]["slug"]: f["properties"] for f in layer["features"]}
    assert by_slug[exact.slug]["unverified"] is True
    assert by_slug[vague.slug]["unverified"] is False and "verified" not in by_slug[vague.slug]


def test_a_withheld_location_is_never_in_a_tile(client, bristol):
    _, vague = bristol
    assert vague.public_point.distance(vague.location) > 0  # the public point really moved
    z, x, y = tile_of(vague.location.x, vague.location.y, 18)
    exact_spot = tile_position(vague.location.x, vague.location.y, z, x, y)
    for feature in decoded(client.get(url(z, x, y))).get("entries", {}).get("features", []):
        if feature["properties"]["slug"] == vague.slug:
            assert feature["geometry"]["coordinates"] != pytest.approx(exact_spot, abs=2)
    body = client.get(url(z, x, y)).content
    assert b"@private.example" not in body and b"resident" not in body


def test_a_zoomed_out_tile_counts_what_the_list_counts_in_its_box(client, api, make_entry):
    for n in range(6):
        make_entry(name=f"Bristol {n}", lon=-2.59 + n * 0.01, lat=51.45)
    for n in range(3):
        make_entry(name=f"Bath {n}", lon=-2.36 + n * 0.01, lat=51.38, category_slug="public-goods")
    make_entry(name="Leeds", lon=-1.55, lat=53.8, threat="at_risk")
    for z in (3, 6, 9):
        tz, tx, ty = tile_of(-2.5, 51.4, z)
        layer = decoded(client.get(url(tz, tx, ty)))["clusters"]
        box = ",".join(f"{v:.9f}" for v in tiles.tile_bbox(tz, tx, ty))
        matched = api("/api/v1/entries/", {"bbox": box, "limit": "1"})[1]["numberMatched"]
        assert sum(f["properties"]["count"] for f in layer["features"]) == matched > 0
        one = decoded(client.get(url(tz, tx, ty), {"category": "public-goods"}))["clusters"]
        assert sum(f["properties"]["count"] for f in one["features"]) == 3


def test_filters_narrow_a_tile(client, make_entry):
    make_entry(name="At risk", lon=BRISTOL[0], lat=BRISTOL[1], threat="at_risk")
    make_entry(name="Safe", lon=BRISTOL[0] + 0.001, lat=BRISTOL[1])
    z, x, y = tile_of(*BRISTOL, 14)
    layer = decoded(client.get(url(z, x, y), {"threat": "at_risk"}))["entries"]
    assert [f["properties"]["name"] for f in layer["features"]] == ["At risk"]


def test_an_empty_tile_is_an_empty_body(client, db):
    response = client.get(url(10, 0, 0))
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(
    ("path", "query", "named"),
    [
        (url(21, 0, 0), {}, "z"),
        (url(3, 8, 0), {}, "x"),
        (url(3, 0, 99999999999999999999999), {}, "y"),
        (url(3, 0, 0), {"bbox": "0,0,1,1"}, "unknown"),
        (url(3, 0, 0), {"category": "no-such-thing"}, "category"),
        (url(3, 0, 0), {"q": "   "}, "q"),
    ],
)
def test_a_bad_tile_request_is_a_400_naming_the_problem(client, db, path, query, named):
    response = client.get(path, query)
    assert response.status_code == 400
    assert named in response.json()


def test_a_current_client_gets_a_304_before_the_tile_is_made(client, bristol, make_entry):
    z, x, y = tile_of(*BRISTOL, 15)
    first = client.get(url(z, x, y))
    assert first.status_code == 200 and first["Cache-Control"].startswith("public")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url(z, x, y), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert not [q["sql"] for q in queries if "mapapp_entry" in q["sql"]]
    assert [q for q in queries if "mapapp_datasetversion" in q["sql"]]
    make_entry(name="New neighbour", lon=BRISTOL[0] + 0.0005, lat=BRISTOL[1])
    changed = client.get(url(z, x, y), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    names = {f["properties"]["name"] for f in decoded(changed)["entries"]["features"]}
    assert "New neighbour" in names


def test_a_tile_made_once_is_served_from_the_cache(client, bristol):
    z, x, y = tile_of(*BRISTOL, 15)
    first = client.get(url(z, x, y))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url(z, x, y))
    assert second.content == first.content
    assert not any('mapapp_entry"."slug' in q["sql"] for q in queries)


def test_tilejson_describes_the_tiles_with_the_filters_given(client, db):
    response = client.get("/api/v1/tiles/entries.json", {"threat": "at_risk"})
    assert response.status_code == 200
    document = response.json()
    assert document["tilejson"] == "3.0.0"
    (template,) = document["tiles"]
    assert template.endswith("/api/v1/tiles/{z}/{x}/{y}.mvt?threat=at_risk")
    assert {layer["id"] for layer in document["vector_layers"]} == {"clusters", "entries"}
    assert client.get("/api/v1/tiles/entries.json", {"zoom": "3"}).status_code == 400


def test_tiles_have_a_rate_limit_of_their_own(client, db, settings):
    """A crowded view asks for a couple of dozen tiles: they do not spend the API's budget."""
    settings.API_THROTTLE_ANON = "2/minute"
    settings.API_THROTTLE_TILES = "4/minute"
    assert [client.get(url(3, x, 2)).status_code for x in range(4)] == [200] * 4
    assert client.get("/api/v1/categories/").status_code == 200
    assert client.get("/api/v1/categories/").status_code == 200
    assert client.get("/api/v1/categories/").status_code == 429
    limited = client.get(url(3, 5, 2))
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
