"""The dry run's lines: one ImportPlanLine per row and per archived record, written as the rows
are planned (the run's report keeps only totals), read back a page at a time by the apply, which
refuses a plan whose lines were changed or lost, and swept with abandoned and failed runs."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from mapapp.imports import plan
from mapapp.models import Entry, ImportedRecord, ImportPlanLine, ImportRun
from mapapp.services import imports
from tests.importing import applied, fixture, planned

GARDENS = fixture("pipeline-gardens.csv")
HEADER = "id,Name,lat,lon,Town,Category,Website,Tags\n"
REPORT_KEYS = {"total", "counts", "flagged", "box", "geocoded", "records_version", "planned_at"}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def many(count, start=0):
    """A list of count gardens with ids g<n>, one every few hundred metres."""
    lines = [
        f"g{n},Garden {n},{53.0 + n / 1000:.4f},-1.5000,Leeds,commoning,,\n"
        for n in range(start, start + count)
    ]
    return HEADER + "".join(lines)


def test_a_plan_stores_one_line_per_row_in_file_order_and_its_report_holds_no_rows(moderator):
    run = planned(moderator, many(3) + "g9,,53.1,-1.5,Leeds,commoning,,\n")
    lines = ImportPlanLine.objects.filter(run=run).order_by("position")
    assert [(n.position, n.row, n.action) for n in lines] == [
        (0, 2, "create"), (1, 3, "create"), (2, 4, "create"), (3, 5, "reject"),
    ]  # fmt: skip
    assert lines[0].line["name"] == "Garden 0" and "fp" in lines[0].line
    assert "name" in lines[3].line["problems"]
    assert set(run.report) == REPORT_KEYS
    assert run.report["counts"]["create"] == 3 and run.report["total"] == 4


def test_an_archived_record_is_a_line_after_the_rows_without_a_row_number(moderator):
    first = applied(moderator, planned(moderator, GARDENS))
    fewer = b"\n".join(GARDENS.splitlines()[:3])
    again = planned(moderator, fewer, source=first.source)
    last = ImportPlanLine.objects.filter(run=again).order_by("position").last()
    assert (last.position, last.row, last.action) == (2, None, "archive")
    assert last.line["id"] == "g3"


def test_a_plan_of_more_rows_than_a_batch_writes_every_line_once(moderator, monkeypatch):
    monkeypatch.setattr(plan, "BATCH", 4)
    run = planned(moderator, many(10))
    positions = list(run.plan_lines.values_list("position", flat=True))
    assert sorted(positions) == list(range(10))
    assert [line["row"] for line in plan.planned_lines(run)] == list(range(2, 12))


def test_planning_a_run_again_replaces_its_lines(moderator):
    run = planned(moderator, GARDENS)
    old = set(run.plan_lines.values_list("pk", flat=True))
    by_town = {"Name": "name", "Town": "place", "Category": "category"}
    again = imports.import_map(
        run=run, user=moderator, mapping=by_town, id_column="id", inline=True
    )
    assert again.status == ImportRun.Status.PLANNED
    lines = list(again.plan_lines.order_by("position"))
    assert len(lines) == 3 and not old & {line.pk for line in lines}
    assert all(line.line.get("flags") for line in lines)  # placed by town: the new mapping's


def test_an_apply_reads_the_lines_in_pages_and_writes_every_row(moderator, monkeypatch):
    monkeypatch.setattr(plan, "BATCH", 4)
    run = applied(moderator, planned(moderator, many(10)))
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert run.report["applied"] == {"create": 10}
    assert Entry.objects.count() == 10
    # An applied run keeps its lines: its page lists what was done.
    assert run.plan_lines.count() == 10


def test_an_apply_after_a_line_was_tampered_with_fails_as_stale_and_writes_nothing(moderator):
    run = planned(moderator, GARDENS)
    line = run.plan_lines.get(position=1)
    line.line = {**line.line, "fp": "0" * 16}
    line.save()
    failed = applied(moderator, run)
    assert failed.status == ImportRun.Status.FAILED
    assert "Row 3 (Easton Tool Library) changed since the plan" in failed.error
    assert "plan again" in failed.error
    assert not Entry.objects.exists() and not ImportedRecord.objects.exists()


def test_an_apply_after_a_lines_row_was_changed_fails_as_stale(moderator):
    run = planned(moderator, GARDENS)
    line = run.plan_lines.get(position=2)
    line.line = {**line.line, "row": 9}
    line.save()
    failed = applied(moderator, run)
    assert failed.status == ImportRun.Status.FAILED
    assert failed.error == "The file changed since it was planned (at row 4): plan again."
    assert not Entry.objects.exists()


@pytest.mark.parametrize("position", [0, 2])
def test_an_apply_after_a_line_was_deleted_fails_as_stale_and_writes_nothing(moderator, position):
    run = planned(moderator, GARDENS)
    run.plan_lines.filter(position=position).delete()
    failed = applied(moderator, run)
    assert failed.status == ImportRun.Status.FAILED
    assert failed.error == "The dry run's report is incomplete: plan again."
    assert not Entry.objects.exists() and not ImportedRecord.objects.exists()


def test_an_apply_of_a_file_grown_since_the_plan_fails_as_stale(moderator):
    from mapapp.imports import storage

    run = planned(moderator, GARDENS)
    grown = GARDENS + b"g4,Harehills Pantry,53.81,-1.51,Leeds,commoning,,\n"
    storage.path_of(run.stored_file).write_bytes(grown)
    failed = applied(moderator, run)
    assert failed.status == ImportRun.Status.FAILED
    assert "(at row 5): plan again" in failed.error
    assert not Entry.objects.exists()


def test_retention_sweeps_the_lines_of_idle_abandoned_and_failed_runs_only(moderator, settings):
    settings.IMPORT_RETENTION_HOURS = 72
    long_ago = timezone.now() - timedelta(hours=73)
    kept_applied = applied(moderator, planned(moderator, GARDENS))
    idle_planned = planned(moderator, many(2, start=10), name="Idle list")
    abandoned = planned(moderator, many(2, start=20), name="Abandoned list")
    imports.import_abandon(run=abandoned, user=moderator)
    failed = planned(moderator, many(2, start=30), name="Failed list")
    failed.plan_lines.filter(position=0).delete()
    assert applied(moderator, failed).status == ImportRun.Status.FAILED
    fresh_abandoned = planned(moderator, many(2, start=40), name="Fresh list")
    imports.import_abandon(run=fresh_abandoned, user=moderator)
    old = [kept_applied, idle_planned, abandoned, failed]
    ImportRun.objects.filter(pk__in=[r.pk for r in old]).update(updated_at=long_ago)
    imports.import_files_expire()
    left = dict(ImportRun.objects.values_list("pk").annotate(n=Count("plan_lines")))
    assert left[kept_applied.pk] == 3
    assert left[idle_planned.pk] == 0  # abandoned by this sweep, its lines with it
    assert left[abandoned.pk] == 0 and left[failed.pk] == 0
    assert left[fresh_abandoned.pk] == 2  # not idle long enough yet


def test_deleting_a_run_deletes_its_lines(moderator):
    run = planned(moderator, GARDENS)
    ImportRun.objects.filter(pk=run.pk).delete()
    assert not ImportPlanLine.objects.exists()
