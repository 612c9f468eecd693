"""Generated bad bodies for every write-API field: never a 5xx, and every 400 names a field.

Each example takes a valid body and puts a generated JSON value (nested, huge, surrogate,
wrong-type, naughty) in one place: a field of the entry (flat or as a GeoJSON Feature), a part
of its geometry, or the whole body. The fields come from the serializers, so a new one is
fuzzed without anyone adding it here. `make fuzz` runs many more examples.
"""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from mapapp.api.write import EntryWriteSerializer, ReportSerializer
from mapapp.models import Entry
from tests.fuzzing import errors_name_fields, fuzz_settings, header_values, json_fragments

URL = "/api/v1/entries/"
POINT = {"type": "Point", "coordinates": [-2.2889, 53.4875]}
VALID = {
    "name": "Fuzzed Tool Library",
    "category": "commoning",
    "geometry": POINT,
    "tags": ["tools"],
    "summary": "Borrow, don't buy",
    "precision": "approximate",
}
ENTRY_FIELDS = sorted(EntryWriteSerializer().fields)
REPORT_FIELDS = sorted(ReportSerializer().fields)
# Names a 400 may use besides the fields: the body as a whole, unknown fields, a Feature's
# own members, and the preconditions header.
GENERAL = {"body", "unknown", "type", "id", "properties", "non_field_errors", "If-Match"}
SENTINEL = "\x01fuzz\x01"

# Where a generated value goes: a top-level field, a Feature property, a part of the
# geometry, the whole body, or a field the API does not know.
ENTRY_TARGETS = st.one_of(
    st.sampled_from(ENTRY_FIELDS).map(lambda f: ("flat", f)),
    st.sampled_from(ENTRY_FIELDS).map(lambda f: ("feature", f)),
    st.sampled_from(["type", "coordinates", "crs", "coordinates.0"]).map(lambda p: ("geometry", p)),
    st.sampled_from(["type", "properties", "id"]).map(lambda p: ("feature-member", p)),
    st.just(("whole", "")),
    st.just(("flat", "no_such_field")),
)


def entry_body(target, fragment):
    """Raw JSON text of a valid entry body with `fragment` at `target`."""
    shape, where = target
    if shape == "whole":
        return fragment
    geometry = json.loads(json.dumps(POINT))
    body = dict(VALID)
    if shape == "geometry":
        if where == "coordinates.0":
            geometry["coordinates"][0] = SENTINEL
        else:
            geometry[where] = SENTINEL
    body["geometry"] = geometry
    if shape == "flat":
        body[where] = SENTINEL
    if shape in ("feature", "feature-member"):
        properties = {k: v for k, v in body.items() if k != "geometry"}
        body = {"type": "Feature", "geometry": geometry, "properties": properties}
        if shape == "feature":
            properties[where] = SENTINEL
        else:
            body[where] = SENTINEL
    return json.dumps(body).replace(json.dumps(SENTINEL), fragment)


def send(client, method, path, raw, **headers):
    response = getattr(client, method)(
        path, data=raw.encode("utf-8", "surrogatepass"), content_type="application/json",
        headers=headers,
    )  # fmt: skip
    assert response.status_code < 500, (raw[:300], response.content[:300])
    return response


def assert_names_fields(response, fields, sent=""):
    """A 400 names known fields, general parts of the body, or the field the client sent."""
    if response.status_code == 400:
        body = response.json()
        assert errors_name_fields(body, {*fields, *GENERAL, sent}), body


@pytest.fixture
def moderator_client(people, settings):
    settings.API_THROTTLE_ANON = "1000000/minute"
    token = Token.objects.get_or_create(user=people["moderator"])[0].key
    return Client(raise_request_exception=True, headers={"Authorization": f"Token {token}"})


@given(target=ENTRY_TARGETS, fragment=json_fragments)
@fuzz_settings(50)
def test_creating_an_entry_never_fails_and_names_what_is_wrong(moderator_client, target, fragment):
    response = send(moderator_client, "post", URL, entry_body(target, fragment))
    assert response.status_code in (201, 400, 413)
    assert_names_fields(response, ENTRY_FIELDS, sent=target[1])


@pytest.fixture
def entry(make_entry):
    """One entry for every example of a test (hypothesis runs them all in one test call)."""
    return make_entry(name="Fuzzed")


@given(target=ENTRY_TARGETS, fragment=json_fragments)
@fuzz_settings(30)
def test_changing_an_entry_never_fails_and_names_what_is_wrong(
    moderator_client, entry, target, fragment
):
    version = Entry.objects.get(pk=entry.pk).version
    raw = entry_body(target, fragment)
    response = send(
        moderator_client, "patch", f"{URL}{entry.slug}/", raw, **{"If-Match": str(version)}
    )
    assert response.status_code in (200, 400, 413)
    assert_names_fields(response, ENTRY_FIELDS, sent=target[1])


@given(if_match=header_values)
@fuzz_settings(20)
def test_any_if_match_gets_a_precondition_answer_not_a_failure(moderator_client, entry, if_match):
    response = send(
        moderator_client, "patch", f"{URL}{entry.slug}/", '{"summary": "x"}',
        **{"If-Match": if_match},
    )  # fmt: skip
    assert response.status_code in (200, 400, 412, 428)
    assert_names_fields(response, ENTRY_FIELDS)


@given(
    where=st.sampled_from([*REPORT_FIELDS, "", "no_such_field"]),
    fragment=json_fragments,
    anonymous=st.booleans(),
)
@fuzz_settings(30)
def test_reports_never_fail_and_name_what_is_wrong(
    moderator_client, entry, settings, where, fragment, anonymous
):
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 1_000_000
    body = {"kind": "closed", "message": "Gone", where: SENTINEL}
    raw = fragment if not where else json.dumps(body).replace(json.dumps(SENTINEL), fragment)
    client = Client(raise_request_exception=True) if anonymous else moderator_client
    response = send(client, "post", f"{URL}{entry.slug}/reports/", raw)
    assert response.status_code in (201, 400, 413)
    assert_names_fields(response, REPORT_FIELDS, sent=where)
