"""OGC API - Features: the documents, the standard parameters, and a real GIS client."""

import json
import shutil
import subprocess

import pytest

BASE = "/ogc/"


def get(client, path, **params):
    response = client.get(path, params)
    return response.status_code, json.loads(response.content), response


def rels(document):
    return {link["rel"] for link in document["links"]}


def test_the_landing_page_links_to_conformance_and_data(client, db):
    status, body, _ = get(client, BASE)
    assert status == 200 and {"self", "conformance", "data", "service-doc"} <= rels(body)


def test_the_landing_page_links_to_the_openapi_definition_as_json(client, db):
    links = {link["rel"]: link for link in get(client, BASE)[1]["links"]}
    desc = links["service-desc"]
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    response = client.get(desc["href"].replace("http://testserver", ""))
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content)["openapi"].startswith("3.0")
    assert links["service-doc"]["href"].endswith("/api/docs/")


def test_the_openapi_definition_describes_every_ogc_endpoint(client, db):
    from mapapp.ogc.views import ITEM_PARAMS

    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    ogc = {path for path in schema["paths"] if path.startswith("/ogc/")}
    assert ogc == {
        "/ogc/",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/{collectionId}",
        "/ogc/collections/{collectionId}/items",
        "/ogc/collections/{collectionId}/items/{featureId}",
        "/ogc/collections/threats",
        "/ogc/collections/threats/items",
        "/ogc/collections/threats/items/{featureId}",
    }
    items = schema["paths"]["/ogc/collections/{collectionId}/items"]["get"]
    assert {p["name"] for p in items["parameters"] if p["in"] == "query"} == ITEM_PARAMS
    assert "application/geo+json" in items["responses"]["200"]["content"]
    error = items["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][error.rsplit("/", 1)[1]]["required"] == ["code"]


@pytest.mark.parametrize(
    "path",
    [
        "collections/nope",
        "collections/nope/items",
        "collections/nope/items/anything",
        "collections/entries/items/nope",
        "collections/entries/nope",
        "nothing/here",
    ],
)
def test_unknown_collections_items_and_addresses_answer_an_ogc_exception(client, db, path):
    status, body, response = get(client, f"{BASE}{path}")
    assert status == 404 and response["Content-Type"] == "application/json"
    assert set(body) == {"code", "description"} and body["code"] == "NotFound"


def test_a_404_raised_under_ogc_answers_an_ogc_exception_too(rf, db):
    """The project's 404 handler, which any Http404 in an OGC view would reach."""
    from mapapp.web.errors import not_found

    response = not_found(rf.get(f"{BASE}collections/entries/items/x"))
    body = json.loads(response.content)
    assert response.status_code == 404 and body["code"] == "NotFound"


@pytest.mark.parametrize("path", ["", "conformance", "collections/entries/items"])
def test_a_nul_in_the_query_answers_an_ogc_exception(client, db, path):
    status, body, _ = get(client, f"{BASE}{path}", bbox="1,2\x00,3,4")
    assert (
        status == 400 and body["code"] == "InvalidParameterValue" and "NUL" in body["description"]
    )


def test_conformance_declares_core_and_geojson(client, db):
    body = get(client, f"{BASE}conformance")[1]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in body["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in body["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in body["conformsTo"]


def test_the_collection_describes_its_extent(client, make_entry):
    make_entry(lon=-3.0, lat=51.0)
    make_entry(lon=-1.0, lat=53.0)
    body = get(client, f"{BASE}collections")[1]
    collection = body["collections"][0]
    assert collection["id"] == "entries" and {"self", "items"} <= rels(collection)
    assert collection["extent"]["spatial"]["bbox"] == [[-3.0, 51.0, -1.0, 53.0]]
    assert get(client, f"{BASE}collections/entries")[1]["id"] == "entries"


def test_items_filter_by_bbox_and_page_with_links(client, make_entry):
    for n in range(3):
        make_entry(name=f"In {n}", lon=-2.59, lat=51.45)
    make_entry(name="Out", lon=-1.55, lat=53.8)
    status, body, response = get(
        client, f"{BASE}collections/entries/items", bbox="-2.7,51.4,-2.5,51.5", limit=2
    )
    assert status == 200 and response["Content-Type"] == "application/geo+json"
    assert body["numberMatched"] == 3 and body["numberReturned"] == 2
    assert {"self", "collection", "next"} <= rels(body)
    nxt = next(link["href"] for link in body["links"] if link["rel"] == "next")
    second = json.loads(client.get(nxt.replace("http://testserver", "")).content)
    assert second["numberReturned"] == 1 and "prev" in rels(second)


def test_items_filter_by_datetime_on_updated(client, make_entry):
    from mapapp.models import Entry

    old = make_entry(name="Old")
    Entry.objects.filter(pk=old.pk).update(updated_at="2020-06-01T00:00:00Z")
    make_entry(name="New")
    path = f"{BASE}collections/entries/items"
    assert get(client, path, datetime="../2021-01-01T00:00:00Z")[1]["numberMatched"] == 1
    assert get(client, path, datetime="2021-01-01T00:00:00Z/..")[1]["numberMatched"] == 1
    assert get(client, path, datetime="2020-06-01T00:00:00Z")[1]["numberMatched"] == 1


def test_a_too_large_limit_is_lowered_not_refused(client, make_entry, settings):
    settings.API_MAX_LIMIT = 2
    for _ in range(3):
        make_entry()
    body = get(client, f"{BASE}collections/entries/items", limit=50)[1]
    assert body["numberReturned"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"limit": "0"},
        {"offset": "x"},
        {"datetime": "soon"},
        {"datetime": "2022-01-01/2021-01-01"},
        {"colour": "red"},
        {"bbox-crs": "EPSG:27700"},
        {"f": "xml"},
    ],
)
def test_bad_item_parameters_get_a_400(client, db, params):
    status, body, _ = get(client, f"{BASE}collections/entries/items", **params)
    assert status == 400 and body["code"] == "InvalidParameterValue" and body["description"]
    assert set(body) == {"code", "description"}


def test_one_item_by_id_and_404_for_unknown(client, make_entry):
    entry = make_entry(name="Swansea Social Centre")
    status, body, _ = get(client, f"{BASE}collections/entries/items/{entry.slug}")
    assert status == 200 and body["id"] == entry.slug and {"self", "collection"} <= rels(body)
    assert get(client, f"{BASE}collections/entries/items/nope")[0] == 404


def test_unpublished_entries_are_not_items(client, make_entry):
    entry = make_entry(status="pending")
    assert get(client, f"{BASE}collections/entries/items")[1]["numberMatched"] == 0
    assert get(client, f"{BASE}collections/entries/items/{entry.slug}")[0] == 404


needs_gdal = pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL tools not installed")


@needs_gdal
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ogrinfo_lists_the_layer_and_counts_its_features(live_server, make_entry):
    for n in range(25):
        make_entry(name=f"Entry {n}", lon=-2.0 + n * 0.01, lat=52.0)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{live_server.url}/ogc/", "entries"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Layer name: entries" in result.stdout
    assert "Feature Count: 25" in result.stdout
    assert "Geometry: Point" in result.stdout


@needs_gdal
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ogr2ogr_copies_every_feature_to_a_geopackage(live_server, make_entry, tmp_path, settings):
    settings.API_DEFAULT_LIMIT = 10  # make the client follow next links
    for n in range(23):
        make_entry(name=f"Entry {n}", lon=-2.0 + n * 0.01, lat=52.0)
    target = tmp_path / "entries.gpkg"
    copy = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{live_server.url}/ogc/", "entries"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert copy.returncode == 0, copy.stderr
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(target), "entries"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Feature Count: 23" in info.stdout, info.stdout
