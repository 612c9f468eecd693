"""An entry's addresses come from the URL configuration (Entry.get_absolute_url, reverse),
never from strings: mounted elsewhere, every link, redirect and Location header follows."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from mapapp.models import Entry

PREFIXED = "tests.prefixed_urls"
POINT = {"type": "Point", "coordinates": [-2.2889, 53.4875]}


def test_an_entrys_absolute_url_is_its_page(make_entry):
    entry = make_entry(name="Leeds Timebank")
    assert entry.get_absolute_url() == "/entries/leeds-timebank/"
    assert Client().get(entry.get_absolute_url()).status_code == 200


def test_the_admin_links_each_entry_to_its_page(admin_client, make_entry):
    entry = make_entry(name="Leeds Timebank")
    body = admin_client.get(f"/admin/mapapp/entry/{entry.pk}/change/").content.decode()
    assert "View on site" in body


@pytest.fixture
def prefixed(settings):
    settings.ROOT_URLCONF = PREFIXED


def test_the_list_and_queue_link_entries_where_they_are_mounted(prefixed, make_entry, client_for):
    entry = make_entry(name="Leeds Timebank")
    make_entry(name="Waiting", status=Entry.Status.PENDING)
    listed = Client().get("/commons/entries/").content.decode()
    assert 'href="/commons/entries/leeds-timebank/"' in listed
    queue = client_for("moderator").get("/commons/moderation/").content.decode()
    assert 'href="/commons/entries/waiting/"' in queue
    history = Client().get(f"/commons/entries/{entry.slug}/history/").content.decode()
    assert 'href="/commons/entries/leeds-timebank/"' in history


def test_a_report_redirects_to_the_entry_where_it_is_mounted(prefixed, make_entry):
    entry = make_entry(name="Leeds Timebank")
    response = Client().post(
        f"/commons/entries/{entry.slug}/report/", {"kind": "wrong", "message": "Moved"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/commons/entries/leeds-timebank/"


def test_an_api_write_locates_the_new_entry_where_the_api_is_mounted(prefixed, people, category):
    token = Token.objects.create(user=people["resident"]).key
    response = Client().post(
        "/commons/api/v1/entries/",
        json.dumps({"name": "Salford Tool Library", "category": "commoning", "geometry": POINT}),
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 201, response.content
    assert response["Location"] == "http://testserver/commons/api/v1/entries/salford-tool-library/"


def test_the_api_and_ogc_refuse_a_nul_in_their_own_shapes_where_they_are_mounted(prefixed, db):
    # Which door a request is for comes from the URL configuration, not from "/api/" strings.
    api = Client().get("/commons/api/v1/entries/", {"q": "a\x00b"})
    assert api.status_code == 400 and list(api.json()) == ["q"]
    ogc = Client().get("/commons/ogc/collections/entries/items", {"q": "a\x00b"})
    assert ogc.status_code == 400 and ogc.json()["code"] == "InvalidParameterValue"
    page = Client().get("/commons/entries/", {"q": "a\x00b"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/plain")
    lost = Client().get("/commons/ogc/nowhere")
    assert lost.json() == {
        "code": "NotFound",
        "description": "Nothing is at /commons/ogc/nowhere; start at /commons/ogc/.",
    }
