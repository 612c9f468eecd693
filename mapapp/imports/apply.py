"""Applying a reviewed plan: the file read again, each row decided again and checked against
what the person confirmed, and written through the entry services in ONE transaction.

Any difference from the plan (another import of the source applied since, a row's entry edited
on Commons Map since, the file changed) fails the run with a message and rolls everything
back: nothing is ever partly imported. For 100,000 rows that is one long transaction (minutes,
and on SpatiaLite it holds the database's write lock throughout): the price of never leaving
half a list on the map. Progress is noted beside the file meanwhile (storage.write_progress),
since the transaction's own writes are invisible to the page polling for them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mapapp import permissions, services
from mapapp.imports import storage
from mapapp.imports.formats import ImportFileError
from mapapp.imports.locate import Locator
from mapapp.imports.mapping import Mapper
from mapapp.imports.plan import (
    PROGRESS_EVERY,
    StalePlan,
    decide,
    line_count,
    planned_lines,
    survey,
)
from mapapp.models import Entry, ImportedRecord, ImportPlanLine, ImportRun, ImportSource
from mapapp.services.aggregates import bump_version, upkeep_in_bulk
from mapapp.services.entries import StaleVersion, entry_set_status
from mapapp.services.follows import announcing_in_bulk

RECORD_BATCH = 500


def apply_run(run_id, on_progress=None):
    """Job: apply a run being applied (import_confirm), or fail it with a message, writing
    nothing; the file is deleted once the run is applied. on_progress(done, total) is told
    as rows are written."""
    run = ImportRun.objects.select_related("source", "category", "confirmed_by").get(pk=run_id)
    if run.status != ImportRun.Status.APPLYING:
        return None
    stored = run.stored_file
    try:
        # The aggregates kept in bulk at the end: a long apply holds no cell, tag count or
        # version row, which other public writes in its categories wait for, until then.
        with transaction.atomic(), upkeep_in_bulk():
            counts = _apply(run, on_progress)
    except (StalePlan, ImportFileError, ValidationError, StaleVersion, FileNotFoundError) as error:
        _failed(run, error)
        return None
    if counts is not None:
        storage.delete(stored)
    return counts


def _failed(run, error):
    # Only a run still being applied fails: a twin delivery must not undo an applied one.
    if not ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.APPLYING).exists():
        return
    if isinstance(error, ValidationError):
        message = "; ".join(error.messages)
    elif isinstance(error, StaleVersion):
        message = f"{error} Someone edited it since the plan: plan again."
    elif isinstance(error, FileNotFoundError):
        message = "The uploaded file is gone: upload it again."
    else:
        message = str(error)
    run.status, run.error, run.finished_at = ImportRun.Status.FAILED, message[:2000], timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "updated_at"])


def _apply(run, on_progress):
    # Lock the run, then its source: a job delivered twice (its worker outlived the job's
    # lock) waits here and finds the run applied; two runs of one source applied at once would
    # each see the other's rows as new.
    if ImportRun.objects.select_for_update().get(pk=run.pk).status != ImportRun.Status.APPLYING:
        return None
    source = ImportSource.objects.select_for_update().get(pk=run.source_id)
    report = run.report
    if source.records_version != report.get("records_version"):
        raise StalePlan("Another import of this source was applied since this plan: plan again.")
    lines = line_count(report)
    if ImportPlanLine.objects.filter(run=run).count() != lines:
        raise StalePlan("The dry run's report is incomplete: plan again.")
    writer = Writer(run, source)
    mapper = Mapper(mapping=run.mapping, id_column=run.id_column, category=run.category)
    total, _box, repeated = survey(run, mapper)
    locator = Locator(box=report.get("box"), geocoded=dict(report.get("geocoded", {})))
    planned = planned_lines(run)
    with announcing_in_bulk():
        for done, decision in enumerate(
            decide(run, mapper, locator, repeated, duplicates=False), start=1
        ):
            writer.write(decision, next(planned, None))
            if done % PROGRESS_EVERY == 0:
                storage.write_progress(run.stored_file, done, lines)
                if on_progress:
                    on_progress(done, lines)
        if next(planned, None) is not None:
            raise StalePlan("The file has fewer rows than when it was planned: plan again.")
        writer.flush()
    if set(writer.counts) - {"unchanged", "conflict"}:
        # Provenance is written beside the services (_stamp): cached reads must see it too.
        bump_version()
    now = timezone.now()
    source.records_version += 1
    source.last_imported_at = now
    source.save(update_fields=["records_version", "last_imported_at"])
    run.status, run.finished_at, run.stored_file = ImportRun.Status.APPLIED, now, ""
    run.progress_done = run.progress_total = lines
    run.report = {**report, "applied": writer.counts, "applied_at": now.isoformat()}
    run.save()
    return writer.counts


class Writer:
    """Writes each decision as the plan had it, through the entry services."""

    def __init__(self, run, source):
        self.run, self.source, self.user = run, source, run.confirmed_by
        self.now = timezone.now()
        publish = run.publish and permissions.can_publish_import(self.user)
        self.status = Entry.Status.PUBLISHED if publish else Entry.Status.PENDING
        self.new_records = []
        self.counts = {}

    def write(self, decision, planned):
        _check(decision, planned)
        if planned["action"] == "reject":
            return
        getattr(self, f"_{decision.action}", lambda d: None)(decision)
        self.counts[decision.action] = self.counts.get(decision.action, 0) + 1

    def _create(self, decision):
        mapped = decision.mapped
        data = {**mapped.data, "status": self.status, **self._provenance(decision)}
        entry = services.entry_create(
            author=None, editor=self.user, data=data, tag_names=mapped.tag_names or ()
        )
        self.new_records.append(
            ImportedRecord(
                source=self.source,
                row_id=decision.row_id,
                entry=entry,
                content_hash=decision.content_hash,
                entry_version=entry.version,
                imported_at=self.now,
            )
        )
        if len(self.new_records) >= RECORD_BATCH:
            self.flush()

    def _update(self, decision):
        mapped = decision.mapped
        if not set(decision.changes) - {"licence"}:
            # Only the licence (provenance, not an edit: no version, no history row).
            self._stamp(decision, decision.entry)
            return
        entry = services.entry_update(
            entry=decision.entry,
            data=dict(mapped.data),
            expected_version=decision.entry.version,
            tag_names=mapped.tag_names,
            editor=self.user,
        )
        self._stamp(decision, entry)

    def _restore(self, decision):
        if decision.changes:
            self._update(decision)
        entry = Entry.objects.select_for_update().get(pk=decision.entry.pk)
        entry = entry_set_status(entry=entry, status=self.status, editor=self.user)
        self._stamp(decision, entry)

    def _archive(self, decision):
        entry = Entry.objects.select_for_update().get(pk=decision.entry.pk)
        entry = entry_set_status(entry=entry, status=Entry.Status.ARCHIVED, editor=self.user)
        ImportedRecord.objects.filter(pk=decision.record.pk).update(entry_version=entry.version)

    def _unchanged(self, decision):
        if decision.record.content_hash != decision.content_hash:
            # Only the file's wording changed (no field did): the record follows it.
            ImportedRecord.objects.filter(pk=decision.record.pk).update(
                content_hash=decision.content_hash
            )

    def _provenance(self, decision):
        own = "" if decision.row_id.startswith("hash:") else decision.row_id
        return {
            "source": self.source.name,
            "licence": self.source.licence,
            "source_row_id": own[:255],
            "imported_at": self.now,
        }

    def _stamp(self, decision, entry):
        """The entry's provenance and its record brought up to this import (not an edit: no
        version, no history row of their own)."""
        Entry.objects.filter(pk=entry.pk).update(**self._provenance(decision))
        ImportedRecord.objects.filter(pk=decision.record.pk).update(
            content_hash=decision.content_hash, entry_version=entry.version, imported_at=self.now
        )

    def flush(self):
        ImportedRecord.objects.bulk_create(self.new_records, batch_size=RECORD_BATCH)
        self.new_records = []


def _check(decision, planned):
    """Refuse, with StalePlan, a decision other than the one the person reviewed."""
    where = f"row {decision.number}" if decision.number else f"record {decision.row_id!r}"
    if planned is None or planned.get("row") != decision.number:
        raise StalePlan(f"The file changed since it was planned (at {where}): plan again.")
    if planned["action"] == "reject":
        return
    if planned.get("fp") != decision.fingerprint:
        raise StalePlan(
            f"{where.capitalize()} ({decision.name}) changed since the plan, on Commons Map or "
            "in the file: plan again."
        )
