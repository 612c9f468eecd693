"""Imports: the steps a person takes a list through, from upload to applied or abandoned.

upload (the file is stored privately and its first rows previewed) → map (columns to entry
fields; a dry-run job plans every row) → confirm (a job applies the plan in one transaction)
or abandon. The pages and the import_entries command both take these steps; the plan and the
apply themselves live in mapapp.imports.plan and mapapp.imports.apply. Both jobs run under
IMPORT_TIMEOUT_SECONDS, not the other jobs' JOB_TIMEOUT_SECONDS: 100,000 rows take minutes.
"""

import itertools
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_q.utils import get_func_repr

from mapapp import permissions
from mapapp.imports import mapping as mappings
from mapapp.imports import roundtrip, storage
from mapapp.imports.formats import ImportFileError, SheetError, read_table
from mapapp.models import Category, ImportPlanLine, ImportRun, ImportSource
from mapapp.services.jobs import attempts_of, enqueue
from mapapp.slugs import slug_for

PREVIEW_ROWS = 5
PLAN_JOB = "mapapp.imports.plan.plan_run"
APPLY_JOB = "mapapp.imports.apply.apply_run"
Status = ImportRun.Status
# A run's columns can be mapped (and the run planned again) in these.
MAPPABLE = {Status.UPLOADED, Status.PLANNED, Status.FAILED}


def _require_importer(user):
    if not permissions.can_import(user):
        raise PermissionDenied("Only trusted contributors and moderators can import lists.")


def import_upload(
    *, user, upload, filename, source=None, source_name="", licence="", encoding=None, sheet=""
):
    """Store an uploaded list privately and preview it: a new run of source, or of a new
    source named source_name under licence. A workbook's sheet is the one named, else the one
    the source's last upload read if the file has it, else its first visible sheet.
    ValidationError names what is wrong (the file's size, its format, encoding or sheet, a
    missing name or licence) and nothing is kept."""
    _require_importer(user)
    if source is None:
        source = _new_source(name=source_name, licence=licence, user=user)
    elif licence.strip():
        source.licence = licence.strip()
        source.full_clean()
    try:
        stored = storage.store(upload, filename)
    except storage.TooLarge:
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        size = f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit:,} bytes"
        raise ValidationError(
            {"upload": f"The file is larger than {size}: split it into parts."}
        ) from None
    try:
        table, preview = _preview(
            stored, filename, encoding or source.encoding or None, sheet.strip(), source.sheet
        )
        with transaction.atomic():
            source.format, source.encoding = table.format, table.encoding
            source.sheet = table.sheet
            source.save()
            run = ImportRun(
                source=source,
                uploaded_by=user,
                stored_file=stored,
                original_filename=filename[:255],
                format=table.format,
                encoding=table.encoding,
                sheet=table.sheet,
                preview=preview,
                mapping=source.mapping or mappings.guess_mapping(table.columns),
                id_column=(
                    source.id_column if source.mapping else mappings.guess_id_column(table.columns)
                ),
                category=source.category,
            )
            run.full_clean()
            run.save()
    except BaseException:
        storage.delete(stored)
        raise
    return run


def import_choose_sheet(*, run, user, sheet):
    """Preview another sheet of run's workbook, before its columns are mapped: the run reads
    that sheet from now on, mapped as the source was last if the sheet has those columns, else
    as its column names suggest. ValidationError
    names a sheet the workbook does not have, a hidden or empty one, or a run past mapping."""
    _require_importer(user)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().select_related("source").get(pk=run.pk)
        if locked.status not in {Status.UPLOADED, Status.FAILED} or not locked.stored_file:
            raise ValidationError(
                {"sheet": f"This import is {locked.get_status_display().lower()}: the sheet "
                 "can be chosen only before its dry run."}
            )  # fmt: skip
        if not locked.preview.get("sheets"):
            raise ValidationError({"sheet": "This file has no sheets to choose from."})
        # A name offered is taken as it is: sheets may differ only by their spaces.
        name = str(sheet or "")
        name = name if name in locked.preview["sheets"] else name.strip()
        if not name:
            raise ValidationError({"sheet": "Choose one of the workbook's sheets."})
        table, preview = _preview(locked.stored_file, locked.original_filename, None, name, "")
        locked.sheet, locked.preview, locked.format = table.sheet, preview, table.format
        locked.mapping, locked.id_column = _mapping_for(locked.source, table.columns)
        locked.status, locked.error = Status.UPLOADED, ""
        locked.save()
    run.refresh_from_db()
    return run


def _mapping_for(source, columns):
    """The source's last mapping and id column if columns hold every column they name, else
    a mapping and id column guessed from columns."""
    named = set(source.mapping) | ({source.id_column} if source.id_column else set())
    if source.mapping and named <= set(columns):
        return source.mapping, source.id_column
    return mappings.guess_mapping(columns), mappings.guess_id_column(columns)


def _new_source(*, name, licence, user):
    name, licence = name.strip(), licence.strip()
    errors = {}
    if not name:
        errors["source_name"] = "Name the list this file comes from (e.g. the group's name)."
    elif ImportSource.objects.filter(name__iexact=name).exists():
        errors["source_name"] = f"A source named {name!r} exists: choose it to import again."
    if not licence:
        errors["licence"] = "Give the licence the list is published under (e.g. CC-BY-4.0)."
    if errors:
        raise ValidationError(errors)
    source = ImportSource(name=name, slug=_free_source_slug(name), licence=licence, created_by=user)
    source.full_clean()
    return source


def _free_source_slug(name):
    base = slug_for(name, fallback="source", max_length=200)
    taken = set(ImportSource.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    numbered = itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
    return next(slug for slug in numbered if slug not in taken)


def _preview(stored, filename, encoding, sheet, remembered):
    """The file read as a Table, and its preview; sheet is the one asked for (refused if the
    file has no such sheet), remembered the source's last (read only if the file has it)."""
    try:
        with open(storage.path_of(stored), "rb") as stream:
            table = _read(stream, filename, encoding, sheet, remembered)
            first = list(itertools.islice(table.rows, PREVIEW_ROWS))
    except SheetError as error:
        raise ValidationError({"sheet": str(error)}) from None
    except ImportFileError as error:
        raise ValidationError({"upload": str(error)}) from None
    if not any(table.columns):
        raise ValidationError({"upload": "The file's first row has no column names."})
    rows = [[row.cells.get(column, "") for column in table.columns] for row in first]
    # Whether the format places rows itself (GeoJSON and the map exports do).
    geometry = any(row.geometry for row in first)
    preview = {"columns": table.columns, "rows": rows, "geometry": geometry}
    if len(table.sheets) > 1:
        # Kept whichever sheet is read, so the mapping step can offer the others.
        preview["sheets"] = table.sheets
    return table, preview


def _read(stream, filename, encoding, sheet, remembered):
    """The Table of the sheet named; else of the source's remembered sheet, if this file has
    it and it can be read; else of the file's first visible sheet."""
    if sheet:
        return read_table(stream, filename=filename, encoding=encoding, sheet=sheet)
    if remembered:
        try:
            return read_table(stream, filename=filename, encoding=encoding, sheet=remembered)
        except SheetError:
            stream.seek(0)
    return read_table(stream, filename=filename, encoding=encoding)


def import_map(
    *,
    run,
    user,
    mapping,
    id_column="",
    category=None,
    publish=False,
    inline=False,
    on_progress=None,
):
    """Map run's columns to entry fields and plan it: a dry run (a job; inline=True runs it
    here, telling on_progress(done, total)) that reads every row and writes nothing to
    entries. The mapping, id column and category are kept on the source for its next upload.
    ValidationError names an unknown column or field, a missing name column or location, or
    an unknown category."""
    _require_importer(user)
    if run.status not in MAPPABLE or not run.stored_file:
        raise ValidationError(f"This import is {run.get_status_display().lower()}: upload again.")
    category = _category(category)
    mapping = mappings.check_mapping(
        mapping,
        columns=run.preview.get("columns", []),
        id_column=id_column,
        category=category,
        has_geometry=run.preview.get("geometry", False),
    )
    with transaction.atomic():
        # The run locked and looked at again: a form sent twice at once plans once.
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status not in MAPPABLE or not locked.stored_file:
            raise ValidationError(
                f"This import is {locked.get_status_display().lower()}: it cannot be mapped now."
            )
        source = ImportSource.objects.select_for_update().get(pk=run.source_id)
        source.mapping, source.id_column, source.category = mapping, id_column, category
        source.sheet = run.sheet
        source.save(update_fields=["mapping", "id_column", "category", "sheet"])
        run.mapping, run.id_column, run.category, run.publish = (
            mapping,
            id_column,
            category,
            bool(publish),
        )
        run.status, run.report, run.error = Status.PLANNING, {}, ""
        run.progress_done = run.progress_total = 0
        run.save()
        if not inline:
            enqueue(
                PLAN_JOB,
                run.pk,
                name=f"import-plan:{run.pk}",
                timeout=settings.IMPORT_TIMEOUT_SECONDS,
            )
    if inline:
        from mapapp.imports.plan import plan_run

        plan_run(run.pk, on_progress)
        run.refresh_from_db()
    return run


def _category(category):
    if category is None or isinstance(category, Category):
        return category
    text = str(category).strip()
    if not text:
        return None
    found = Category.objects.filter(slug__iexact=text).first()
    found = found or Category.objects.filter(name__iexact=text).first()
    if found is None:
        choices = ", ".join(Category.objects.values_list("slug", flat=True))
        raise ValidationError({"category": f"No category {text!r}: choose one of {choices}."})
    return found


def import_confirm(*, run, user, inline=False, on_progress=None):
    """A person's go-ahead for a planned run: a job (inline=True: here, telling
    on_progress(done, total)) applies it in one transaction, or fails with a message and
    writes nothing if the source or its entries changed since the plan. Entries are pending
    unless the run asked to publish and user may publish imports."""
    _require_importer(user)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != Status.PLANNED:
            raise ValidationError(
                f"Only a planned import can be confirmed; this one is "
                f"{locked.get_status_display().lower()}."
            )
        locked.status, locked.confirmed_by = Status.APPLYING, user
        locked.progress_done, locked.error = 0, ""
        locked.save(
            update_fields=["status", "confirmed_by", "progress_done", "error", "updated_at"]
        )
        if not inline:
            enqueue(
                APPLY_JOB,
                run.pk,
                name=f"import-apply:{run.pk}",
                timeout=settings.IMPORT_TIMEOUT_SECONDS,
            )
    if inline:
        from mapapp.imports.apply import apply_run

        apply_run(run.pk, on_progress)
    run.refresh_from_db()
    return run


def import_abandon(*, run, user):
    """Give up a run before it is applied: its file is deleted at once."""
    _require_importer(user)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status in {Status.APPLYING, Status.APPLIED}:
            raise ValidationError(
                "This import is being applied or was applied: it cannot be abandoned."
            )
        stored = locked.stored_file
        locked.status, locked.stored_file, locked.finished_at = (
            Status.ABANDONED,
            "",
            timezone.now(),
        )
        locked.save()
        transaction.on_commit(lambda: storage.delete(stored))
    run.refresh_from_db()
    return run


MESSAGES = {
    Status.UPLOADED: "Choose which column holds what.",
    Status.PLANNING: "Checking every row; nothing is imported yet.",
    Status.PLANNED: "Checked. Review the plan, then confirm to import.",
    Status.APPLYING: "Importing, in one go: nothing shows until every row is in.",
    Status.APPLIED: "Imported.",
    Status.ABANDONED: "Abandoned; the file was deleted.",
}


# What a run's job was doing, by the job.
STEPS = {PLAN_JOB: (Status.PLANNING, "dry run"), APPLY_JOB: (Status.APPLYING, "import")}


# How django-q2 words a job stopped at its timeout.
TIMED_OUT = "Task exceeded maximum timeout value"


def fail_given_up(sender, task, **kwargs):
    """post_execute, in the worker once a job's try is recorded: an import's dry run or apply
    stopped at its timeout (the same file would only be stopped again), or given up after
    JOB_MAX_ATTEMPTS tries, fails its run, which would otherwise say it is under way with no
    job behind it (a try of the job that comes later finds the run failed and does nothing)."""
    step = STEPS.get(get_func_repr(task.get("func")))
    if task.get("success") or step is None:
        return
    status, name = step
    if str(task.get("result", "")).startswith(TIMED_OUT):
        limit = f"{settings.IMPORT_TIMEOUT_SECONDS:,}"
        said = f"The {name} ran longer than its limit (IMPORT_TIMEOUT_SECONDS, {limit} s)"
    elif attempts_of(task["id"]) >= settings.JOB_MAX_ATTEMPTS:
        said = f"The {name} stopped after {settings.JOB_MAX_ATTEMPTS} tries without finishing"
    else:
        return
    message = (
        f"{said}; moderators see the error under Failing jobs. Nothing was imported: map the "
        "columns and try again (a long list may need a longer IMPORT_TIMEOUT_SECONDS)."
    )
    now = timezone.now()
    ImportRun.objects.filter(pk=task["args"][0], status=status).update(
        status=Status.FAILED, error=message, finished_at=now, updated_at=now
    )


def import_progress(run):
    """What a page polling a run shows: {status, done, total, percent, message}."""
    run = ImportRun.objects.get(pk=run.pk)
    done, total = run.progress_done, run.progress_total
    noted = storage.read_progress(run.stored_file) if run.status == Status.APPLYING else None
    if noted:
        done, total = noted
    if run.status in {Status.PLANNED, Status.APPLIED}:
        done = total
    percent = min(100, round(100 * done / total)) if total else 0
    message = run.error if run.status == Status.FAILED else MESSAGES[run.status]
    return {"status": run.status, "done": done, "total": total, "percent": percent,
            "message": message}  # fmt: skip


def import_files_expire(now=None):
    """Scheduled job: delete the files of runs idle for IMPORT_RETENTION_HOURS, abandoning
    the runs not yet applied, and the dry-run lines of abandoned and failed runs idle as long
    (an applied run keeps its lines: its page lists what was done); how many files were
    deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IMPORT_RETENTION_HOURS)
    idle = ImportRun.objects.filter(updated_at__lt=cutoff).exclude(stored_file="")
    # A run being applied holds its file until the apply ends (applied or failed).
    idle = idle.exclude(status=Status.APPLYING)
    deleted = 0
    for run in idle.iterator():
        storage.delete(run.stored_file)
        finished = run.status in {Status.APPLIED, Status.FAILED}
        ImportRun.objects.filter(pk=run.pk).update(
            stored_file="",
            status=run.status if finished else Status.ABANDONED,
            finished_at=run.finished_at or timezone.now(),
        )
        deleted += 1
    ImportPlanLine.objects.filter(
        run__status__in=[Status.ABANDONED, Status.FAILED], run__updated_at__lt=cutoff
    ).delete()
    return deleted


def source_export(*, source, user):
    """A source's entries in its own columns with their Commons Map ids (imports.roundtrip),
    for the people who may import: it holds row ids and, for those allowed them, exact
    locations."""
    if not permissions.can_import(user):
        raise PermissionDenied("Only trusted contributors and moderators can export a source.")
    return roundtrip.source_export(source, user=user)
