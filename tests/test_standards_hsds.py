"""The Open Referral HSDS data package at /api/v1/exports/hsds.zip: a Frictionless Tabular Data
Package (validated by frictionless itself) of the matching published entries, public values
only, with the entries' filters."""

import csv
import io
import json
import uuid
import zipfile
from datetime import date

import frictionless
import pytest

from mapapp.reads.standards.hsds import hsds_id
from mapapp.services import freshness

URL = "/api/v1/exports/hsds.zip"
FILES = {
    "datapackage.json",
    "organizations.csv",
    "services.csv",
    "locations.csv",
    "service_at_location.csv",
    "phones.csv",
}


def download(client, params=None):
    response = client.get(URL, params or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def table(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def names(archive):
    return sorted(row["name"] for row in table(archive, "organizations.csv"))


@pytest.fixture
def entries(make_entry):
    full = make_entry(
        name="Stokes Croft Social Centre",
        category_slug="convivial-spaces",
        summary="A shared space to meet and eat",
        tags=["food"],
        address="12 Open Street",
        locality="Stokes Croft",
        postcode="BS1 3QY",
        website="https://social.example/",
        email="hello@social.example",
        phone="+44 117 496 0000",
        founded_on=date(2011, 4, 2),
    )
    freshness.entry_verify(entry=full, role="moderator")
    withheld = make_entry(
        name="Shelter",
        precision="approximate",
        lon=-2.123456,
        lat=51.654321,
        address="9 Hidden Yard",
        postcode="BS5 9QQ",
        locality="Easton",
    )
    formula = make_entry(name="=HYPERLINK(1)", description="-2 rows", lon=-1.5, lat=53.8)
    return {"full": full, "withheld": withheld, "formula": formula}


def test_the_package_is_a_valid_tabular_data_package(client, entries, tmp_path):
    archive = download(client)
    assert set(archive.namelist()) == FILES
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["profile"] == "tabular-data-package"
    tables = {r["name"]: r["path"] for r in descriptor["resources"]}
    assert tables == {
        "organization": "organizations.csv",
        "service": "services.csv",
        "location": "locations.csv",
        "service_at_location": "service_at_location.csv",
        "phone": "phones.csv",
    }


def test_a_broken_package_would_be_caught(client, entries, tmp_path):
    """The validation above can fail: a service pointing at no organization is found."""
    archive = download(client)
    archive.extractall(tmp_path)
    services = tmp_path / "services.csv"
    text = services.read_text()
    services.write_text(
        text.replace(hsds_id("organization", entries["full"].slug), str(uuid.uuid4()))
    )
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_each_entry_is_an_organization_with_a_service_at_its_public_location(client, entries):
    archive = download(client)
    entry = entries["full"]
    ids = {name: hsds_id(name, entry.slug) for name in ("organization", "service", "location")}
    (organization,) = [
        r for r in table(archive, "organizations.csv") if r["id"] == ids["organization"]
    ]
    assert organization == {
        "id": ids["organization"],
        "name": "Stokes Croft Social Centre",
        "description": "A shared space to meet and eat",
        "email": "hello@social.example",
        "website": "https://social.example/",
        "year_incorporated": "2011",
        "uri": f"http://testserver/entries/{entry.slug}/",
    }
    (service,) = [r for r in table(archive, "services.csv") if r["id"] == ids["service"]]
    assert service["organization_id"] == ids["organization"]
    assert (service["status"], service["url"]) == ("active", "https://social.example/")
    assert (
        service["assured_date"]
        == entry.__class__.objects.get(pk=entry.pk).verified_at.date().isoformat()
    )
    (location,) = [r for r in table(archive, "locations.csv") if r["id"] == ids["location"]]
    assert location["location_type"] == "physical"
    assert float(location["latitude"]) == pytest.approx(entry.public_point.y, abs=1.01e-6)
    assert float(location["longitude"]) == pytest.approx(entry.public_point.x, abs=1.01e-6)
    assert location["description"] == "Stokes Croft, BS1 3QY."
    links = {(r["service_id"], r["location_id"]) for r in table(archive, "service_at_location.csv")}
    assert (ids["service"], ids["location"]) in links
    (phone,) = table(archive, "phones.csv")
    assert (phone["organization_id"], phone["number"]) == (ids["organization"], "+44 117 496 0000")


def test_ids_are_uuids_that_stay_the_same_in_every_download(client, entries):
    first = table(download(client), "organizations.csv")
    second = table(download(client), "organizations.csv")
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert all(uuid.UUID(r["id"]).version == 5 for r in first)


def test_a_withheld_location_gives_only_the_public_point_and_public_postcode(
    client, entries, people
):
    archive = download(client)
    text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    for secret in ("Hidden Yard", "9QQ", "51.654321", "2.123456", "created_by", "submitter"):
        assert secret not in text
    entry = entries["withheld"]
    (location,) = [r for r in table(archive, "locations.csv") if r["name"] == "Shelter"]
    assert float(location["latitude"]) == pytest.approx(entry.public_point.y, abs=1.01e-6)
    assert location["description"].startswith("Easton, BS5. The point is near the place")


def test_cells_are_the_values_themselves_for_programs_not_quoted_for_spreadsheets(client, entries):
    archive = download(client)
    (organization,) = [r for r in table(archive, "organizations.csv") if "HYPERLINK" in r["name"]]
    assert organization["name"] == "=HYPERLINK(1)"
    assert organization["description"] == "-2 rows"
    numbers = [r["number"] for r in table(archive, "phones.csv")]
    assert numbers and all(not n.startswith("'") for n in numbers)
    (location,) = [r for r in table(archive, "locations.csv") if "HYPERLINK" in r["name"]]
    assert location["longitude"] == "-1.5"  # numbers stay numbers


def test_the_filters_select_the_entries_the_list_selects(client, entries):
    for params in (
        {"category": "convivial-spaces"},
        {"q": "shelter"},
        {"bbox": "-2.2,51.6,-2.0,51.7"},
        {"near": "-1.5,53.8", "radius": "1000"},
    ):
        listed = json.loads(client.get("/api/v1/entries/", params).content)["features"]
        ids = {hsds_id("organization", feature["id"]) for feature in listed}
        assert {r["id"] for r in table(download(client, params), "organizations.csv")} == ids
        assert len(listed) == 1, params


@pytest.mark.parametrize("status", ["pending", "rejected", "archived"])
def test_unpublished_entries_are_not_in_the_package(client, make_entry, status):
    make_entry(name="Visible")
    make_entry(name="Invisible", status=status)
    assert names(download(client)) == ["Visible"]


def test_no_entries_is_an_empty_valid_package(client, db, tmp_path):
    archive = download(client)
    archive.extractall(tmp_path)
    assert table(archive, "organizations.csv") == []
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"category": "no-such-category"}, "category"),
        ({"limit": "10"}, "unknown"),
        ({"format": "csv"}, "unknown"),
    ],
)
def test_a_bad_parameter_is_refused_with_a_400_naming_it(client, db, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in json.loads(response.content)


def test_the_schema_documents_the_package_and_its_filters(client, db):
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    operation = schema["paths"][URL]["get"]
    assert "application/zip" in operation["responses"]["200"]["content"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"bbox", "category", "tag", "q", "near", "radius", "verified_within"} <= parameters
    assert not {"limit", "offset", "format"} & parameters
