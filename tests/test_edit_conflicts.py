"""Concurrent edits never silently overwrite each other."""

import pytest

from mapapp import services
from mapapp.models import Entry


def form_for(entry, **changes):
    data = {
        "name": entry.name,
        "category": entry.category.slug,
        "longitude": entry.location.x,
        "latitude": entry.location.y,
        "precision": entry.precision,
        "threat": entry.threat,
        "version": entry.version,
    }
    data.update(changes)
    return data


def test_two_edits_from_the_same_version_one_wins_one_conflicts(make_entry, people):
    entry = make_entry(author=people["owner"], name="Start")
    services.entry_edit(
        entry=entry, editor=people["owner"], data={"name": "First"}, expected_version=1
    )
    with pytest.raises(services.StaleVersion) as stale:
        services.entry_edit(
            entry=entry, editor=people["moderator"], data={"name": "Second"}, expected_version=1
        )
    assert stale.value.entry.name == "First"
    assert Entry.objects.get(pk=entry.pk).name == "First"


def test_a_stale_form_save_shows_what_changed_and_keeps_the_other_edit(
    make_entry, people, client_for
):
    entry = make_entry(author=people["owner"], name="Start", opening_times="Mon")
    stale_form = form_for(entry, name="Mine")
    client_for("moderator").post(
        f"/entries/{entry.slug}/edit/", form_for(entry, opening_times="Tue")
    )
    response = client_for("owner").post(f"/entries/{entry.slug}/edit/", stale_form)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this entry" in body and "Tue" in body
    entry.refresh_from_db()
    assert (entry.name, entry.opening_times, entry.version) == ("Start", "Tue", 2)


def test_owners_edit_directly(make_entry, people, client_for):
    entry = make_entry(author=people["owner"], name="Start")
    response = client_for("owner").post(
        f"/entries/{entry.slug}/edit/", form_for(entry, name="Better")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "Better" and entry.version == 2


def test_an_edit_with_bad_input_changes_nothing(make_entry, people, client_for):
    entry = make_entry(author=people["owner"], name="Start")
    response = client_for("owner").post(
        f"/entries/{entry.slug}/edit/", form_for(entry, name="X", latitude="95")
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.name == "Start" and entry.version == 1
