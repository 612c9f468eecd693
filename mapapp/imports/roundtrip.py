"""A source's entries given back in the source's own layout: its columns, its mapping read
backwards, plus a commons_map_id column (the entry's slug). Importing that file again under
the same mapping finds nothing to change.

It is not a public download: it names the source's row ids and, for whoever may see them
(user=None: the operator at the command line), entries' exact locations. Cells a spreadsheet
would run as formulas are quoted (reads.spreadsheet), so such a cell comes back with its quote.
"""

import csv
import io

from mapapp import permissions
from mapapp.models import Entry, ImportedRecord, ImportRun
from mapapp.reads.spreadsheet import neutralise

ID_COLUMN = "commons_map_id"
BATCH = 500


def export_columns(source):
    """The columns of source's latest applied upload (mapped or not), else its mapping's, with
    its id column and commons_map_id."""
    latest = (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.APPLIED)
        .order_by("-finished_at", "-pk")
        .first()
    )
    columns = list(latest.preview.get("columns", [])) if latest else []
    columns = columns or list(source.mapping)
    for column in (*source.mapping, source.id_column):
        if column and column not in columns:
            columns.append(column)
    return [*columns, ID_COLUMN] if ID_COLUMN not in columns else columns


def source_export(source, *, user=None):
    """The source's entries (not archived or rejected) as CSV, yielded as UTF-8 chunks."""
    columns = export_columns(source)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    records = (
        ImportedRecord.objects.filter(source=source)
        .exclude(entry__status__in=[Entry.Status.ARCHIVED, Entry.Status.REJECTED])
        .select_related("entry", "entry__category")
        .prefetch_related("entry__tags")
        .order_by("pk")
    )
    for number, record in enumerate(records.iterator(chunk_size=BATCH), start=1):
        # Numbers as numbers: a longitude's minus sign is no formula.
        row = _row(source, record, columns, user)
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
        if number % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _row(source, record, columns, user):
    entry = record.entry
    values = dict.fromkeys(columns, "")
    tags_given = False
    for column, target in source.mapping.items():
        if target == "tags":
            # Every tag in the first tags column: a re-import joins the columns again.
            values[column] = "" if tags_given else ";".join(t.name for t in entry.tags.all())
            tags_given = True
        else:
            values[column] = _value(source, entry, target, user)
    if source.id_column and not record.row_id.startswith("hash:"):
        values[source.id_column] = record.row_id
    values[ID_COLUMN] = entry.slug
    return [values[column] for column in columns]


def _value(source, entry, target, user):
    if target in {"longitude", "latitude", "geometry"}:
        if entry.precision != Entry.Precision.EXACT and "precision" not in source.mapping.values():
            # Placed by its town (no column gives a precision): left to be placed so again.
            return ""
        exact = user is None or permissions.can_see_exact_location(user, entry)
        point = entry.location if exact else entry.public_point
        return {"longitude": point.x, "latitude": point.y, "geometry": point.wkt}[target]
    if target == "place":
        return entry.locality
    if target == "category":
        return entry.category.slug
    if target == "founded_on":
        return entry.founded_on.isoformat() if entry.founded_on else ""
    return getattr(entry, target)
