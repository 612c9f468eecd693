"""An entry's fields are declared once, on the model: the services, the form, the write API,
its documentation, the admin and the account export all take fields, limits, labels and
choices from there."""

import json

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.urls import reverse

from mapapp import services
from mapapp.admin import EntryAdmin
from mapapp.api.write import EntryWriteSerializer
from mapapp.models import EDITABLE_FIELDS, Entry
from mapapp.pages.forms import EntryForm

# What people type instead of the location, in the form and in the API.
FORM_ONLY = {"tags", "longitude", "latitude", "nickname"}
API_ONLY = {"tags", "geometry", "longitude", "latitude"}
TYPED = [f for f in EDITABLE_FIELDS if f != "location"]
# Text whose length is limited (fields with choices are limited by their choices).
LIMITED = [
    f
    for f in TYPED
    if getattr(Entry._meta.get_field(f), "max_length", None)
    and not Entry._meta.get_field(f).choices
]


def schema(client):
    return json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)


@pytest.mark.parametrize(("field", "limit"), [("description", 10000), ("opening_times", 2000),
                                              ("threat_note", 2000)])  # fmt: skip
def test_the_model_refuses_long_text_that_the_form_and_api_refuse(category, field, limit):
    data = {"name": "Long", "category": category, "location": Point(-2.5, 51.4, srid=4326)}
    with pytest.raises(ValidationError) as caught:
        services.entry_create(author=None, data={**data, field: "x" * (limit + 1)})
    assert field in caught.value.message_dict
    assert services.entry_create(author=None, data={**data, field: "x" * limit}).pk


def test_the_form_has_every_editable_field_and_only_its_own_extras():
    assert set(EntryForm.base_fields) == set(TYPED) | FORM_ONLY


def test_the_write_api_takes_every_editable_field_and_only_its_own_extras():
    assert set(EntryWriteSerializer().fields) == set(TYPED) | API_ONLY


@pytest.mark.parametrize("field", LIMITED)
def test_the_form_and_the_api_keep_the_models_limit(field):
    limit = Entry._meta.get_field(field).max_length
    assert EntryForm.base_fields[field].max_length == limit
    assert EntryWriteSerializer().fields[field].max_length == limit


def test_the_forms_labels_are_the_models_verbose_names():
    for field in TYPED:
        verbose = str(Entry._meta.get_field(field).verbose_name)
        assert EntryForm.base_fields[field].label == verbose[:1].upper() + verbose[1:]
    assert EntryForm.base_fields["locality"].label == "Town or neighbourhood"
    # The threat is derived from the entry's cases, so no form edits it.
    assert "threat" not in EntryForm.base_fields
    assert "threat_note" not in EntryForm.base_fields


def test_the_documented_request_body_has_the_models_limits_and_choices(client, db):
    components = schema(client)["components"]["schemas"]
    body = components["EntryWrite"]["properties"]
    assert set(body) == set(TYPED) | API_ONLY
    for field in LIMITED:
        assert body[field]["maxLength"] == Entry._meta.get_field(field).max_length, field
    assert components["PrecisionEnum"]["enum"] == Entry.Precision.values
    assert "threat" not in body and "threat_note" not in body
    assert set(components["EntryWrite"]["required"]) == {"name", "category"}
    assert "required" not in components["PatchedEntryWrite"]
    assert components["EntryWrite"]["additionalProperties"] is False
    assert components["PatchedEntryWrite"]["additionalProperties"] is False


def test_the_documented_location_is_a_point_or_bounded_coordinates(client, db):
    body = schema(client)["components"]["schemas"]["EntryWrite"]["properties"]
    assert body["geometry"]["properties"]["type"]["enum"] == ["Point"]
    assert (body["longitude"]["minimum"], body["longitude"]["maximum"]) == (-180, 180)
    assert (body["latitude"]["minimum"], body["latitude"]["maximum"]) == (-90, 90)


def test_the_admin_shows_every_editable_field_once():
    shown = [f for _, options in EntryAdmin.fieldsets for f in options["fields"]]
    assert set(EDITABLE_FIELDS) <= set(shown) and len(shown) == len(set(shown))


def test_the_account_export_holds_every_editable_field_of_my_entries(
    client_for, people, make_entry
):
    make_entry(author=people["owner"], name="Mine", opening_times="Sat 10-12", tags=["tools"])
    data = json.loads(client_for("owner").get(reverse("account-data")).content)
    (row,) = data["entries"]
    assert set(TYPED) <= set(row) and {"longitude", "latitude", "tags"} <= set(row)
    assert row["opening_times"] == "Sat 10-12" and row["category"] == "commoning"
    assert row["tags"] == ["tools"]
