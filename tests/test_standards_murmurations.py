"""Murmurations organisation profiles at /api/v1/entries/<slug>/murmurations/: valid against
the published organizations_schema-v1.0.0 (tests/fixtures/murmurations), public values only."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from tests.standards_schemas import assert_answers_match_the_documented_schema

SCHEMA_FILE = (
    Path(__file__).parent / "fixtures" / "murmurations" / "organizations_schema-v1.0.0.json"
)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def profile(client, entry):
    response = client.get(f"/api/v1/entries/{entry.slug}/murmurations/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def problems(validator, document):
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(document)]


def test_the_fixture_is_the_published_schema_with_its_fields_inlined(validator):
    schema = validator.schema
    assert schema["metadata"]["schema"]["name"] == "organizations_schema-v1.0.0"
    assert schema["required"] == ["linked_schemas", "name"]
    assert "$ref" not in SCHEMA_FILE.read_text()
    # The fixture can fail a profile: these break the published constraints.
    assert problems(validator, {"name": "x"})
    assert problems(validator, {"linked_schemas": ["organizations_schema-v1.0.0"], "name": 1})
    bad_point = {"linked_schemas": ["organizations_schema-v1.0.0"], "name": "x",
                 "geolocation": {"lat": 95, "lon": 0}}  # fmt: skip
    assert problems(validator, bad_point)


def every_kind_of_entry(make_entry):
    return [
        make_entry(),
        make_entry(
            name="Stokes Croft Social Centre",
            category_slug="convivial-spaces",
            summary="A shared space to meet and eat",
            tags=["food", "meeting"],
            address="12 Open Street",
            locality="Stokes Croft",
            postcode="BS1 3QY",
            website="https://social.example/",
            email="hello@social.example",
            phone="+44 117 496 0000",
            founded_on=date(2011, 4, 2),
        ),
        make_entry(precision="approximate", address="9 Hidden Yard", postcode="BS5 9QQ"),
        make_entry(precision="area", locality="Easton", website="ftp://files.example/"),
        make_entry(category_slug="public-goods", description="A lido.", lon=179.9, lat=-89.9),
    ]


def test_every_kind_of_entry_gives_a_profile_the_published_schema_accepts(
    client, make_entry, validator
):
    for entry in every_kind_of_entry(make_entry):
        document = profile(client, entry)
        assert document["linked_schemas"] == ["organizations_schema-v1.0.0"]
        assert problems(validator, document) == [], entry.slug


def test_a_full_entry_fills_the_schemas_fields(client, make_entry):
    entry = every_kind_of_entry(make_entry)[1]
    document = profile(client, entry)
    page = f"http://testserver/entries/{entry.slug}/"
    assert document["name"] == "Stokes Croft Social Centre"
    assert document["primary_url"] == "https://social.example/"
    assert document["urls"] == [
        {"name": "Commons Map", "url": page},
        {"name": "Website", "url": "https://social.example/"},
    ]
    assert document["tags"] == ["Convivial spaces", "food", "meeting"]
    assert document["description"] == "A shared space to meet and eat"
    assert document["geolocation"] == {
        "lat": round(entry.public_point.y, 6),
        "lon": round(entry.public_point.x, 6),
    }
    assert document["contact_details"] == {"email": "hello@social.example"}
    assert document["telephone"] == "+44 117 496 0000"
    assert document["full_address"] == "12 Open Street, Stokes Croft, BS1 3QY"
    assert (document["locality"], document["postal_code"]) == ("Stokes Croft", "BS1 3QY")
    assert document["starts_at"] == int(datetime(2011, 4, 2, tzinfo=UTC).timestamp())
    assert document["unique_id"] == entry.slug


def test_without_a_website_the_primary_url_is_the_entry_page(client, make_entry):
    plain = make_entry()
    ftp = make_entry(website="ftp://files.example/")
    for entry in (plain, ftp):
        document = profile(client, entry)
        assert document["primary_url"] == f"http://testserver/entries/{entry.slug}/"
        assert document["urls"] == [{"name": "Commons Map", "url": document["primary_url"]}]


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_a_withheld_location_gives_the_public_point_and_the_outward_postcode_only(
    client, make_entry, people, precision
):
    entry = make_entry(
        precision=precision,
        lon=-2.123456,
        lat=51.654321,
        address="9 Hidden Yard",
        postcode="BS5 9QQ",
        locality="Easton",
        author=people["owner"],
    )
    document = profile(client, entry)
    text = json.dumps(document)
    for secret in ("Hidden Yard", "9QQ", "51.654321", "2.123456", "owner", "@private.example"):
        assert secret not in text
    assert document["postal_code"] == "BS5"
    assert document["full_address"] == "Easton, BS5"
    assert document["geolocation"]["lat"] == round(entry.public_point.y, 6)


def test_parts_the_entry_lacks_are_left_out(client, make_entry):
    document = profile(client, make_entry())
    absent = {"contact_details", "telephone", "starts_at", "locality", "postal_code",
              "full_address", "description", "country_iso_3166", "status"}  # fmt: skip
    assert not absent & set(document)


@pytest.mark.parametrize("status", ["pending", "rejected", "archived"])
def test_an_unpublished_entry_has_no_profile(client, make_entry, status):
    entry = make_entry(status=status)
    response = client.get(f"/api/v1/entries/{entry.slug}/murmurations/")
    assert response.status_code == 404
    assert "No published entry" in json.loads(response.content)["detail"]


def test_the_profile_answers_304_to_its_etag(client, make_entry):
    url = f"/api/v1/entries/{make_entry().slug}/murmurations/"
    first = client.get(url)
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_the_schema_documents_the_profile_endpoint(client, db):
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    operation = schema["paths"]["/api/v1/entries/{slug}/murmurations/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["linked_schemas"]["items"]["enum"] == ["organizations_schema-v1.0.0"]
    assert "404" in operation["responses"]


def test_real_answers_match_the_documented_response_schema(client, make_entry):
    assert_answers_match_the_documented_schema(
        client, make_entry, "murmurations", "application/json"
    )
