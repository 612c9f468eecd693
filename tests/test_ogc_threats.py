"""OGC API - Features' second collection, `threats`: active cases at their entries' public
points, paged, filtered by bbox; GDAL's ogrinfo reads it as a real client does."""

import shutil
import subprocess
from datetime import date

import pytest
import time_machine

from mapapp import services
from mapapp.models import ThreatCase

BASE = "/ogc/collections/threats"


def open_case(entry, **fields):
    data = {"title": "Closure", "kind": "closure", "opened_on": date(2026, 9, 1), **fields}
    return services.case_create(entry=entry, author=None, data=data)


def get(client, path, **params):
    response = client.get(path, params)
    return response.status_code, response.json()


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.API_THROTTLE_ANON = None
    with time_machine.travel("2026-11-15 12:00:00Z", tick=False):
        yield


def test_the_collections_list_names_threats_beside_entries(client, make_entry):
    open_case(make_entry(lon=-2.5, lat=51.4))
    status, body = get(client, "/ogc/collections")
    assert status == 200
    assert [c["id"] for c in body["collections"]] == ["entries", "threats"]
    threats = body["collections"][1]
    assert threats["extent"]["spatial"]["bbox"] == [[-2.5, 51.4, -2.5, 51.4]]
    assert threats["extent"]["temporal"]["interval"] == [["2026-09-01", None]]
    assert {link["rel"] for link in threats["links"]} == {"self", "items"}


def test_the_threats_collection_describes_itself(client, db):
    status, body = get(client, BASE)
    assert status == 200 and body["id"] == "threats" and body["itemType"] == "feature"


def test_items_are_the_active_public_cases_only(client, make_entry):
    active = open_case(make_entry(name="Active"))
    open_case(make_entry(name="Saved"), status="saved", closed_on=date(2026, 10, 1))
    services.case_create(
        entry=make_entry(name="Pending"),
        author=None,
        data={"title": "P", "kind": "closure", "opened_on": date(2026, 9, 1)},
        review=ThreatCase.Review.PENDING,
    )
    status, body = get(client, f"{BASE}/items")
    assert status == 200 and body["numberMatched"] == 1
    assert [f["id"] for f in body["features"]] == [active.pk]
    assert body["features"][0]["properties"]["entry"] == "active"


def test_items_take_bbox_and_pages(client, make_entry):
    for n in range(5):
        open_case(make_entry(name=f"Bristol {n}", lon=-2.59 + n * 0.001, lat=51.45))
    open_case(make_entry(name="Leeds", lon=-1.55, lat=53.8))
    status, body = get(client, f"{BASE}/items", bbox="-2.7,51.4,-2.5,51.5", limit=2, offset=2)
    assert status == 200, body
    assert body["numberMatched"] == 5 and body["numberReturned"] == 2
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "collection", "next", "prev"} <= rels
    assert get(client, f"{BASE}/items", kind="closure")[1]["numberMatched"] == 6


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"kind": "meteor"},
        {"status": "lost"},
        {"limit": "0"},
        {"offset": "x"},
        {"bbox-crs": "EPSG:3857"},
        {"q": "library"},
    ],
)
def test_bad_item_parameters_get_an_ogc_exception(client, db, params):
    status, body = get(client, f"{BASE}/items", **params)
    assert status == 400 and body["code"] == "InvalidParameterValue"


def test_an_item_is_one_active_case_with_links(client, make_entry):
    case = open_case(make_entry(lon=-2.5, lat=51.4))
    status, feature = get(client, f"{BASE}/items/{case.pk}")
    assert status == 200 and feature["id"] == case.pk
    assert feature["geometry"]["coordinates"] == [-2.5, 51.4]
    assert {link["rel"] for link in feature["links"]} == {"self", "collection", "alternate"}


def test_an_item_that_is_not_an_active_public_case_is_not_found(client, make_entry):
    saved = open_case(make_entry(), status="saved", closed_on=date(2026, 10, 1))
    for feature_id in (saved.pk, 99999, "abc", "²", "9" * 40):
        status, body = get(client, f"{BASE}/items/{feature_id}")
        assert status == 404 and body["code"] == "NotFound"


def test_a_withheld_location_is_at_its_public_point_only(client, make_entry):
    entry = make_entry(lon=-2.123456, lat=51.654321, precision="approximate")
    case = open_case(entry)
    for path in (f"{BASE}/items", f"{BASE}/items/{case.pk}", "/ogc/collections"):
        body = client.get(path).content
        assert b"2.123456" not in body and b"51.654321" not in body


def test_an_unknown_collection_names_both(client, db):
    status, body = get(client, "/ogc/collections/nope/items")
    assert status == 404 and "'entries'" in body["description"]
    assert "'threats'" in body["description"]


needs_gdal = pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL tools not installed")


@needs_gdal
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ogrinfo_reads_the_threats_layer(live_server, make_entry):
    for n in range(7):
        open_case(make_entry(name=f"Entry {n}", lon=-2.0 + n * 0.01, lat=52.0))
    open_case(make_entry(name="Saved"), status="saved", closed_on=date(2026, 10, 1))
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{live_server.url}/ogc/", "threats"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Layer name: threats" in result.stdout
    assert "Feature Count: 7" in result.stdout
    assert "Geometry: Point" in result.stdout
    assert "title: String" in result.stdout


def test_the_openapi_definition_documents_every_threats_item_parameter(client, db):
    from mapapp.ogc.views import THREAT_ITEM_PARAMS

    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    items = schema["paths"]["/ogc/collections/threats/items"]["get"]
    names = {p["name"] for p in items["parameters"] if p["in"] == "query"}
    assert names == THREAT_ITEM_PARAMS - {"case_kind"} | {"kind"}
