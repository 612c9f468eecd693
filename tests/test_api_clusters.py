"""/api/v1/clusters/ counts published entries per grid cell, for maps zoomed out."""

import pytest

URL = "/api/v1/clusters/"
UK = "-8,49.8,2,59"


def counts(body):
    return sorted(f["properties"]["count"] for f in body["features"])


@pytest.fixture
def towns(make_entry):
    """Five entries in Bristol, three in Bath (20 km away), two in Leeds."""
    for n in range(5):
        make_entry(name=f"Bristol {n}", lon=-2.59 + n * 0.001, lat=51.45, threat="at_risk")
    for n in range(3):
        make_entry(name=f"Bath {n}", lon=-2.36 + n * 0.001, lat=51.38, category_slug="public-goods")
    for n in range(2):
        make_entry(name=f"Leeds {n}", lon=-1.55 + n * 0.001, lat=53.80, tags=["food"])


def test_cells_count_every_matching_entry_once(api, towns, make_entry):
    make_entry(name="Pending", status="pending", lon=-2.59, lat=51.45)
    status, body, response = api(URL, {"bbox": UK, "zoom": "5"})
    assert status == 200 and response["Content-Type"] == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 10 == sum(counts(body))
    assert counts(body) == [2, 8]  # Bristol and Bath share a cell at zoom 5
    assert body["cellDegrees"] == pytest.approx(360 / 2**5 / 4)
    entries = api("/api/v1/entries/", {"bbox": UK})[1]
    assert entries["numberMatched"] == body["numberMatched"]


def test_a_closer_zoom_splits_cells(api, towns):
    assert counts(api(URL, {"bbox": UK, "zoom": "9"})[1]) == [2, 3, 5]


def test_each_cell_sits_at_its_entries_mean_position_with_their_extent(api, towns):
    body = api(URL, {"bbox": UK, "zoom": "9"})[1]
    bristol = next(f for f in body["features"] if f["properties"]["count"] == 5)
    lon, lat = bristol["geometry"]["coordinates"]
    assert (lon, lat) == (pytest.approx(-2.588), pytest.approx(51.45))
    assert bristol["properties"]["bbox"] == [-2.59, 51.45, -2.586, 51.45]


def test_filters_narrow_the_cells(api, towns):
    def matched(**params):
        return api(URL, {"zoom": "5", **params})[1]["numberMatched"]

    assert matched() == 10  # without a bbox, the whole world
    assert matched(bbox="-3,51,-2,52") == 8
    assert matched(category="public-goods") == 3
    assert matched(threat="at_risk") == 5
    assert matched(tag="food") == 2
    assert matched(q="leeds") == 2
    assert matched(updated_since="2000-01-01") == 10


def test_a_cell_of_one_withheld_entry_shows_only_its_public_point(api, make_entry):
    entry = make_entry(lon=-2.5879, lat=51.4545, precision="approximate")
    feature = api(URL, {"zoom": "18"})[1]["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert (lon, lat) == (round(entry.public_point.x, 6), round(entry.public_point.y, 6))
    assert (lon, lat) != (entry.location.x, entry.location.y)


def test_an_empty_view_has_no_cells(api, towns):
    body = api(URL, {"bbox": "10,10,11,11", "zoom": "8"})[1]
    assert body["numberMatched"] == 0 and body["features"] == []


def test_too_many_cells_are_refused_with_a_hint(api, towns, settings):
    settings.API_MAX_LIMIT = 2
    status, body, _ = api(URL, {"zoom": "12"})
    assert status == 400 and "lower zoom" in body["zoom"][0]


def test_cells_are_cached_like_entry_pages(api, towns):
    _, _, first = api(URL, {"zoom": "5"})
    assert first["ETag"] and first["Last-Modified"]
    status, _, _ = api(URL, {"zoom": "5"}, **{"If-None-Match": first["ETag"]})
    assert status == 304


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({}, "zoom", "required"),
        ({"zoom": "21"}, "zoom", "at most 20"),
        ({"zoom": "-1"}, "zoom", "at least 0"),
        ({"zoom": "4.5"}, "zoom", "whole number"),
        ({"zoom": ["3", "4"]}, "zoom", "once"),
        ({"zoom": "5", "bbox": "1,2,3"}, "bbox", "4 comma-separated numbers"),
        ({"zoom": "5", "category": "nonsense"}, "category", "Unknown category"),
        ({"zoom": "5", "limit": "10"}, "unknown", "Unknown parameter(s): limit"),
        ({"zoom": "5", "near": "-2,51"}, "unknown", "Unknown parameter(s): near"),
    ],
)
def test_bad_cluster_queries_name_the_parameter(api, db, params, name, message):
    status, body, _ = api(URL, params)
    assert status == 400, body
    assert message in " ".join(body[name]), body
    if name != "unknown":
        assert "radius" not in body


def test_two_bad_parameters_are_named_together(api, db):
    status, body, _ = api(URL, {"bbox": "1,2,3"})
    assert status == 400 and set(body) == {"bbox", "zoom"}


def test_clusters_take_the_threat_case_filters_as_the_map_does(api, towns):
    """The five Bristol entries are at risk (an active closure case each)."""
    status, body, _ = api(URL, {"bbox": UK, "zoom": "9", "case_status": "active"})
    assert status == 200 and counts(body) == [5]
    assert api(URL, {"zoom": "9", "case_kind": "disposal"})[1]["features"] == []
    status, body, _ = api(URL, {"zoom": "9", "case_kind": "meteor"})
    assert status == 400 and "case_kind" in body
