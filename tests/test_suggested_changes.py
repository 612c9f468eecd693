"""A suggestion's changes are what differs from the entry as its proposer was shown it."""

from mapapp import services
from mapapp.models import Category

SHOWN = {
    "name": "Cafe",
    "summary": "",
    "category": "commoning",
    "longitude": -2.587912,
    "latitude": 51.454513,
}


def test_what_was_shown_sent_back_unchanged_is_no_change(db):
    proposed = {**SHOWN, "category": Category(slug="commoning"), "message": "Nothing really"}
    assert services.suggested_changes(shown=SHOWN, proposed=proposed) == {}


def test_changed_fields_come_back_as_json_safe_values(category):
    other = Category.objects.get(slug="public-goods")
    proposed = {**SHOWN, "name": "Café", "category": other, "tags": ["ignored"]}
    changes = services.suggested_changes(shown=SHOWN, proposed=proposed)
    assert changes == {"name": "Café", "category": "public-goods"}


def test_a_moved_pin_is_a_new_location_and_float_noise_is_not(db):
    noisy = {**SHOWN, "longitude": SHOWN["longitude"] + 1e-9}
    assert services.suggested_changes(shown=SHOWN, proposed=noisy) == {}
    moved = {**SHOWN, "latitude": 51.46}
    assert services.suggested_changes(shown=SHOWN, proposed=moved) == {
        "location": [SHOWN["longitude"], 51.46]
    }
