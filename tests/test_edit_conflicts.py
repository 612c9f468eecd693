"""Concurrent edits never silently overwrite each other."""

import pytest

from mapapp import services
from mapapp.models import Entry
from tests.concurrency import at_the_same_moment


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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_editors_saving_at_the_same_moment_get_one_save_and_one_conflict(make_entry):
    """Both read version 1 at once; the database makes one wait, so it sees version 2."""
    entry = make_entry(name="Start")

    def edit(name):
        try:
            services.entry_update(entry=entry, data={"name": name}, expected_version=1)
            return "saved"
        except services.StaleVersion as stale:
            return f"conflict at version {stale.entry.version}"

    outcomes = at_the_same_moment(Entry, edit, ["One", "Two"])
    assert sorted(outcomes) == ["conflict at version 2", "saved"]
    saved = Entry.objects.get(pk=entry.pk)
    assert saved.version == 2 and saved.name in {"One", "Two"}
    assert saved.history.count() == 2  # created, then the one edit
