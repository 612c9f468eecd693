"""Migration 0008: entries' threats become cases, and nothing of the old record is lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("mapapp", "0007_entry_founded_on")]
AFTER = [("mapapp", "0008_threat_cases")]

LONG_NOTE = (
    "The council plans to close the library in April.\n"
    "A consultation runs until March; the friends' group is gathering responses."
)


def migrate(targets):
    """The app state at targets, after migrating the test database there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    """The models as they were before 0008; the database is migrated forward again after."""
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_entry(apps, name, threat, note=""):
    from django.contrib.gis.geos import Point

    entry_model = apps.get_model("mapapp", "Entry")
    # Seeded by migration 0002, unless a transactional test flushed the table since.
    category, _ = apps.get_model("mapapp", "Category").objects.get_or_create(
        slug="commoning", defaults={"name": "Commoning"}
    )
    point = Point(-2.5879, 51.4545, srid=4326)
    return entry_model.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        category=category,
        location=point,
        public_point=point,
        status="published",
        threat=threat,
        threat_note=note,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entries_threats_become_cases_with_their_notes_and_history(old_apps):
    at_risk = old_entry(old_apps, "Moss Lane Library", "at_risk", LONG_NOTE)
    lost = old_entry(old_apps, "Old Baths", "lost", "Sold to a developer.")
    bare = old_entry(old_apps, "Quiet Park", "at_risk")
    safe = old_entry(old_apps, "Town Garden", "none")

    apps = migrate(AFTER)
    case_model = apps.get_model("mapapp", "ThreatCase")
    entry_model = apps.get_model("mapapp", "Entry")

    active = case_model.objects.get(entry_id=at_risk.pk)
    assert (active.status, active.review, active.closed_on) == ("active", "accepted", None)
    assert active.title == "The council plans to close the library in April."
    assert active.summary == LONG_NOTE
    gone = case_model.objects.get(entry_id=lost.pk)
    assert (gone.status, gone.summary) == ("lost", "Sold to a developer.")
    assert gone.closed_on == gone.opened_on
    assert case_model.objects.get(entry_id=bare.pk).title == "Under threat"
    assert not case_model.objects.filter(entry_id=safe.pk).exists()

    history = apps.get_model("mapapp", "HistoricalThreatCase")
    record = history.objects.get(id=active.pk)
    assert (record.history_type, record.status) == ("+", "active")
    assert history.objects.count() == 3

    # The entries keep the threat and note they had: now derived, the same values.
    kept = entry_model.objects.get(pk=at_risk.pk)
    assert (kept.threat, kept.threat_note) == ("at_risk", LONG_NOTE)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_seeds_the_deadline_rules(old_apps):
    apps = migrate(AFTER)
    rules = {r.name: r for r in apps.get_model("mapapp", "DeadlineRule").objects.all()}
    assert (rules["Interim moratorium ends"].amount, rules["Interim moratorium ends"].unit) == (
        6,
        "weeks",
    )
    assert (rules["Full moratorium ends"].amount, rules["Full moratorium ends"].unit) == (
        6,
        "months",
    )
    assert rules["Protected period ends"].amount == 18
    assert rules["Asset of Community Value listing expires"].unit == "years"
    assert rules["Consultation closes"].trigger == "consultation_closes"
    assert all(r.active for r in rules.values())


def test_the_migrated_cases_pass_their_own_validation(make_entry):
    """A case built as the migration builds it is valid under today's rules."""
    from importlib import import_module

    from django.apps import apps

    from mapapp.models import Entry, ThreatCase

    entry = make_entry(name="Moss Lane Library")
    Entry.objects.filter(pk=entry.pk).update(threat="at_risk", threat_note=LONG_NOTE)
    import_module("mapapp.migrations.0008_threat_cases").cases_from_threats(apps, None)
    ThreatCase.objects.get(entry=entry).full_clean()
