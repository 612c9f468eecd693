"""NUL characters anywhere in an address get a 400, never a database error."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/entries/a%00b/",
        "/api/v1/entries/?q=gar%00den",
        "/api/v1/entries/?category=commoning%00",
        "/ogc/collections/entries/items/x%00y",
        "/entries/?q=a%00",
        "/entries/a%00b/",
    ],
)
def test_nul_characters_are_refused_with_a_400(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_api_refusals_are_json_keyed_by_the_parameter(client, db):
    response = client.get("/api/v1/entries/?tag=%00")
    assert response.status_code == 400 and "NUL" in response.json()["tag"][0]


@pytest.mark.parametrize(
    "query,keys",
    [
        ("q=ok&category=commoning%00", ["category"]),
        ("tag=a%00&q=b%00&tag=c%00", ["tag", "q"]),
        ("li%00mit=5", ["li%00mit"]),
        ("bbox=1,2,3,4&near=%00", ["near"]),
    ],
)
def test_each_parameter_holding_a_nul_is_named(client, db, query, keys):
    response = client.get(f"/api/v1/entries/?{query}")
    assert response.status_code == 400 and list(response.json()) == keys
    # OGC clients read an exception document; its description names the same parameters.
    ogc = client.get(f"/ogc/collections/entries/items?{query}").json()
    assert ogc["code"] == "InvalidParameterValue"
    assert all(f"'{key}'" in ogc["description"] for key in keys)


def test_pages_name_the_parameter_in_their_message(client, db):
    response = client.get("/entries/?q=ok&locality=x%00")
    assert response.status_code == 400
    assert "'locality' contains a NUL" in response.content.decode()


def test_a_nul_in_the_path_is_keyed_path(client, db):
    response = client.get("/api/v1/entries/a%00b/?q=x%00")
    assert response.status_code == 400 and list(response.json()) == ["path"]
