"""schema.org JSON-LD with ESSGlobal terms: embedded in the entry page and served at
/api/v1/entries/<slug>/jsonld/, from the public projection only."""

import html
import json
import re
from datetime import date

import pytest

from mapapp.reads.standards.jsonld import ACTIVITIES, ESSGLOBAL
from tests.standards_schemas import assert_answers_match_the_documented_schema

EMBEDDED = re.compile(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', re.S)


def embedded(client, entry):
    """(the page's response, its nonce attribute, the embedded JSON-LD parsed)."""
    response = client.get(f"/entries/{entry.slug}/")
    nonce, text = EMBEDDED.search(response.content.decode()).groups()
    return response, nonce, json.loads(text)


def served(client, entry, **headers):
    return client.get(f"/api/v1/entries/{entry.slug}/jsonld/", headers=headers)


def test_the_entry_page_embeds_its_json_ld_with_the_pages_nonce_and_links_the_endpoint(
    client, make_entry
):
    entry = make_entry(name="Easton Tool Library")
    response, nonce, data = embedded(client, entry)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    body = response.content.decode()
    href = f"/api/v1/entries/{entry.slug}/jsonld/"
    link = f'<link rel="alternate" type="application/ld+json" href="{href}">'
    assert link in body
    assert data["name"] == "Easton Tool Library"


def test_a_name_that_closes_the_script_element_stays_inside_it(client, make_entry):
    entry = make_entry(name="Seeds </script><script>alert(1)</script> & <b>more</b>")
    response, _nonce, data = embedded(client, entry)
    body = response.content.decode()
    assert "</script><script>alert(1)" not in body
    assert "\\u003C/script\\u003E" in body and "\\u0026" in body
    assert data["name"] == "Seeds </script><script>alert(1)</script> & <b>more</b>"


def test_the_endpoint_serves_what_the_page_embeds_as_application_ld_json(client, make_entry):
    entry = make_entry(name="Bristol Seed Library", tags=["seeds", "food"])
    response = served(client, entry)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    _page, _nonce, data = embedded(client, entry)
    assert json.loads(response.content) == data


def test_a_full_entry_says_everything_public_about_it(client, make_entry):
    entry = make_entry(
        name="Stokes Croft Social Centre",
        category_slug="convivial-spaces",
        summary="A shared space to meet and eat",
        description="Longer words.",
        tags=["food", "meeting"],
        address="12 Open Street",
        locality="Stokes Croft",
        postcode="BS1 3QY",
        website="https://social.example/",
        email="hello@social.example",
        phone="0117 496 0000",
        founded_on=date(2011, 4, 2),
    )
    data = json.loads(served(client, entry).content)
    page = f"http://testserver/entries/{entry.slug}/"
    assert data["@context"]["@vocab"] == "https://schema.org/"
    assert data["@context"]["essglobal"] == ESSGLOBAL == "http://purl.org/essglobal/vocab/"
    assert data["@type"] == ["Organization", "essglobal:SSEInitiative"]
    assert (data["@id"], data["url"], data["sameAs"]) == (page, page, "https://social.example/")
    assert data["description"] == "A shared space to meet and eat"
    assert (data["email"], data["telephone"]) == ("hello@social.example", "0117 496 0000")
    assert data["foundingDate"] == "2011-04-02"
    assert data["keywords"] == ["food", "meeting"]
    address = {
        "@type": "PostalAddress",
        "streetAddress": "12 Open Street",
        "addressLocality": "Stokes Croft",
        "postalCode": "BS1 3QY",
    }
    assert data["address"] == address and data["location"]["address"] == address
    geo = data["location"]["geo"]
    assert [geo["longitude"], geo["latitude"]] == [
        round(entry.public_point.x, 6),
        round(entry.public_point.y, 6),
    ]
    assert data["essglobal:primarySector"] == {"@id": ACTIVITIES + "AM30"}


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_a_withheld_location_gives_the_public_point_and_no_street_address(
    client, make_entry, precision
):
    entry = make_entry(
        precision=precision,
        lon=-2.123456,
        lat=51.654321,
        address="9 Hidden Yard",
        postcode="BS5 9QQ",
        locality="Easton",
    )
    for data in (json.loads(served(client, entry).content), embedded(client, entry)[2]):
        text = json.dumps(data)
        assert "Hidden Yard" not in text and "9QQ" not in text and "51.654321" not in text
        assert data["address"] == {
            "@type": "PostalAddress",
            "addressLocality": "Easton",
            "postalCode": "BS5",
        }
        geo = data["location"]["geo"]
        assert geo["latitude"] == round(entry.public_point.y, 6) != 51.654321


@pytest.mark.parametrize(
    ("category", "sector"),
    [
        ("campaigns-resistance", "AM20"),
        ("community-organising", "AM20"),
        ("convivial-spaces", "AM30"),
        ("commoning", None),
        ("reciprocal-working", None),
    ],
)
def test_groups_are_sse_initiatives_with_a_sector_only_where_one_truly_fits(
    client, make_entry, category, sector
):
    data = json.loads(served(client, make_entry(category_slug=category)).content)
    assert data["@type"] == ["Organization", "essglobal:SSEInitiative"]
    assert data.get("essglobal:primarySector") == ({"@id": ACTIVITIES + sector} if sector else None)


def test_public_goods_are_civic_structures_with_their_point_and_no_essglobal_terms(
    client, make_entry
):
    entry = make_entry(
        category_slug="public-goods",
        name="Jubilee Pool",
        email="pool@council.example",
        founded_on=date(1937, 5, 1),
        locality="Knowle",
    )
    data = json.loads(served(client, entry).content)
    assert data["@type"] == "CivicStructure"
    assert "essglobal" not in json.dumps({k: v for k, v in data.items() if k != "@context"})
    assert data["geo"]["latitude"] == round(entry.public_point.y, 6)
    assert data["address"]["addressLocality"] == "Knowle"
    # A Place has neither in schema.org.
    assert "email" not in data and "foundingDate" not in data


def test_empty_parts_are_left_out_rather_than_given_empty(client, make_entry):
    data = json.loads(served(client, make_entry()).content)
    assert not {"sameAs", "email", "telephone", "foundingDate", "keywords", "address"} & set(data)
    assert "" not in data.values()


@pytest.mark.parametrize("status", ["pending", "rejected", "archived"])
def test_an_unpublished_entry_has_no_json_ld(client, make_entry, status):
    response = served(client, make_entry(status=status))
    assert response.status_code == 404
    assert "No published entry" in json.loads(response.content)["detail"]


def test_an_unknown_slug_is_a_404(client, db):
    assert client.get("/api/v1/entries/no-such-entry/jsonld/").status_code == 404


def test_a_query_parameter_is_refused_with_a_400_naming_it(client, make_entry):
    response = client.get(f"/api/v1/entries/{make_entry().slug}/jsonld/", {"format": "json"})
    assert response.status_code == 400
    assert "format" in json.loads(response.content)["unknown"][0]


def test_a_client_holding_the_etag_gets_a_304_until_the_entry_changes(client, make_entry, people):
    from mapapp import services

    entry = make_entry(author=people["owner"])
    first = served(client, entry)
    assert first["Cache-Control"] == "public, max-age=60" and first["Last-Modified"]
    assert served(client, entry, if_none_match=first["ETag"]).status_code == 304
    services.entry_edit(
        entry=entry, editor=people["owner"], data={"name": "Renamed"}, expected_version=1
    )
    again = served(client, entry, if_none_match=first["ETag"])
    assert again.status_code == 200 and json.loads(again.content)["name"] == "Renamed"


def test_the_schema_documents_the_json_ld_endpoint(client, db):
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    operation = schema["paths"]["/api/v1/entries/{slug}/jsonld/"]["get"]
    assert "application/ld+json" in operation["responses"]["200"]["content"]
    assert {"200", "304", "404", "400"} <= set(operation["responses"])


def test_the_page_without_javascript_shows_the_same_name_as_the_json_ld(client, make_entry):
    entry = make_entry(name="Café & Co")
    response, _nonce, data = embedded(client, entry)
    assert data["name"] in html.unescape(response.content.decode())


def test_real_answers_match_the_documented_response_schema(client, make_entry):
    assert_answers_match_the_documented_schema(client, make_entry, "jsonld", "application/ld+json")
