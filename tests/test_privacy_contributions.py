"""Residents' forms keep withheld locations, pending entries and unpublished tags private."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.authtoken.models import Token

from mapapp import services
from mapapp.models import ChangeRequest, Entry, Tag
from tests.test_privacy_sweep import fragments, revealed

LON, LAT = -2.123456, 51.654321
ADDRESS, POSTCODE = "9 Hidden Yard", "BS5 9QQ"
SECRETS = fragments(LON) | fragments(LAT) | {ADDRESS, "9QQ"}


@pytest.fixture
def withheld(make_entry, people):
    def make(precision):
        return make_entry(
            name="Secret Shelter",
            lon=LON,
            lat=LAT,
            precision=precision,
            address=ADDRESS,
            postcode=POSTCODE,
            author=people["owner"],
        )

    return make


def form_as_shown(response):
    """The values a visitor's browser would send back untouched."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {name: value for name, value in data.items() if value is not None}


def leaks(body):
    return revealed(body, SECRETS, words=["9QQ"])


# 1. Suggesting a change


@pytest.mark.parametrize("precision", ["approximate", "area"])
@pytest.mark.parametrize("role", ["anonymous", "resident", "owner", "moderator"])
def test_the_suggest_form_shows_only_what_the_public_sees(client_for, withheld, precision, role):
    entry = withheld(precision)
    response = client_for(role).get(f"/entries/{entry.slug}/suggest/")
    assert response.status_code == 200
    assert leaks(response.content.decode()) == []
    shown = form_as_shown(response)
    assert (shown["longitude"], shown["latitude"]) == (
        round(entry.public_point.x, 6),
        round(entry.public_point.y, 6),
    )
    assert shown["address"] == "" and shown["postcode"] == "BS5"


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_an_untouched_suggestion_of_a_withheld_entry_changes_nothing(
    client_for, withheld, precision
):
    entry = withheld(precision)
    client = client_for("resident")
    data = form_as_shown(client.get(f"/entries/{entry.slug}/suggest/"))
    response = client.post(f"/entries/{entry.slug}/suggest/", {**data, "message": "Checked"})
    assert response.status_code == 400 and not ChangeRequest.objects.exists()
    assert "Nothing is different" in response.content.decode()


def test_renaming_a_withheld_entry_suggests_no_move_and_no_address(client_for, withheld):
    entry = withheld("approximate")
    client = client_for("resident")
    data = form_as_shown(client.get(f"/entries/{entry.slug}/suggest/"))
    client.post(
        f"/entries/{entry.slug}/suggest/", {**data, "name": "Open Shelter", "message": "Renamed"}
    )
    assert ChangeRequest.objects.get().changes == {"name": "Open Shelter"}


def test_a_suggested_move_never_shows_the_suggester_the_exact_point(client_for, withheld):
    entry = withheld("approximate")
    client = client_for("resident")
    data = form_as_shown(client.get(f"/entries/{entry.slug}/suggest/"))
    moved = {**data, "longitude": "-2.1301", "latitude": "51.6512", "message": "It moved"}
    response = client.post(f"/entries/{entry.slug}/suggest/", moved, follow=True)
    assert response.status_code == 200 and leaks(response.content.decode()) == []
    assert ChangeRequest.objects.get().changes == {"location": [-2.1301, 51.6512]}
    for path in (
        f"/entries/{entry.slug}/",
        f"/entries/{entry.slug}/history/",
        f"/entries/{entry.slug}/suggest/",
        "/account/data/",
        "/moderation/",
    ):
        assert leaks(client.get(path).content.decode()) == [], path


@pytest.mark.parametrize("precision,finer", [("approximate", "exact"), ("area", "approximate")])
def test_a_suggestion_cannot_make_a_withheld_location_finer_without_moving_it(
    client_for, withheld, precision, finer
):
    """Applied, it would publish the point the owner withheld to whoever asked."""
    entry = withheld(precision)
    client = client_for("resident")
    data = form_as_shown(client.get(f"/entries/{entry.slug}/suggest/"))
    response = client.post(
        f"/entries/{entry.slug}/suggest/", {**data, "precision": finer, "message": "Show it"}
    )
    assert response.status_code == 400 and not ChangeRequest.objects.exists()
    assert "precision" in response.context["form"].errors
    assert leaks(response.content.decode()) == []


def test_a_suggestion_may_make_a_location_exact_where_it_places_the_pin(client_for, withheld):
    entry = withheld("approximate")
    client = client_for("resident")
    data = form_as_shown(client.get(f"/entries/{entry.slug}/suggest/"))
    moved = {**data, "precision": "exact", "longitude": "-2.1301", "latitude": "51.6512"}
    response = client.post(f"/entries/{entry.slug}/suggest/", {**moved, "message": "It is here"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get().changes == {
        "precision": "exact",
        "location": [-2.1301, 51.6512],
    }


def test_an_exact_entry_is_still_suggested_from_its_address(client_for, make_entry):
    entry = make_entry(lon=LON, lat=LAT, address=ADDRESS, postcode=POSTCODE)
    body = client_for("resident").get(f"/entries/{entry.slug}/suggest/").content.decode()
    assert ADDRESS in body and POSTCODE in body and "51.654321" in body


# 2. "Is it one of these?"


@pytest.fixture
def pending_orchard(make_entry, people):
    return make_entry(
        name="Alice Pending Orchard",
        lon=-2.2426,
        lat=53.4668,
        status="pending",
        author=people["owner"],
    )


@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_the_duplicate_check_never_lists_someone_elses_pending_entry(
    client_for, pending_orchard, entry_form, role
):
    form = {**entry_form, "name": "Pending Orchard"}
    response = client_for(role).post("/entries/new/", form)
    body = response.content.decode()
    assert "Alice Pending Orchard" not in body and pending_orchard.slug not in body
    assert "Is it one of these?" not in body


@pytest.mark.parametrize("role", ["owner", "moderator"])
def test_the_owner_and_moderators_are_shown_the_pending_entry(
    client_for, pending_orchard, entry_form, role
):
    response = client_for(role).post("/entries/new/", {**entry_form, "name": "Pending Orchard"})
    body = response.content.decode()
    assert "Alice Pending Orchard" in body and "awaiting review" in body


@pytest.mark.parametrize(
    "precision,label", [("approximate", "nearby, location approximate"), ("area", "in this area")]
)
def test_a_withheld_duplicate_is_listed_without_metres(
    client_for, withheld, entry_form, precision, label
):
    entry = withheld(precision)
    point = entry.public_point
    form = {
        **entry_form,
        "name": "Secret Shelter",
        "longitude": f"{point.x + 0.0003:.6f}",
        "latitude": f"{point.y:.6f}",
    }
    body = client_for("resident").post("/entries/new/", form).content.decode()
    assert "Is it one of these?" in body and f"/entries/{entry.slug}/" in body
    assert label in body and " m away" not in body


def test_an_exact_duplicate_still_says_how_far_away_it_is(client_for, make_entry, entry_form):
    make_entry(name="Hulme Garden", lon=-2.2426, lat=53.4677)
    body = client_for("resident").post("/entries/new/", entry_form).content.decode()
    assert re.search(r"\(\d+ m away\)", body)


# 3. Tags


@pytest.fixture
def tagged(make_entry):
    make_entry(name="Public", tags=["growing"])
    for status in ("pending", "rejected", "archived"):
        make_entry(name=f"Hidden {status}", status=status, tags=[f"spam-{status}", "growing"])


def test_the_api_lists_only_tags_of_published_entries(api, tagged):
    status, body, _ = api("/api/v1/tags/")
    assert status == 200 and body == [{"slug": "growing", "name": "growing", "entry_count": 1}]


def test_the_list_page_offers_only_tags_of_published_entries(client, tagged):
    body = client.get("/entries/").content.decode()
    assert 'value="growing"' in body and "spam-" not in body


@pytest.mark.parametrize("door", ["/entries/", "/api/v1/entries/"])
def test_an_unpublished_tag_is_as_unknown_to_the_filters_as_a_made_up_one(client, tagged, door):
    unpublished = client.get(door, {"tag": "spam-pending"})
    made_up = client.get(door, {"tag": "never-used"})
    assert unpublished.status_code == made_up.status_code == 400


def test_a_submission_that_fails_validation_leaves_no_new_tags(client_for, entry_form):
    # The form accepts a 300-character email; the model's 254-character limit refuses it.
    too_long = "a" * 280 + "@example.org"
    form = {**entry_form, "tags": "brand-new-tag", "email": too_long}
    response = client_for("resident").post("/entries/new/", form)
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert not Entry.objects.exists() and not Tag.objects.exists()


def test_an_api_submission_that_fails_validation_leaves_no_new_tags(people):
    token = Token.objects.create(user=people["resident"]).key
    body = {
        "name": "Tool Library",
        "category": "commoning",
        "geometry": {"type": "Point", "coordinates": [-2.2889, 53.4875]},
        "tags": ["brand-new-tag"],
        "email": "a" * 280 + "@example.org",
    }
    response = Client().post(
        "/api/v1/entries/",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 400 and "email" in response.json()
    assert not Entry.objects.exists() and not Tag.objects.exists()


def test_tags_are_created_in_the_entrys_transaction(people, category):
    from django.contrib.gis.geos import Point

    data = {"name": "   ", "category": category, "location": Point(-2.0, 51.0, srid=4326)}
    with pytest.raises(ValidationError):
        services.entry_submit(author=people["resident"], data=data, tag_names=["orphan"])
    entry = services.entry_submit(
        author=people["resident"], data={**data, "name": "Kept"}, tag_names=["kept"]
    )
    with pytest.raises(ValidationError):
        services.entry_edit(
            entry=entry,
            editor=people["resident"],
            data={"name": ""},
            expected_version=1,
            tag_names=["orphan"],
        )
    assert list(Tag.objects.values_list("slug", flat=True)) == ["kept"]
