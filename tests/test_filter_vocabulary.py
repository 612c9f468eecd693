"""The shared filter words: every door reads the same parameters, old words included, and
each answers a problem in its own shape."""

import re

import pytest
from django.http import QueryDict

from mapapp.reads.filters import FilterError, parse_filters


def names_listed(response):
    return [e.name for e in response.context["page"].object_list]


def ids(body):
    return [f["id"] for f in body["features"]]


@pytest.fixture
def three(make_entry):
    make_entry(name="Alpha", tags=["food"], threat="at_risk", lon=-2.59, lat=51.45)
    make_entry(name="Bravo", tags=["repair"], threat="lost", lon=-1.55, lat=53.8)
    make_entry(name="Charlie", tags=["books"], lon=-2.6, lat=51.46)


def test_the_list_takes_the_apis_ordering_and_several_tags(client, three):
    response = client.get("/entries/", {"ordering": "-name", "tag": "food,repair"})
    assert response.status_code == 200 and names_listed(response) == ["Bravo", "Alpha"]
    body = response.content.decode()
    assert "field-error" not in body and "aria-invalid" not in body
    assert re.findall(r'<option value="([^"]+)" selected>', body) == ["food", "repair", "-name"]


def test_the_list_takes_a_bbox_and_carries_it_through_its_form(client, three):
    response = client.get("/entries/", {"bbox": "-2.7,51.4,-2.5,51.5"})
    assert names_listed(response) == ["Alpha", "Charlie"]
    hidden = '<input type="hidden" name="bbox" value="-2.7,51.4,-2.5,51.5"'
    assert hidden in response.content.decode()
    assert "field-error" not in response.content.decode()


def test_the_list_shows_the_old_threat_checkbox_as_the_threats_it_applied(client, three):
    body = client.get("/entries/", {"threat": "1"}).content.decode()
    assert re.search(r'<option value="at_risk,lost" selected>', body)


def test_the_list_shows_the_old_sort_as_the_ordering_it_applied(client, three):
    response = client.get("/entries/", {"sort": "-updated"})
    assert response.status_code == 200
    assert re.search(r'<option value="-updated" selected>', response.content.decode())
    assert 'name="sort"' not in response.content.decode()


def test_a_bad_filter_without_a_control_is_named_on_the_list_page(client, three):
    response = client.get("/entries/", {"bbox": "1,2,3"})
    assert response.status_code == 400
    assert "bbox needs 4 comma-separated numbers, got 3." in response.content.decode()
    assert 'name="bbox"' not in response.content.decode()


def test_a_blank_control_of_the_list_form_means_no_filter(client, three):
    response = client.get("/entries/", {"q": "", "tag": "", "threat": "", "ordering": ""})
    assert response.status_code == 200 and len(names_listed(response)) == 3


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"threat": "1"}, ["alpha", "bravo"]),
        ({"threat": "on"}, ["alpha", "bravo"]),
        ({"threat": "0"}, ["alpha", "bravo", "charlie"]),
        ({"sort": "-name"}, ["charlie", "bravo", "alpha"]),
    ],
)
def test_the_api_reads_the_old_words_as_the_list_does(api, three, params, expected):
    status, body, _ = api("/api/v1/entries/", params)
    assert status == 200 and ids(body) == expected


def test_the_apis_unknown_parameter_message_lists_only_the_current_words(api, db):
    status, body, _ = api("/api/v1/entries/", {"colour": "red"})
    assert status == 400 and "sort" not in body["unknown"][0]


def test_a_bad_old_word_is_named_as_it_was_sent(api, db):
    status, body, _ = api("/api/v1/entries/", {"sort": "colour"})
    assert status == 400 and "Unknown ordering" in body["sort"][0]


def test_ogc_answers_a_repeated_bbox_with_its_exception_document(client, db):
    response = client.get("/ogc/collections/entries/items?bbox=0,0,1,1&bbox=0,0,2,2")
    assert response.status_code == 400
    assert response.json() == {
        "code": "InvalidParameterValue",
        "description": "Give bbox once, not 2 times.",
    }


def test_the_parser_raises_one_error_naming_every_bad_parameter(db):
    with pytest.raises(FilterError) as raised:
        parse_filters(QueryDict("bbox=x&threat=doom&near=1,2"))
    assert set(raised.value.errors) == {"bbox", "threat", "radius"}
    assert all(isinstance(m, str) for ms in raised.value.errors.values() for m in ms)


def test_ogc_items_take_the_shared_category_tag_threat_and_q(client, three):
    def items(**params):
        response = client.get("/ogc/collections/entries/items", params)
        assert response.status_code == 200, response.content
        return ids(response.json())

    assert items(threat="1") == ["alpha", "bravo"]
    assert items(tag="food,books") == ["alpha", "charlie"]
    assert items(q="brav") == ["bravo"]
    assert items(category="commoning", threat="none") == ["charlie"]


def test_ogc_names_a_bad_shared_filter_in_its_exception(client, db):
    response = client.get("/ogc/collections/entries/items", {"category": "nope"})
    assert response.status_code == 400
    assert response.json()["description"].startswith("Unknown category: nope.")


def test_ordering_and_its_old_name_sort_at_once_are_refused(client, db):
    response = client.get("/api/v1/entries/", {"ordering": "name", "sort": "-updated"})
    assert response.status_code == 400
    assert response.json()["ordering"] == ["Give ordering or its old name sort, not both."]
    listed = client.get("/entries/", {"ordering": "name", "sort": "-updated"})
    assert listed.status_code == 400
    assert "not both" in listed.content.decode()


def test_the_api_the_ogc_api_and_the_feeds_word_an_unknown_parameter_alike(client, db):
    api = client.get("/api/v1/clusters/", {"zoom": "5", "colour": "red"}).json()["unknown"][0]
    ogc = client.get("/ogc/collections/entries/items", {"colour": "red"}).json()["description"]
    feed = client.get("/feeds/area/", {"bbox": "-3,51,-2,52", "colour": "red"})
    said = "Unknown parameter(s): colour. Allowed: "
    assert api.startswith(said) and ogc.startswith(said)
    assert "verified_within" in ogc and "bbox" in api
    assert feed.status_code == 400 and said in feed.content.decode()
