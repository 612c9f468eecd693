"""Every malformed query gets a 400 whose JSON body names the parameter; never a 500."""

import pytest

URL = "/api/v1/entries/"

BAD = [
    ({"bbox": "1,2,3"}, "bbox", "4 comma-separated numbers"),
    ({"bbox": "a,b,c,d"}, "bbox", "only numbers"),
    ({"bbox": "NaN,1,2,3"}, "bbox", "finite"),
    ({"bbox": "-1,-1,Infinity,1"}, "bbox", "finite"),
    ({"bbox": "0,-91,1,1"}, "bbox", "latitude -91"),
    ({"bbox": "0,0,1,95"}, "bbox", "latitude 95"),
    ({"bbox": "-181,0,1,1"}, "bbox", "longitude -181"),
    ({"bbox": "2,0,1,1"}, "bbox", "minimum longitude"),
    ({"bbox": "0,2,1,1"}, "bbox", "minimum latitude"),
    ({"bbox": ""}, "bbox", "empty"),
    ({"near": "-2,51"}, "radius", "required with near"),
    ({"radius": "100"}, "near", "required with radius"),
    ({"near": "-2,51", "radius": "-5"}, "radius", "positive"),
    ({"near": "-2,51", "radius": "0"}, "radius", "positive"),
    ({"near": "-2,51", "radius": "ten"}, "radius", "number of metres"),
    ({"near": "-2,51", "radius": "1e9"}, "radius", "at most"),
    ({"near": "-2", "radius": "10"}, "near", "2 comma-separated numbers"),
    ({"near": "-2,100", "radius": "10"}, "near", "latitude 100"),
    ({"limit": "10001"}, "limit", "at most 10000"),
    ({"limit": "-1"}, "limit", "at least 1"),
    ({"limit": "0"}, "limit", "at least 1"),
    ({"limit": "lots"}, "limit", "whole number"),
    ({"offset": "-3"}, "offset", "at least 0"),
    ({"category": "nonsense"}, "category", "Unknown category: nonsense"),
    ({"tag": "nonsense"}, "tag", "Unknown tag"),
    ({"threat": "doom"}, "threat", "Unknown threat"),
    ({"ordering": "colour"}, "ordering", "Unknown ordering"),
    ({"ordering": "distance"}, "ordering", "needs near"),
    ({"updated_since": "last tuesday"}, "updated_since", "ISO 8601"),
    ({"updated_since": "2024-13-45"}, "updated_since", "ISO 8601"),
    ({"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since", "out of range"),
    ({"format": "xlsx"}, "format", "Unknown format"),
    ({"q": "!!!"}, "q", "no words"),
    ({"q": "x" * 201}, "q", "longer than 200"),
    ({"colour": "red"}, "unknown", "Unknown parameter(s): colour"),
]


@pytest.mark.parametrize("params,name,message", BAD, ids=[str(b[0])[:40] for b in BAD])
def test_bad_query_parameters_get_a_400_naming_them(api, db, params, name, message):
    status, body, response = api(URL, params)
    assert status == 400
    assert response["Content-Type"].startswith("application/json")
    assert message in " ".join(body[name]), body


def test_a_parameter_given_twice_is_refused(api, db):
    status, body, _ = api(f"{URL}?bbox=0,0,1,1&bbox=0,0,2,2")
    assert status == 400 and "once" in body["bbox"][0]


def test_all_problems_are_reported_together(api, db):
    status, body, _ = api(URL, {"bbox": "x", "limit": "0", "threat": "doom"})
    assert status == 400 and {"bbox", "limit", "threat"} <= set(body)


@pytest.mark.parametrize("path", ["/api/v1/categories/", "/api/v1/tags/", "/api/v1/entries/x/"])
def test_the_other_endpoints_refuse_unknown_parameters(api, db, path):
    status, body, _ = api(path, {"bbox": "0,0,1,1"})
    assert status == 400 and "unknown" in body


def test_an_unknown_slug_is_a_json_404(api, db):
    status, body, _ = api(f"{URL}no-such-entry/")
    assert status == 404 and "no-such-entry" in body["detail"]


def test_anonymous_clients_are_throttled_with_retry_after(api, db, settings):
    settings.API_THROTTLE_ANON = "3/minute"
    codes = [api("/api/v1/categories/")[0] for _ in range(4)]
    status, body, response = api("/api/v1/categories/")
    assert codes == [200, 200, 200, 429] and status == 429
    assert int(response["Retry-After"]) > 0


FAR_OFFSET = "1305-09-02T20:55:23.454209-20:55"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/entries/?updated_since={FAR_OFFSET}",
        f"/api/v1/clusters/?zoom=3&updated_since={FAR_OFFSET}",
        f"/ogc/collections/entries/items?datetime={FAR_OFFSET}/..",
    ],
)
def test_an_offset_the_database_refuses_is_read_in_utc(api, make_entry, url):
    """Python accepts offsets up to ±24 h, PostgreSQL only up to about ±16 h."""
    make_entry(name="Recent")
    status, body, _ = api(url)
    assert status == 200, body
    assert body["numberMatched"] == 1


def test_an_entry_given_a_parameter_says_it_takes_none_not_an_empty_list(client, make_entry):
    entry = make_entry()
    response = client.get(f"/api/v1/entries/{entry.slug}/", {"format": "json"})
    assert response.status_code == 400
    assert response.json()["unknown"] == ["Unknown parameter(s): format. It takes none."]
