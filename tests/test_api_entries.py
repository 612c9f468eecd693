import pytest
from django.contrib.gis.geos import Point

from mapapp import services
from mapapp.models import Entry

URL = "/api/v1/entries/"


def ids(body):
    return [f["id"] for f in body["features"]]


def test_the_list_is_a_geojson_feature_collection(api, make_entry):
    make_entry(name="Leeds Timebank", tags=["timebank"])
    status, body, response = api(URL)
    assert status == 200
    assert response["Content-Type"] == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == body["numberMatched"] == 1
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-2.5879, 51.4545]}
    assert feature["properties"]["tags"] == ["timebank"]
    assert feature["properties"]["url"] == "/entries/leeds-timebank/"


def test_only_published_entries_are_listed(api, make_entry):
    make_entry(name="Visible")
    for status in ("pending", "rejected", "archived"):
        make_entry(name=f"Hidden {status}", status=status)
    assert ids(api(URL)[1]) == ["visible"]


def test_no_private_fields_appear(api, make_entry, django_user_model):
    author = django_user_model.objects.create_user("secret-author", "author@private.example", "x")
    entry = make_entry(
        author=author, precision="approximate", address="1 Secret Row", postcode="BS1 4DJ"
    )
    text = api(URL)[2].content.decode() + api(f"{URL}{entry.slug}/")[2].content.decode()
    for private in (
        "secret-author",
        "author@private.example",
        "1 Secret Row",
        "4DJ",
        f"{entry.location.x:.4f}",
        "created_by",
    ):
        assert private not in text


def test_bbox_filters_by_the_public_point(api, make_entry):
    make_entry(name="Bristol", lon=-2.59, lat=51.45)
    make_entry(name="Leeds", lon=-1.55, lat=53.80)
    assert ids(api(URL, {"bbox": "-2.7,51.4,-2.5,51.5"})[1]) == ["bristol"]


def test_category_accepts_repeats_and_comma_lists(api, make_entry):
    make_entry(name="A", category_slug="commoning")
    make_entry(name="B", category_slug="public-goods")
    make_entry(name="C", category_slug="convivial-spaces")
    assert ids(api(URL, {"category": "commoning"})[1]) == ["a"]
    assert ids(api(f"{URL}?category=commoning&category=public-goods")[1]) == ["a", "b"]
    assert ids(api(URL, {"category": "commoning,convivial-spaces"})[1]) == ["a", "c"]


def test_tag_and_threat_filters_combine(api, make_entry):
    make_entry(name="A", tags=["parks"], threat="at_risk")
    make_entry(name="B", tags=["parks"])
    make_entry(name="C", tags=["food"], threat="at_risk")
    assert ids(api(URL, {"tag": "parks", "threat": "at_risk"})[1]) == ["a"]
    assert ids(api(URL, {"tag": "parks,food"})[1]) == ["a", "b", "c"]


def test_an_entry_with_two_matching_tags_is_listed_once(api, make_entry):
    make_entry(name="A", tags=["parks", "food"])
    assert ids(api(URL, {"tag": "parks,food"})[1]) == ["a"]


def test_near_returns_entries_within_the_radius_nearest_first(api, make_entry):
    make_entry(name="Far", lon=-2.59, lat=51.47)  # ~2.2 km north
    make_entry(name="Close", lon=-2.59, lat=51.4545)  # ~50 m
    make_entry(name="Out", lon=-2.59, lat=51.50)  # ~5.5 km
    status, body, _ = api(URL, {"near": "-2.59,51.454", "radius": "3000"})
    assert ids(body) == ["close", "far"]
    close, far = (f["properties"]["distance"] for f in body["features"])
    assert 40 < close < 70 and 1700 < far < 1800


def test_near_measures_metres_east_west_too(api, make_entry):
    # At 55° north a degree of longitude is ~64 km: 0.05° east is ~3.2 km.
    make_entry(name="East", lon=-4.20, lat=55.86)
    assert ids(api(URL, {"near": "-4.25,55.86", "radius": "3000"})[1]) == []
    assert ids(api(URL, {"near": "-4.25,55.86", "radius": "3300"})[1]) == ["east"]


def test_updated_since_and_ordering(api, make_entry):
    older = make_entry(name="Older")
    Entry.objects.filter(pk=older.pk).update(updated_at="2020-01-01T00:00:00Z")
    make_entry(name="Newer")
    assert ids(api(URL, {"updated_since": "2021-01-01"})[1]) == ["newer"]
    assert ids(api(URL, {"updated_since": "2019-12-31T23:00:00+00:00"})[1]) == ["newer", "older"]
    assert ids(api(URL, {"ordering": "-updated"})[1]) == ["newer", "older"]
    assert ids(api(URL, {"ordering": "-name"})[1]) == ["older", "newer"]


def test_pagination_links_walk_every_entry_once(api, make_entry):
    for n in range(5):
        make_entry(name=f"E{n}")
    seen, url, params = [], URL, {"limit": "2"}
    while url:
        status, body, _ = api(url, params)
        assert status == 200 and body["numberMatched"] == 5
        seen += ids(body)
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url, params = (nxt[0].replace("http://testserver", ""), None) if nxt else (None, None)
    assert seen == ["e0", "e1", "e2", "e3", "e4"]


def test_the_second_page_links_back(api, make_entry):
    for n in range(3):
        make_entry(name=f"E{n}")
    body = api(URL, {"limit": "2", "offset": "2"})[1]
    rels = {link["rel"] for link in body["links"]}
    assert rels == {"self", "prev"} and ids(body) == ["e2"]


def test_the_detail_is_a_feature_with_public_fields(api, make_entry):
    entry = make_entry(
        name="Stroud Lido",
        website="https://lido.example.org",
        opening_times="Daily",
        threat="at_risk",
        threat_note="Sale planned",
    )
    status, body, response = api(f"{URL}{entry.slug}/")
    assert status == 200 and response["Content-Type"] == "application/geo+json"
    props = body["properties"]
    assert body["type"] == "Feature" and body["id"] == "stroud-lido"
    assert props["website"] == "https://lido.example.org"
    assert props["threat_note"] == "Sale planned" and props["category_name"] == "Commoning"


@pytest.mark.parametrize("status", ["pending", "rejected", "archived"])
def test_unpublished_entries_have_no_detail(api, make_entry, status):
    entry = make_entry(status=status)
    code, body, _ = api(f"{URL}{entry.slug}/")
    assert code == 404 and "slug" in body["detail"]


def test_withheld_entries_show_only_the_public_point(api, make_entry):
    entry = make_entry(precision="approximate")
    body = api(f"{URL}{entry.slug}/")[1]
    assert body["geometry"]["coordinates"] == [
        round(entry.public_point.x, 6),
        round(entry.public_point.y, 6),
    ]
    assert body["geometry"]["coordinates"] != [entry.location.x, entry.location.y]


def test_categories_list_counts_published_entries(api, make_entry):
    make_entry(category_slug="commoning")
    make_entry(category_slug="commoning", status="pending")
    status, body, _ = api("/api/v1/categories/")
    counts = {c["slug"]: c["entry_count"] for c in body}
    assert status == 200 and counts["commoning"] == 1 and counts["public-goods"] == 0


def test_tags_list_only_tags_in_use_by_published_entries(api, make_entry):
    make_entry(tags=["parks"])
    make_entry(tags=["secret"], status="pending")
    assert api("/api/v1/tags/")[1] == [{"slug": "parks", "name": "parks", "entry_count": 1}]


def test_anonymous_gets_are_allowed_from_any_origin(api, make_entry):
    response = api(URL, origin="https://council.example")[2]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_anonymous_writes_need_a_token(client, db):
    assert client.post(URL, {}, content_type="application/json").status_code == 401
    assert client.put(URL, {}, content_type="application/json").status_code == 405


def test_moving_an_entry_updates_the_list(api, make_entry):
    entry = make_entry(name="Mover", lon=-2.59, lat=51.45)
    services.entry_update(
        entry=entry, data={"location": Point(-1.55, 53.8, srid=4326)}, expected_version=1
    )
    assert ids(api(URL, {"bbox": "-2.7,51.4,-2.5,51.5"})[1]) == []


def test_list_and_detail_agree_on_every_summary_property(api, make_entry):
    make_entry(name='Café "Ŵ" <b>', tags=["b-tag", "a-tag"], summary="Line\nbreak")
    make_entry(name="No tags")
    listed = {f["id"]: f for f in api(URL)[1]["features"]}
    for slug, feature in listed.items():
        detail = api(f"{URL}{slug}/")[1]
        assert detail["geometry"] == feature["geometry"]
        for key, value in feature["properties"].items():
            assert detail["properties"][key] == value, key
    assert listed["no-tags"]["properties"]["tags"] == []
    assert listed["cafe-w-b"]["properties"]["tags"] == ["a-tag", "b-tag"]
    assert listed["cafe-w-b"]["properties"]["name"] == 'Café "Ŵ" <b>'
    assert listed["cafe-w-b"]["properties"]["updated"].endswith("Z")
