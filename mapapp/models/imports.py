"""Imports: a source is a list someone keeps elsewhere; a run is one upload of it, planned
(a dry run that writes nothing), reviewed, and applied or abandoned; a record ties one row
of a source to the entry it became."""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.serializers.json import DjangoJSONEncoder

from mapapp.models import bounded_text

# Excel allows 31 characters in a sheet's name; OpenDocument sets no limit.
SHEET_MAX_CHARS = 200


class ImportSource(models.Model):
    """A list imported again and again: its licence, and how its columns become entries."""

    # The entry's own source column names the list, so the two share a limit.
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)
    # Entry.licence holds it on every entry imported, so it shares that field's limit.
    licence = models.CharField(
        max_length=40, help_text="An SPDX identifier (CC-BY-4.0, ODbL-1.0) or a short name."
    )
    format = models.CharField(max_length=20, blank=True)
    # Blank: rows are told apart by a hash of their mapped content.
    id_column = models.CharField(max_length=200, blank=True)
    # {column: entry field}, the last mapping used, offered again for the next upload.
    mapping = models.JSONField(default=dict, blank=True)
    # A category for every row, when no column names one.
    category = models.ForeignKey(
        "mapapp.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    encoding = models.CharField(max_length=20, blank=True)
    # The workbook sheet read last time, read again when the next upload has it.
    sheet = models.CharField(max_length=SHEET_MAX_CHARS, blank=True)
    # Private: who first imported it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    # Counts applied runs: a plan made at one count is stale once another run is applied.
    records_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ImportRun(models.Model):
    """One uploaded file of a source, on its way from upload to applied (or abandoned)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded: choose how its columns map"
        PLANNING = "planning", "Checking every row (dry run)"
        PLANNED = "planned", "Checked: review the plan and confirm"
        APPLYING = "applying", "Importing"
        APPLIED = "applied", "Imported"
        ABANDONED = "abandoned", "Abandoned"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="runs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Private: relative to IMPORT_ROOT, which no URL serves; emptied once the file is deleted.
    stored_file = models.CharField(max_length=255, blank=True)
    original_filename = models.CharField(max_length=255)
    format = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    # The workbook's sheet read (blank for formats without sheets).
    sheet = models.CharField(max_length=SHEET_MAX_CHARS, blank=True)
    # {"columns": [...], "rows": [[...], ...], "sheets": [...]}: the header and the first rows,
    # for mapping, and a workbook's visible sheets when it has more than one.
    preview = models.JSONField(default=dict, blank=True)
    # What this run maps with (the source keeps a copy for the next upload).
    mapping = models.JSONField(default=dict, blank=True)
    id_column = models.CharField(max_length=200, blank=True)
    category = models.ForeignKey(
        "mapapp.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    publish = models.BooleanField(default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The dry run's totals: counts per action, flagged rows, the box and geocoded places the
    # apply locates with; its per-row lines are ImportPlanLines (and, once applied, "applied").
    report = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = bounded_text(2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched by every step and progress write: retention deletes files of idle runs.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "updated_at"], name="import_run_idle_idx")]

    def __str__(self):
        return f"{self.source} ({self.original_filename})"

    @property
    def is_finished(self):
        return self.status in {self.Status.APPLIED, self.Status.ABANDONED, self.Status.FAILED}


class ImportedRecord(models.Model):
    """One row of a source and the entry it became, as the last applied import left them."""

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="records")
    # The id column's value, or "hash:<content hash>" for sources without one.
    row_id = models.CharField(max_length=255)
    entry = models.ForeignKey(
        "mapapp.Entry", on_delete=models.CASCADE, related_name="imported_records"
    )
    content_hash = models.CharField(max_length=64)
    # The entry's version after the import wrote it: a higher one means a person edited it.
    entry_version = models.PositiveIntegerField()
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["source", "row_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "row_id"], name="imported_record_row_once")
        ]

    def __str__(self):
        return f"{self.source} row {self.row_id}"


class ImportPlanLine(models.Model):
    """One line of a run's dry-run report: a row of the file, or one of the source's records
    to archive. Kept with an applied run (its page lists them); the retention job deletes
    those of abandoned and failed runs, and planning a run again replaces its own."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="plan_lines")
    # The plan's order: the file's rows as read, then the archived records.
    position = models.PositiveIntegerField()
    # The row's number in its sheet; null for a record archived because its row is gone.
    row = models.PositiveIntegerField(null=True, blank=True)
    action = models.CharField(max_length=10)
    # The compact line the plan made (mapapp.imports.plan.Decision.summary), as it made it.
    line = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="import_plan_line_once")
        ]
        # The report page lists one action's lines in order.
        indexes = [
            models.Index(fields=["run", "action", "position"], name="import_plan_line_action_idx")
        ]

    def __str__(self):
        return f"{self.run_id} line {self.position} ({self.action})"
