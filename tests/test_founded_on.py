"""An entry may say when it was founded: typed in the forms and the API, shown on its page, in
its public feature, the downloads, its history and suggested changes."""

import datetime
import html
import json
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from mapapp import services
from mapapp.models import ChangeRequest, Entry

FOUNDED = datetime.date(1998, 5, 1)


def post_json(path, body, token):
    return Client().post(
        path, json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )  # fmt: skip


def test_a_new_entry_from_the_form_keeps_its_founding_date(client_for, people, entry_form):
    entry_form["founded_on"] = "1998-05-01"
    response = client_for("trusted").post("/entries/new/", entry_form)
    assert response.status_code == 302
    assert Entry.objects.get().founded_on == FOUNDED


def test_the_form_refuses_a_founding_date_that_is_not_a_date(client_for, people, entry_form):
    entry_form["founded_on"] = "the nineties"
    response = client_for("trusted").post("/entries/new/", entry_form)
    assert response.status_code == 400 and not Entry.objects.exists()
    assert 'type="date"' in response.content.decode()


def test_the_api_takes_a_founding_date_and_names_a_bad_one(people, category):
    token = Token.objects.create(user=people["trusted"]).key
    body = {"name": "Old Mill", "category": "commoning", "longitude": -2.2, "latitude": 53.4}
    refused = post_json("/api/v1/entries/", {**body, "founded_on": "soon"}, token)
    assert refused.status_code == 400 and "founded_on" in json.loads(refused.content)
    created = post_json("/api/v1/entries/", {**body, "founded_on": "1998-05-01"}, token)
    assert created.status_code == 201
    assert json.loads(created.content)["properties"]["founded_on"] == "1998-05-01"


def test_the_page_feature_and_downloads_show_the_founding_date(client, make_entry):
    entry = make_entry(name="Old Mill", founded_on=FOUNDED)
    assert "1 May 1998" in client.get(f"/entries/{entry.slug}/").content.decode()
    feature = json.loads(client.get(f"/api/v1/entries/{entry.slug}/").content)
    assert feature["properties"]["founded_on"] == "1998-05-01"
    download = client.get("/api/v1/entries/", {"format": "csv"})
    assert "1998-05-01" in b"".join(download.streaming_content).decode()


def test_the_schema_documents_the_founding_date_in_requests_and_features(client, db):
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    body = schema["components"]["schemas"]["EntryWrite"]["properties"]
    assert body["founded_on"]["format"] == "date"
    detail = schema["paths"]["/api/v1/entries/{slug}/"]["get"]["responses"]["200"]
    properties = detail["content"]["application/geo+json"]["schema"]["properties"]
    assert properties["properties"]["properties"]["founded_on"]["format"] == "date"


def test_a_suggested_founding_date_is_stored_and_applied(client_for, people, make_entry):
    entry = make_entry(name="Old Mill")
    form = {"name": "Old Mill", "category": "commoning", "precision": "exact", "threat": "none",
            "longitude": entry.location.x, "latitude": entry.location.y, "version": 1,
            "founded_on": "1998-05-01", "message": "It says so on the plaque."}  # fmt: skip
    response = client_for("resident").post(f"/entries/{entry.slug}/suggest/", form)
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.changes == {"founded_on": "1998-05-01"}
    services.change_request_apply(change_request=change, moderator=people["moderator"])
    entry.refresh_from_db()
    assert entry.founded_on == FOUNDED
    history = client_for("anonymous").get(f"/entries/{entry.slug}/history/").content.decode()
    assert "Founded on" in history


# What HTML asks of an <input type="date">'s value: a valid date string (yyyy-mm-dd). A browser
# empties any other value ("value sanitization algorithm") and sends the field back empty.
VALID_DATE_STRING = re.compile(r"^\d{4,}-\d{2}-\d{2}$")


def date_input_value(body, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
    assert 'type="date"' in tag
    value = re.search(r'value="([^"]*)"', tag)
    return html.unescape(value.group(1)) if value else ""


def as_a_browser_sends_it(value):
    return value if VALID_DATE_STRING.match(value) else ""


@pytest.mark.parametrize("page", ["edit", "suggest"])
def test_the_entry_forms_give_the_founding_date_in_the_format_a_date_input_holds(
    client_for, make_entry, people, page
):
    entry = make_entry(name="Old Mill", founded_on=FOUNDED, author=people["owner"])
    body = client_for("owner").get(f"/entries/{entry.slug}/{page}/").content.decode()
    # The en-gb input format ("01/05/1998") would be discarded by a browser.
    assert date_input_value(body, "founded_on") == "1998-05-01"


def test_an_owner_saving_the_edit_form_in_a_browser_keeps_the_founding_date(
    client_for, make_entry, people
):
    entry = make_entry(name="Old Mill", founded_on=FOUNDED, author=people["owner"])
    owner = client_for("owner")
    response = owner.get(f"/entries/{entry.slug}/edit/")
    form = response.context["form"]
    data = {n: form[n].value() for n in form.fields if form[n].value() is not None}
    data["founded_on"] = as_a_browser_sends_it(
        date_input_value(response.content.decode(), "founded_on")
    )
    data.update(summary="Only the summary changes", tags="")
    assert owner.post(f"/entries/{entry.slug}/edit/", data).status_code == 302
    entry.refresh_from_db()
    assert entry.summary == "Only the summary changes"
    assert entry.founded_on == FOUNDED


def test_a_suggestion_made_in_a_browser_does_not_propose_removing_the_founding_date(
    client_for, make_entry
):
    entry = make_entry(name="Old Mill", founded_on=FOUNDED)
    visitor = client_for("anonymous")
    response = visitor.get(f"/entries/{entry.slug}/suggest/")
    form = response.context["form"]
    data = {n: form[n].value() for n in form.fields if form[n].value() is not None}
    data["founded_on"] = as_a_browser_sends_it(
        date_input_value(response.content.decode(), "founded_on")
    )
    data.update(summary="Open on Sundays too", message="Saw the sign", tags="")
    assert visitor.post(f"/entries/{entry.slug}/suggest/", data).status_code == 302
    assert ChangeRequest.objects.get().changes == {"summary": "Open on Sundays too"}
