"""The public history lists what django-simple-history's diff_against finds changed, named by
the model's verbose names, and never shows a value."""

from django.contrib.gis.geos import Point
from django.test import Client
from django.utils.text import capfirst

from mapapp import services
from mapapp.models import Category, Entry, ModerationDecision
from mapapp.reads import history


def edit(entry, editor, **data):
    return services.entry_edit(
        entry=entry, editor=editor, data=data, expected_version=entry.version
    )


def history_page(entry):
    return Client().get(entry.get_absolute_url() + "history/").content.decode()


def test_each_version_lists_the_fields_diff_against_finds_changed(make_entry, people):
    entry = make_entry(author=people["owner"], name="Cafe")
    entry = edit(entry, people["owner"], category=Category.objects.get(slug="public-goods"))
    older, newer = entry.history.order_by("history_id")
    delta = newer.diff_against(older)
    assert delta.changed_fields == ["category"]
    versions = history.entry_versions(entry)
    assert [v["changed"] for v in versions] == [["Category"], ["Created"]]
    assert "Category" in history_page(entry)


def test_labels_are_the_models_verbose_names(make_entry, people):
    entry = make_entry(author=people["owner"])
    edit(entry, people["owner"], opening_times="Fridays", locality="Hulme")
    [latest, _] = history.entry_versions(entry)
    expected = [
        capfirst(Entry._meta.get_field(name).verbose_name) for name in ("locality", "opening_times")
    ]
    assert latest["changed"] == expected


def test_a_moderators_decision_shows_as_a_status_change(make_entry, people):
    entry = make_entry(author=people["owner"], status=Entry.Status.PUBLISHED)
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.ARCHIVE
    )
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.PUBLISH
    )
    changed = [v["changed"] for v in history.entry_versions(entry)]
    assert changed == [["Status"], ["Status"], ["Created"]]


def test_a_change_made_in_the_admin_is_listed_too(make_entry, people):
    """The fields come from the model, not a hand-written list: the licence counts."""
    entry = make_entry(author=people["owner"])
    entry.licence = "CC0-1.0"
    services.entry_save_from_admin(
        entry=entry, editor=people["superuser"], expected_version=entry.version
    )
    assert history.entry_versions(entry)[0]["changed"] == ["Licence"]


def test_a_moved_withheld_location_shows_only_that_it_moved(make_entry, people):
    entry = make_entry(author=people["owner"], precision=Entry.Precision.APPROXIMATE)
    edit(entry, people["owner"], location=Point(-2.123457, 51.654321, srid=4326))
    body = history_page(entry)
    assert "Location" in body
    assert "2.123457" not in body and "51.654321" not in body
    assert "2.5879" not in body and "51.4545" not in body


def test_the_editors_display_name_is_the_only_trace_of_them(make_entry, people):
    services.profile_update(user=people["owner"], display_name="Sam")
    entry = make_entry(author=people["owner"])
    entry = edit(entry, people["owner"], name="Renamed")
    edit(entry, people["moderator"], summary="Moderated")
    assert [v["by"] for v in history.entry_versions(entry)] == ["", "Sam", "Sam"]


def test_an_edit_conflict_lists_what_changed_since_the_editors_version(make_entry, people):
    entry = make_entry(author=people["owner"], name="Cafe", summary="Old")
    entry = edit(entry, people["moderator"], name="Café", summary="New")
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.ARCHIVE
    )
    entry.refresh_from_db()
    assert history.changes_since(entry, 1) == [("Name", "Café"), ("Summary", "New")]


def test_no_record_of_the_editors_version_means_no_listed_changes(make_entry):
    entry = make_entry()
    assert history.changes_since(entry, 99) == []
