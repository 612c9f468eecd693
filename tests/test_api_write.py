"""The write API: tokens, creating, changing with If-Match, archiving, reports, bad bodies."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from mapapp.models import Entry, Report

URL = "/api/v1/entries/"
BODY = {
    "name": "Salford Tool Library",
    "category": "commoning",
    "geometry": {"type": "Point", "coordinates": [-2.2889, 53.4875]},
    "tags": ["tools", "sharing"],
    "summary": "Borrow, don't buy",
}


@pytest.fixture
def token_for(people):
    def make(role):
        return Token.objects.get_or_create(user=people[role])[0].key

    return make


def call(method, path, body=None, token=None, **headers):
    client = Client()
    if token:
        headers["Authorization"] = f"Token {token}"
    data = (
        body if isinstance(body, (str, bytes)) else json.dumps(body) if body is not None else None
    )
    response = getattr(client, method)(
        path, data=data, content_type="application/json", headers=headers
    )
    try:
        parsed = json.loads(response.content) if response.content else None
    except ValueError:
        parsed = None
    return response.status_code, parsed, response


def test_tokens_are_created_and_revoked_on_the_account_page(client_for, people):
    client = client_for("resident")
    client.post("/account/token/")
    key = Token.objects.get(user=people["resident"]).key
    assert key in client.get("/account/").content.decode()
    assert call("post", URL, BODY, token=key)[0] == 201
    client.post("/account/token/revoke/")
    assert call("post", URL, {**BODY, "name": "Another"}, token=key)[0] == 401


def test_anonymous_writes_are_refused(db):
    status, body, response = call("post", URL, BODY)
    assert status == 401 and "Token" in body["detail"]


def test_a_residents_entry_is_created_pending(token_for, people):
    status, body, response = call("post", URL, BODY, token=token_for("resident"))
    assert status == 201 and body["properties"]["status"] == "pending"
    assert response["Location"].endswith("/api/v1/entries/salford-tool-library/")
    entry = Entry.objects.get()
    assert entry.created_by == people["resident"] and entry.tag_slugs == "sharing tools"
    assert call("get", f"{URL}{entry.slug}/")[0] == 404  # not public until published


def test_a_trusted_contributors_entry_is_published(token_for):
    status, body, _ = call("post", URL, BODY, token=token_for("trusted"))
    assert status == 201 and body["properties"]["status"] == "published"


def test_a_geojson_feature_body_and_plain_coordinates_both_work(token_for):
    key = token_for("trusted")
    feature = {
        "type": "Feature",
        "geometry": BODY["geometry"],
        "properties": {"name": "As Feature", "category": "commoning"},
    }
    assert call("post", URL, feature, token=key)[0] == 201
    flat = {"name": "As Flat", "category": "commoning", "longitude": -2.1, "latitude": 53.1}
    status, body, _ = call("post", URL, flat, token=key)
    assert status == 201 and body["geometry"]["coordinates"] == [-2.1, 53.1]


@pytest.mark.parametrize(
    "body,field,message",
    [
        (
            {**BODY, "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
            "geometry",
            "must be a Point",
        ),
        (
            {
                **BODY,
                "geometry": {
                    "type": "Point",
                    "coordinates": [0, 0],
                    "crs": {"type": "name", "properties": {"name": "EPSG:27700"}},
                },
            },
            "geometry",
            "EPSG:4326",
        ),
        ({**BODY, "geometry": {"type": "Point", "coordinates": [200, 0]}}, "geometry", "Longitude"),
        ({**BODY, "geometry": {"type": "Point", "coordinates": [0, 95]}}, "geometry", "Latitude"),
        ({**BODY, "geometry": {"type": "Point", "coordinates": ["a", 1]}}, "geometry", "finite"),
        ({**BODY, "geometry": {"type": "Point"}}, "geometry", "coordinates"),
        ({k: v for k, v in BODY.items() if k != "geometry"}, "geometry", "Send a GeoJSON Point"),
        ({"name": "x", "category": "commoning", "longitude": 1}, "latitude", "required"),
        ({**BODY, "name": "   "}, "name", "blank"),
        ({**BODY, "name": "x" * 201}, "name", "200"),
        ({**BODY, "summary": "x" * 281}, "summary", "280"),
        ({**BODY, "category": "nope"}, "category", "nope"),
        ({**BODY, "website": "nope"}, "website", "valid URL"),
        ({**BODY, "tags": [f"t{n}" for n in range(11)]}, "tags", "10"),
        ({**BODY, "colour": "red"}, "unknown", "colour"),
        ([1, 2, 3], "body", "JSON object"),
    ],
)
def test_bad_bodies_get_a_400_naming_the_field(token_for, body, field, message):
    status, parsed, _ = call("post", URL, body, token=token_for("trusted"))
    assert status == 400, parsed
    assert message in json.dumps(parsed[field]), parsed
    assert not Entry.objects.exists()


def test_malformed_json_is_a_400(token_for):
    status, body, _ = call("post", URL, "{not json", token=token_for("trusted"))
    assert status == 400 and "JSON" in body["body"][0]


def test_a_ten_megabyte_body_is_refused_unread(token_for):
    status, body, _ = call("post", URL, "x" * 10_000_000, token=token_for("trusted"))
    assert status == 413 and "limit" in body["detail"]
    assert not Entry.objects.exists()


def test_html_is_stored_as_text(token_for):
    call("post", URL, {**BODY, "name": "<script>alert(1)</script>"}, token=token_for("trusted"))
    assert Entry.objects.get().name == "<script>alert(1)</script>"


def make_published(token):
    status, body, response = call("post", URL, BODY, token=token)
    return body["properties"]["slug"], response["ETag"]


def test_patch_with_the_current_etag_changes_the_entry(token_for):
    key = token_for("trusted")
    slug, _ = make_published(key)
    etag = call("get", f"{URL}{slug}/")[2]["ETag"]
    status, body, response = call(
        "patch", f"{URL}{slug}/", {"summary": "Now with bikes"}, token=key, **{"If-Match": etag}
    )
    assert status == 200 and body["properties"]["summary"] == "Now with bikes"
    assert body["properties"]["version"] == 2 and response["ETag"] == '"v2"'


def test_patch_with_a_stale_version_gets_412_and_changes_nothing(token_for):
    key = token_for("trusted")
    slug, etag = make_published(key)
    assert (
        call("patch", f"{URL}{slug}/", {"summary": "First"}, token=key, **{"If-Match": etag})[0]
        == 200
    )
    status, body, _ = call(
        "patch", f"{URL}{slug}/", {"summary": "Second"}, token=key, **{"If-Match": etag}
    )
    assert status == 412 and "version 2" in body["detail"]
    assert Entry.objects.get().summary == "First"


def test_patch_without_if_match_gets_428(token_for):
    key = token_for("trusted")
    slug, _ = make_published(key)
    assert call("patch", f"{URL}{slug}/", {"summary": "x"}, token=key)[0] == 428


def test_only_owners_and_moderators_patch(token_for):
    slug, etag = make_published(token_for("trusted"))
    status, _, _ = call(
        "patch",
        f"{URL}{slug}/",
        {"summary": "x"},
        token=token_for("resident"),
        **{"If-Match": etag},
    )
    assert status == 403
    status, _, _ = call(
        "patch",
        f"{URL}{slug}/",
        {"summary": "x"},
        token=token_for("moderator"),
        **{"If-Match": etag},
    )
    assert status == 200


def test_delete_archives_and_only_for_moderators(token_for):
    slug, _ = make_published(token_for("trusted"))
    assert call("delete", f"{URL}{slug}/", token=token_for("resident"))[0] == 403
    assert call("delete", f"{URL}{slug}/", token=token_for("moderator"))[0] == 204
    entry = Entry.objects.get()
    assert entry.status == "archived"
    assert call("get", f"{URL}{slug}/")[0] == 404


def test_reports_through_the_api(token_for, settings):
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 1
    slug, _ = make_published(token_for("trusted"))
    status, body, _ = call("post", f"{URL}{slug}/reports/", {"kind": "closed", "message": "Gone"})
    assert status == 201 and body["kind"] == "closed"
    assert call("post", f"{URL}{slug}/reports/", {"kind": "closed"})[0] == 429
    assert (
        call("post", f"{URL}{slug}/reports/", {"kind": "closed"}, token=token_for("resident"))[0]
        == 201
    )
    assert (
        call("post", f"{URL}{slug}/reports/", {"kind": "bogus"}, token=token_for("resident"))[0]
        == 400
    )
    assert Report.objects.count() == 2
