"""Every public surface shows an entry the same way: one point, one address rule, one field list."""

import csv
import html
import io
import json
import re

import pytest
from django.urls import reverse

from mapapp.models import Entry
from mapapp.reads.public import PUBLIC_FIELDS, public_properties

ADDRESS, POSTCODE, OUTWARD = "12 Hidden Lane", "LS6 2AB", "LS6"
SHOWN = {
    "exact": (ADDRESS, POSTCODE),
    "approximate": ("", OUTWARD),
    "area": ("", OUTWARD),
}


@pytest.fixture(params=sorted(SHOWN))
def entry(request, make_entry):
    return make_entry(
        name="Headingley Tool Library",
        precision=request.param,
        address=ADDRESS,
        postcode=POSTCODE,
        lon=-1.5812345,
        lat=53.8198765,
        tags=["tools", "repair"],
        website="https://tools.example",
    )


def api_feature(client, entry):
    return json.loads(client.get(f"/api/v1/entries/{entry.slug}/").content)


def ogc_feature(client, entry):
    return json.loads(client.get(f"/ogc/collections/entries/items/{entry.slug}").content)


def download_feature(client):
    response = client.get("/api/v1/entries/", {"format": "geojson"})
    (feature,) = json.loads(b"".join(response.streaming_content))["features"]
    return feature


def csv_row(client):
    response = client.get("/api/v1/entries/", {"format": "csv"})
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return row


def page_and_json_ld(client, entry):
    body = client.get(f"/entries/{entry.slug}/").content.decode()
    ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1)
    return html.unescape(body), json.loads(ld)


def test_the_api_ogc_and_downloads_give_the_same_address_and_postcode(client, entry):
    address, postcode = SHOWN[entry.precision]
    for feature in (
        api_feature(client, entry),
        ogc_feature(client, entry),
        download_feature(client),
    ):
        assert (feature["properties"]["address"], feature["properties"]["postcode"]) == (
            address,
            postcode,
        )
    row = csv_row(client)
    assert (row["address"], row["postcode"]) == (address, postcode)


def test_the_entry_page_and_its_json_ld_agree_with_the_api(client, entry):
    address, postcode = SHOWN[entry.precision]
    body, ld = page_and_json_ld(client, entry)
    shown = ld["location"]["address"]
    assert shown.get("streetAddress", "") == address
    assert shown["postalCode"] == postcode
    assert f"<dd>{postcode}</dd>" in body or f"<dd>{address}, {postcode}</dd>" in body
    if entry.precision != Entry.Precision.EXACT:
        assert "Hidden Lane" not in body and "2AB" not in body


def same_point(shown, point):
    # To the last of PUBLIC_DECIMALS: PostGIS rounds a half in that digit to even on the shortest
    # decimal form, SpatiaLite and Python on the binary value (-1.5812345: ...234 or ...235).
    return shown == pytest.approx(point, abs=1.01e-6)


def test_every_surface_shows_the_same_public_point(client, entry):
    point = [round(entry.public_point.x, 6), round(entry.public_point.y, 6)]
    for feature in (
        api_feature(client, entry),
        ogc_feature(client, entry),
        download_feature(client),
    ):
        assert same_point(feature["geometry"]["coordinates"], point)
    row = csv_row(client)
    assert same_point([float(row["longitude"]), float(row["latitude"])], point)
    _body, ld = page_and_json_ld(client, entry)
    assert [ld["location"]["geo"]["longitude"], ld["location"]["geo"]["latitude"]] == point


def test_the_projection_of_a_model_instance_is_the_api_feature(client, entry):
    """The rule read over a model instance and over database rows gives the same properties."""
    from_model = json.loads(json.dumps(public_properties(entry), default=str))
    from_rows = api_feature(client, entry)["properties"]
    for field in PUBLIC_FIELDS:
        if field.is_datetime:  # one format of the same instant (or both null)
            shown = from_rows.pop(field.name)
            assert (from_model.pop(field.name) or "")[:19] == (shown or "").replace("T", " ")[:19]
    assert from_model == from_rows


def test_every_public_field_reaches_features_downloads_and_the_docs(client, make_entry):
    entry = make_entry()
    names = {field.name for field in PUBLIC_FIELDS}
    assert names <= set(api_feature(client, entry)["properties"])
    assert names <= set(ogc_feature(client, entry)["properties"])
    assert names <= set(download_feature(client)["properties"])
    assert names <= set(csv_row(client))
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    documented = schema["paths"]["/api/v1/entries/{slug}/"]["get"]["responses"]["200"]
    properties = documented["content"]["application/geo+json"]["schema"]["properties"]
    assert names <= set(properties["properties"]["properties"])


def test_the_documented_enums_are_the_models_choices():
    from mapapp.reads.schema import DETAIL_FEATURE, SUMMARY_FEATURE

    for feature in (SUMMARY_FEATURE, DETAIL_FEATURE):
        properties = feature["properties"]["properties"]["properties"]
        assert properties["threat"]["enum"] == Entry.Threat.values
        assert properties["precision"]["enum"] == Entry.Precision.values


def test_a_features_url_is_the_entry_pages_path(client, entry):
    expected = reverse("entry-detail", kwargs={"slug": entry.slug})
    assert api_feature(client, entry)["properties"]["url"] == expected
    listed = json.loads(client.get("/api/v1/entries/").content)["features"]
    assert [feature["properties"]["url"] for feature in listed] == [expected]
    assert csv_row(client)["url"] == expected


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_a_withheld_postcode_typed_without_a_space_is_not_published_in_full(
    client, make_entry, precision
):
    entry = make_entry(
        name="Secret Shelter", precision=precision, address="9 Hidden Yard", postcode="BS59QQ"
    )
    surfaces = {
        "api": client.get(f"/api/v1/entries/{entry.slug}/").content.decode(),
        "ogc": client.get(f"/ogc/collections/entries/items/{entry.slug}").content.decode(),
        "csv": b"".join(client.get("/api/v1/entries/?format=csv").streaming_content).decode(),
        "page": client.get(f"/entries/{entry.slug}/").content.decode(),
        "suggest": client.get(f"/entries/{entry.slug}/suggest/").content.decode(),
    }
    # Only the outward part (BS5) may be shown, on every surface.
    assert [name for name, body in surfaces.items() if "9QQ" in body] == []
