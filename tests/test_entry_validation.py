import math

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from mapapp import services
from mapapp.models import Entry


def entry_data(category, **overrides):
    data = {
        "name": "Stroud Seed Library",
        "category": category,
        "location": Point(-2.2166, 51.7458, srid=4326),
    }
    data.update(overrides)
    return data


def assert_rejected(category, field, **overrides):
    with pytest.raises(ValidationError) as caught:
        services.entry_create(author=None, data=entry_data(category, **overrides))
    assert field in caught.value.message_dict, caught.value.message_dict
    assert not Entry.objects.exists()
    return caught.value.message_dict[field]


def test_a_valid_entry_is_saved_pending_by_default(category):
    entry = services.entry_create(author=None, data=entry_data(category))
    assert entry.pk and entry.status == Entry.Status.PENDING and entry.version == 1


@pytest.mark.parametrize("name", ["", "   ", "\n\t"])
def test_it_rejects_a_blank_name(category, name):
    assert_rejected(category, "name", name=name)


@pytest.mark.parametrize("lon", [-180.01, 180.5, 999])
def test_it_rejects_longitude_out_of_range(category, lon):
    messages = assert_rejected(category, "location", location=Point(lon, 51, srid=4326))
    assert "Longitude" in messages[0]


@pytest.mark.parametrize("lat", [-90.5, 90.01])
def test_it_rejects_latitude_out_of_range(category, lat):
    messages = assert_rejected(category, "location", location=Point(0, lat, srid=4326))
    assert "Latitude" in messages[0]


def test_it_rejects_non_finite_coordinates(category):
    messages = assert_rejected(category, "location", location=Point(math.nan, 51, srid=4326))
    assert "finite" in messages[0]


def test_it_accepts_the_edges_of_the_world(category):
    entry = services.entry_create(
        author=None, data=entry_data(category, location=Point(180, -90, srid=4326))
    )
    assert (entry.location.x, entry.location.y) == (180, -90)


def test_it_rejects_a_malformed_website(category):
    assert_rejected(category, "website", website="not a url")


def test_it_rejects_a_malformed_email(category):
    assert_rejected(category, "email", email="someone-at-example")


def test_it_rejects_a_summary_over_280_characters(category):
    assert_rejected(category, "summary", summary="x" * 281)


def test_a_summary_of_exactly_280_characters_is_fine(category):
    assert services.entry_create(author=None, data=entry_data(category, summary="x" * 280)).pk


def test_it_rejects_an_unknown_status(category):
    assert_rejected(category, "status", status="secret")


def test_it_rejects_an_unknown_precision(category):
    assert_rejected(category, "precision", precision="roughly")


@pytest.mark.parametrize("name", ["\u200b", "\u200d\ufeff", "\u202e \u2066", "\x7f"])
def test_a_name_of_only_invisible_characters_is_refused_as_blank(category, name):
    """Zero-width and direction marks would make an entry whose link shows nothing."""
    assert assert_rejected(category, "name", name=name) == ["Give the entry a name."]


def test_the_add_form_refuses_an_invisible_name_naming_the_field(client, category, entry_form):
    response = client.post("/entries/new/", {**entry_form, "name": "\u200b\u200b"})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not Entry.objects.exists()
