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


def test_api_refusals_are_json(client, db):
    response = client.get("/api/v1/entries/?tag=%00")
    assert response.status_code == 400 and "NUL" in response.json()["query"][0]
