"""Bodies and headers that once crashed the write API get a 400 naming the field or header."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from mapapp.models import Entry, Report

URL = "/api/v1/entries/"
POINT = {"type": "Point", "coordinates": [-2.2889, 53.4875]}
BODY = {"name": "Salford Tool Library", "category": "commoning", "geometry": POINT}


def send(method, path, raw, token=None, **headers):
    if token:
        headers["Authorization"] = f"Token {token}"
    client = Client(raise_request_exception=False)
    response = getattr(client, method)(
        path, data=raw, content_type="application/json", headers=headers
    )
    return response.status_code, response.json() if response.content else None


@pytest.fixture
def moderator_token(people):
    return Token.objects.get_or_create(user=people["moderator"])[0].key


def with_crs(crs):
    return json.dumps({**BODY, "geometry": {**POINT, "crs": crs}})


DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    "raw,field",
    [
        (DEEP, "body"),
        ('{"name": ' + DEEP + "}", "body"),
        (json.dumps({**BODY, "precision": "\ud800"}), "precision"),
        (json.dumps({**BODY, "summary": "\ud800"}), "summary"),
        (
            json.dumps({"type": "Feature", "geometry": POINT, "properties": {"summary": "\udfff"}}),
            "summary",
        ),
        (json.dumps({**BODY, "\ud800": 1}), "body"),
        (with_crs("EPSG:4326"), "geometry"),
        (with_crs([1]), "geometry"),
        (with_crs({"type": "name", "properties": [1]}), "geometry"),
        (with_crs({"type": "name", "properties": {"name": [1]}}), "geometry"),
        (with_crs({"type": "name", "properties": {"name": {"a": 1}}}), "geometry"),
        (
            json.dumps({**BODY, "geometry": {**POINT, "coordinates": [int("9" * 400), 1]}}),
            "geometry",
        ),
        (
            json.dumps({**BODY, "longitude": int("9" * 400), "latitude": 1, "geometry": None}),
            "longitude",
        ),
        ('{"name": "x", "category": "commoning", "longitude": NaN, "latitude": 1}', "longitude"),
        ('{"name": "x", "category": "commoning", "longitude": 1, "latitude": 1e999}', "latitude"),
    ],
)
def test_bodies_that_used_to_be_a_500_get_a_400_naming_the_field(moderator_token, raw, field):
    status, body = send("post", URL, raw, token=moderator_token)
    assert status == 400, body
    assert list(body) == [field] and all(isinstance(m, str) for m in body[field])
    assert not Entry.objects.exists()


def test_deep_nesting_is_refused_with_the_limit_named(moderator_token):
    status, body = send("post", URL, DEEP, token=moderator_token)
    assert "32 levels" in body["body"][0]


def test_a_null_crs_means_the_default_lon_lat(moderator_token):
    assert send("post", URL, with_crs(None), token=moderator_token)[0] == 201


def test_a_coordinate_integer_too_large_for_a_float_is_not_finite():
    from rest_framework.exceptions import ValidationError

    from mapapp.api.write import check_lon_lat

    with pytest.raises(ValidationError, match="finite"):
        check_lon_lat(10**400, 1, field="geometry")


@pytest.mark.parametrize(
    "raw,field",
    [(DEEP, "body"), (json.dumps({"kind": "\ud800"}), "kind")],
)
def test_anonymous_reports_refuse_the_same_bodies(make_entry, raw, field):
    entry = make_entry()
    status, body = send("post", f"{URL}{entry.slug}/reports/", raw)
    assert status == 400 and list(body) == [field]
    assert not Report.objects.exists()


@pytest.mark.parametrize("if_match", ['"v' + "9" * 5000 + '"', "9" * 5000, "9" * 11, "garbage"])
def test_an_if_match_with_no_usable_version_is_a_400_naming_the_header(
    make_entry, moderator_token, if_match
):
    entry = make_entry()
    status, body = send(
        "patch", f"{URL}{entry.slug}/", json.dumps({"summary": "x"}), moderator_token,
        **{"If-Match": if_match},
    )  # fmt: skip
    assert status == 400 and list(body) == ["If-Match"]
    entry.refresh_from_db()
    assert entry.summary == "" and entry.version == 1


def test_an_if_match_with_a_plausible_but_stale_version_is_still_a_412(make_entry, moderator_token):
    entry = make_entry()
    status, body = send(
        "patch", f"{URL}{entry.slug}/", json.dumps({"summary": "x"}), moderator_token,
        **{"If-Match": '"v9999999999"'},
    )  # fmt: skip
    assert status == 412 and "version 1" in body["detail"]


def test_a_feature_naming_another_crs_for_its_geometry_is_refused_not_stored_as_lon_lat(
    moderator_token,
):
    feature = {
        "type": "Feature",
        "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
        "geometry": {"type": "Point", "coordinates": [-254795.5, 7122428.3]},
        "properties": {"name": "Salford Tool Library", "category": "commoning"},
    }
    status, body = send("post", URL, json.dumps(feature), token=moderator_token)
    assert status == 400 and "EPSG:4326" in body["crs"][0]
    assert not Entry.objects.exists()


def test_the_api_refuses_true_and_false_as_longitude_and_latitude(people, category):
    # A GeoJSON geometry with [true, false] is refused ("Coordinates must be finite numbers.");
    # the flat fields must not read true as 1.0 and false as 0.0.
    token = Token.objects.create(user=people["trusted"]).key
    lon, lat = True, False
    body = {"name": "Typed wrong", "category": "commoning", "longitude": lon, "latitude": lat}
    response = Client().post(
        "/api/v1/entries/", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert "longitude" in json.loads(response.content)
    assert not Entry.objects.exists()
