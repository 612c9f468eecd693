"""Applying a planned import: one transaction through the entry services, pending unless a
moderator publishes it, idempotent, never overwriting a person's edit, with its provenance on
every public surface and its file deleted afterwards."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_q.models import OrmQ

from mapapp import services
from mapapp.imports import storage
from mapapp.models import Entry, ImportedRecord, ImportRun
from mapapp.services import imports
from tests.importing import applied, fixture, planned, rows, upload

GARDENS = fixture("pipeline-gardens.csv")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def history_rows():
    return Entry.history.count()


def test_an_applied_import_creates_pending_entries_with_records_and_history(moderator):
    run = applied(moderator, planned(moderator, GARDENS))
    assert run.status == ImportRun.Status.APPLIED
    entries = Entry.objects.order_by("source_row_id")
    assert [e.source_row_id for e in entries] == ["g1", "g2", "g3"]
    assert {e.status for e in entries} == {Entry.Status.PENDING}
    assert ImportedRecord.objects.count() == 3
    hulme = entries[0]
    assert hulme.created_by is None  # an import's entries have no owner
    assert hulme.history.get().history_user == moderator
    assert (hulme.source, hulme.licence) == ("Gardens list", "CC-BY-4.0")
    assert sorted(hulme.tag_slugs.split()) == ["food", "growing"]
    assert hulme.category.slug == "commoning"


def test_a_moderator_may_publish_an_import(moderator):
    applied(moderator, planned(moderator, GARDENS, publish=True))
    assert set(Entry.objects.values_list("status", flat=True)) == {Entry.Status.PUBLISHED}


def test_a_trusted_contributors_import_is_pending_even_when_asked_to_publish(people, category):
    trusted = people["trusted"]
    applied(trusted, planned(trusted, GARDENS, publish=True))
    assert set(Entry.objects.values_list("status", flat=True)) == {Entry.Status.PENDING}


def test_a_resident_cannot_import(people, category):
    with pytest.raises(PermissionDenied):
        upload(people["resident"], GARDENS)


def test_a_published_import_queues_its_announcements_in_batches_not_one_job_each(moderator):
    OrmQ.objects.all().delete()
    applied(moderator, planned(moderator, GARDENS, publish=True))
    assert [q.func() for q in OrmQ.objects.all()] == [
        "mapapp.services.follows.tell_followers_batch"
    ]
    [queued] = OrmQ.objects.all()
    assert len(queued.args()[0]) == 3


def test_importing_an_unchanged_file_again_writes_nothing(moderator):
    first = applied(moderator, planned(moderator, GARDENS))
    versions = dict(Entry.objects.values_list("pk", "version"))
    before = history_rows()
    again = applied(moderator, planned(moderator, GARDENS, source=first.source))
    assert again.report["applied"] == {"unchanged": 3}
    assert history_rows() == before
    assert dict(Entry.objects.values_list("pk", "version")) == versions


def test_a_changed_file_updates_only_what_changed_with_history(moderator):
    first = applied(moderator, planned(moderator, GARDENS))
    changed = GARDENS.replace(b"https://hulme.example", b"https://hulme.example/new")
    again = applied(moderator, planned(moderator, changed, source=first.source))
    assert again.report["applied"] == {"update": 1, "unchanged": 2}
    hulme = Entry.objects.get(source_row_id="g1")
    assert (hulme.website, hulme.version) == ("https://hulme.example/new", 2)
    assert hulme.history.latest("history_id").history_user == moderator


def test_a_row_gone_from_the_file_archives_its_entry_and_returning_restores_it(moderator):
    first = applied(moderator, planned(moderator, GARDENS))
    fewer = b"\n".join(GARDENS.splitlines()[:3])
    applied(moderator, planned(moderator, fewer, source=first.source))
    assert Entry.objects.get(source_row_id="g3").status == Entry.Status.ARCHIVED
    back = applied(moderator, planned(moderator, GARDENS, source=first.source))
    assert back.report["applied"] == {"restore": 1, "unchanged": 2}
    assert Entry.objects.get(source_row_id="g3").status == Entry.Status.PENDING


def test_an_entry_a_person_edited_since_the_import_is_a_conflict_and_keeps_their_edit(moderator):
    first = applied(moderator, planned(moderator, GARDENS))
    hulme = Entry.objects.get(source_row_id="g1")
    services.entry_edit(entry=hulme, editor=moderator, data={"summary": "Raised beds"},
                        expected_version=hulme.version)  # fmt: skip
    changed = GARDENS.replace(b"https://hulme.example", b"https://hulme.example/new")
    again = planned(moderator, changed, source=first.source)
    [conflict] = rows(again, "conflict")
    assert conflict["row"] == 2 and "Edited on Commons Map" in conflict["problems"]["row"][0]
    applied(moderator, again)
    hulme.refresh_from_db()
    assert (hulme.summary, hulme.website) == ("Raised beds", "https://hulme.example")


def test_an_edit_between_the_plan_and_the_apply_fails_the_apply_and_writes_nothing(moderator):
    first = applied(moderator, planned(moderator, GARDENS))
    changed = GARDENS.replace(b"Easton Tool Library", b"Easton Library of Things")
    plan = planned(moderator, changed.replace(b"https://hulme.example", b"https://h.example"),
                   source=first.source)  # fmt: skip
    easton = Entry.objects.get(source_row_id="g2")
    services.entry_edit(entry=easton, editor=moderator, data={"summary": "Tools to borrow"},
                        expected_version=easton.version)  # fmt: skip
    before = history_rows()
    failed = applied(moderator, plan)
    assert failed.status == ImportRun.Status.FAILED
    assert "Row 3 (Easton Library of Things) changed since the plan" in failed.error
    assert history_rows() == before
    assert Entry.objects.get(source_row_id="g1").website == "https://hulme.example"


def test_a_failure_mid_apply_leaves_nothing_imported(moderator):
    run = planned(moderator, GARDENS)
    # The file changes under the plan at its last row: the first two rows were already written.
    storage.path_of(run.stored_file).write_bytes(GARDENS.replace(b"Chapeltown", b"Harehills"))
    failed = applied(moderator, run)
    assert failed.status == ImportRun.Status.FAILED
    assert "Row 4" in failed.error and "plan again" in failed.error
    assert not Entry.objects.exists() and not ImportedRecord.objects.exists()
    assert history_rows() == 0
    assert failed.source.records_version == 0


def test_another_import_of_the_source_applied_since_the_plan_fails_the_apply(moderator):
    first = planned(moderator, GARDENS)
    second = planned(moderator, GARDENS, source=first.source)
    applied(moderator, second)
    failed = applied(moderator, first)
    assert failed.status == ImportRun.Status.FAILED
    assert "Another import of this source was applied since this plan" in failed.error
    assert Entry.objects.count() == 3


def test_only_a_planned_run_can_be_confirmed(moderator):
    run = upload(moderator, GARDENS)
    with pytest.raises(ValidationError, match="Only a planned import can be confirmed"):
        imports.import_confirm(run=run, user=moderator)


def test_provenance_shows_on_the_entry_page_the_api_and_the_csv_export(moderator, client):
    applied(moderator, planned(moderator, GARDENS, publish=True))
    hulme = Entry.objects.get(source_row_id="g1")
    page = client.get(hulme.get_absolute_url()).content.decode()
    today = timezone.localdate().strftime("%-d %B %Y")
    said = r"Imported from Gardens list \(row g1\), licence CC-BY-4.0, on "
    line = rf'{said}<time datetime="[^"]+">{today}</time>'
    assert re.search(line, page)
    feature = json.loads(client.get(f"/api/v1/entries/{hulme.slug}/").content)
    properties = feature["properties"]
    assert (properties["source"], properties["source_row_id"]) == ("Gardens list", "g1")
    assert properties["licence"] == "CC-BY-4.0" and properties["imported"]
    response = client.get("/api/v1/entries/", {"format": "csv"})
    exported = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(r for r in exported if r["slug"] == hulme.slug)
    assert (row["source"], row["source_row_id"], row["licence"]) == (
        "Gardens list",
        "g1",
        "CC-BY-4.0",
    )
    assert row["imported"]


def test_the_file_is_deleted_once_applied(moderator):
    run = planned(moderator, GARDENS)
    path = storage.path_of(run.stored_file)
    assert path.exists()
    applied(moderator, run)
    assert not path.exists()
    run.refresh_from_db()
    assert run.stored_file == ""


def test_the_file_is_deleted_when_the_run_is_abandoned(
    moderator, django_capture_on_commit_callbacks
):
    run = upload(moderator, GARDENS)
    path = storage.path_of(run.stored_file)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_abandon(run=run, user=moderator)
    assert not path.exists()
    assert run.status == ImportRun.Status.ABANDONED
    with pytest.raises(ValidationError):
        imports.import_map(run=run, user=moderator, mapping={"Name": "name"})


def test_files_of_runs_idle_past_the_retention_time_are_deleted(moderator, settings):
    settings.IMPORT_RETENTION_HOURS = 72
    idle, fresh = upload(moderator, GARDENS), upload(moderator, GARDENS, name="Another list")
    ImportRun.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - timedelta(hours=73))
    idle_path, fresh_path = storage.path_of(idle.stored_file), storage.path_of(fresh.stored_file)
    assert imports.import_files_expire() == 1
    assert not idle_path.exists() and fresh_path.exists()
    idle.refresh_from_db()
    assert (idle.status, idle.stored_file) == (ImportRun.Status.ABANDONED, "")


def test_the_retention_job_is_scheduled_with_the_others(db):
    from django_q.models import Schedule

    from mapapp.services.follows import ensure_schedules

    ensure_schedules()
    schedule = Schedule.objects.get(name="Import file retention")
    assert schedule.func == "mapapp.services.imports.import_files_expire"
