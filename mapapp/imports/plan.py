"""The dry run: every row of a run's file mapped, placed and compared with what earlier imports
of its source wrote, into a report a person reviews before anything is written.

Each row is a create, an update (with each field's old and new value), unchanged, a reject
(with the reasons per field), a conflict (its entry was edited on Commons Map since the last
import, so the import will not overwrite it) or a restore (it returns after an import archived
it); the source's records absent from the file are archived. Rows are streamed, existing
records and entries read in batches: only the report's compact per-row results and the set of
row ids seen stay in memory, which bounds a 100,000-row file to a few tens of megabytes.
"""

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.gis.measure import D
from django.utils import timezone

from mapapp import permissions
from mapapp.imports import storage
from mapapp.imports.formats import ImportFileError, read_table
from mapapp.imports.locate import BoxBuilder, Locator
from mapapp.imports.mapping import Mapper, comparable, content_hash
from mapapp.models import EDITABLE_FIELDS, Entry, ImportedRecord, ImportRun
from mapapp.reads.similar import DUPLICATE_RADIUS_M, distance_label

BATCH = 500
PROGRESS_EVERY = 1000
# Entries near a batch's rows are read at once when there are at most this many in its box;
# past it, each row asks for its own neighbourhood.
NEARBY_AT_ONCE = 2000
SIMILAR_NAMES = 0.6
ACTIONS = ("create", "update", "unchanged", "reject", "conflict", "restore", "archive")


class StalePlan(Exception):
    """What the plan was made from has changed: plan again."""


@dataclass
class Decision:
    """One row's outcome: what the report says of it and what the apply writes."""

    number: int | None
    action: str
    row_id: str
    name: str
    mapped: object = None  # the MappedRow
    record: object = None  # the ImportedRecord it matches
    entry: object = None  # that record's entry
    content_hash: str = ""
    changes: dict = field(default_factory=dict)
    duplicates: list = field(default_factory=list)

    @property
    def fingerprint(self):
        """What must be the same when the plan is applied for the apply to do what the
        person reviewed."""
        version = self.entry.version if self.entry else ""
        text = f"{self.action}|{self.row_id}|{self.content_hash}|{version}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def summary(self):
        """The report's compact line for this row: empty parts left out."""
        line = {"row": self.number, "action": self.action, "id": self.row_id, "name": self.name}
        mapped = self.mapped
        if mapped is not None and mapped.problems:
            line["problems"] = mapped.problems
        if mapped is not None and mapped.flags:
            line["flags"] = mapped.flags
        if self.changes:
            line["changes"] = self.changes
        if self.duplicates:
            line["duplicates"] = self.duplicates
        if self.entry is not None:
            line["entry"] = self.entry.slug
        if self.action != "reject":
            line["fp"] = self.fingerprint
        return line


def plan_run(run_id):
    """Job: plan the run (it must be planning) and keep the report; a whole-file problem
    fails the run with its message."""
    run = ImportRun.objects.select_related("source", "category").get(pk=run_id)
    if run.status != ImportRun.Status.PLANNING:
        return None
    try:
        report = make_plan(run, progress=_progress_writer(run))
    except (ImportFileError, FileNotFoundError) as error:
        _fail(run, str(error) if isinstance(error, ImportFileError) else "The file is gone.")
        return None
    run.report, run.status = report, ImportRun.Status.PLANNED
    run.progress_done = run.progress_total = report["total"]
    run.save(update_fields=["report", "status", "progress_done", "progress_total", "updated_at"])
    return report["counts"]


def _fail(run, message):
    run.status, run.error, run.finished_at = ImportRun.Status.FAILED, message[:2000], timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "updated_at"])


def _progress_writer(run):
    def write(done, total):
        ImportRun.objects.filter(pk=run.pk).update(
            progress_done=done, progress_total=total, updated_at=timezone.now()
        )

    return write


def open_table(run):
    """The run's stored file, opened and read as a Table (the caller closes table.stream)."""
    stream = open(storage.path_of(run.stored_file), "rb")  # noqa: SIM115 (closed by the caller)
    try:
        table = read_table(stream, filename=run.original_filename, encoding=run.encoding or None)
    except BaseException:
        stream.close()
        raise
    table.stream = stream
    return table


def survey(run, mapper):
    """A first pass: how many rows there are, where most of their points lie, and the row
    numbers of each id that occurs more than once."""
    table = open_table(run)
    box, total, first, repeated = BoxBuilder(), 0, {}, {}
    try:
        for row in table.rows:
            total += 1
            box.add(mapper.cells(row))
            row_id = mapper.row_id(row)
            if row_id and row_id in first:
                repeated.setdefault(row_id, [first[row_id]]).append(row.number)
            elif row_id:
                first[row_id] = row.number
    finally:
        table.stream.close()
    return total, box.box(), repeated


def make_plan(run, *, progress=None):
    """The run's report: counts, and one compact line per row and per archived record."""
    mapper = Mapper(mapping=run.mapping, id_column=run.id_column, category=run.category)
    total, box, repeated = survey(run, mapper)
    locator = Locator(box=box)
    lines, counts, flagged = [], dict.fromkeys(ACTIONS, 0), 0
    for done, decision in enumerate(decide(run, mapper, locator, repeated), start=1):
        lines.append(decision.summary())
        counts[decision.action] += 1
        flagged += bool(decision.mapped is not None and decision.mapped.flags)
        if progress and done % PROGRESS_EVERY == 0:
            progress(min(done, total), total)
    return {
        "total": total,
        "counts": counts,
        "flagged": flagged,
        "rows": lines,
        "box": box,
        "geocoded": {k: v for k, v in locator.geocoded.items() if v},
        "records_version": run.source.records_version,
        "planned_at": timezone.now().isoformat(),
    }


def decide(run, mapper, locator, repeated, *, archive=True):
    """Every row's Decision in file order, then the archived records' (archive=True)."""
    table = open_table(run)
    seen = {}  # row id → the first row number with it
    try:
        batch = []
        for row in table.rows:
            batch.append(row)
            if len(batch) == BATCH:
                yield from _decide_batch(run, mapper, locator, batch, repeated, seen)
                batch = []
        yield from _decide_batch(run, mapper, locator, batch, repeated, seen)
    finally:
        table.stream.close()
    if archive:
        yield from _archived(run, seen)


def _decide_batch(run, mapper, locator, rows, repeated, seen):
    mapped = [(row, mapper.map_row(row, locator)) for row in rows]
    ids = {}
    for row, result in mapped:
        values = comparable(result.data, result.tag_names)
        digest = content_hash(values, run.source.licence)
        own = mapper.row_id(row)
        ids[row.number] = (own or f"hash:{digest}", digest, values)
    records = _records(run.source, [row_id for row_id, _, _ in ids.values()])
    decisions = []
    for row, result in mapped:
        row_id, digest, values = ids[row.number]
        decision = _decide_row(row, result, row_id, digest, values, records.get(row_id))
        _check_repeats(decision, mapper.row_id(row), row_id, repeated, seen)
        decisions.append(decision)
    _find_duplicates(run, [d for d in decisions if d.action == "create"])
    return decisions


def _records(source, row_ids):
    """{row id: ImportedRecord, with its entry} for those of source among row_ids."""
    found = ImportedRecord.objects.filter(source=source, row_id__in=row_ids).select_related(
        "entry", "entry__category"
    )
    return {record.row_id: record for record in found}


def _decide_row(row, mapped, row_id, digest, values, record):
    name = str(mapped.data.get("name") or mapped.cells.get("name", ""))[:200]
    decision = Decision(row.number, "create", row_id, name, mapped, content_hash=digest)
    if not mapped.ok:
        decision.action = "reject"
        return decision
    if record is None:
        return decision
    decision.record, decision.entry = record, record.entry
    entry = record.entry
    edited = entry.version != record.entry_version
    if entry.status == Entry.Status.ARCHIVED:
        decision.action = "conflict" if edited else "restore"
        if edited:
            mapped.problems["row"] = ["Archived on Commons Map since the last import."]
        decision.changes = _changes(entry, values)
        return decision
    if record.content_hash == digest:
        decision.action = "unchanged"
        return decision
    decision.changes = _changes(entry, values)
    if edited:
        decision.action = "conflict"
        mapped.problems["row"] = [
            "Edited on Commons Map since the last import: the import will not overwrite it."
        ]
    else:
        decision.action = "update" if decision.changes else "unchanged"
    return decision


def _changes(entry, values):
    """{field: [old, new]} for the fields values would change on entry."""
    fields = [
        f for f in EDITABLE_FIELDS if f in values or (f == "location" and "longitude" in values)
    ]
    tags = entry.tag_slugs.split() if "tags" in values else None
    current = comparable({name: getattr(entry, name) for name in fields}, tags)
    return {
        name: [current.get(name), new] for name, new in values.items() if current.get(name) != new
    }


def _check_repeats(decision, own_id, row_id, repeated, seen):
    """Rows sharing an id are all refused; without an id column, a row repeating another
    exactly is left out."""
    first = seen.setdefault(row_id, decision.number)
    problems = decision.mapped.problems
    if own_id in repeated:
        others = ", ".join(str(n) for n in repeated[own_id] if n != decision.number)
        problems.setdefault("row", []).append(
            f"Has the id {own_id!r}, as row {others} does: each is refused."
        )
        decision.action = "reject"
    elif first != decision.number:
        problems.setdefault("row", []).append(f"Repeats row {first} exactly: left out.")
        decision.action = "reject"


def _archived(run, seen):
    """Decisions for the source's records whose rows are gone from the file."""
    records = (
        ImportedRecord.objects.filter(source=run.source)
        .exclude(entry__status=Entry.Status.ARCHIVED)
        .select_related("entry")
        .order_by("pk")
    )
    for record in records.iterator(chunk_size=BATCH):
        if record.row_id in seen:
            continue
        entry = record.entry
        decision = Decision(None, "archive", record.row_id, entry.name, None, record, entry)
        if entry.version != record.entry_version:
            decision.action = "conflict"
            decision.changes = {"status": [entry.status, Entry.Status.ARCHIVED]}
        yield decision


def _find_duplicates(run, decisions):
    """List, on each row to be created, entries not from this source with a similar name
    within DUPLICATE_RADIUS_M of its point (as far as the importer may see them)."""
    placed = [d for d in decisions if d.mapped.data.get("location") is not None]
    if not placed:
        return
    candidates = permissions.viewable(
        Entry.objects.exclude(status__in=[Entry.Status.REJECTED, Entry.Status.ARCHIVED]).exclude(
            imported_records__source=run.source
        ),
        run.uploaded_by,
    )
    points = [d.mapped.data["location"] for d in placed]
    margin = DUPLICATE_RADIUS_M / 111_320.0 * 2
    box = (
        min(p.x for p in points) - margin,
        min(p.y for p in points) - margin,
        max(p.x for p in points) + margin,
        max(p.y for p in points) + margin,
    )
    nearby = candidates.in_bbox(box)
    if nearby.count() <= NEARBY_AT_ONCE:
        known = list(_neighbours(nearby))
        for decision in placed:
            decision.duplicates = _similar(decision, known)
        return
    for decision in placed:
        point = decision.mapped.data["location"]
        around = candidates.near(point.x, point.y, DUPLICATE_RADIUS_M)
        decision.duplicates = _similar(decision, list(_neighbours(around)))


def _neighbours(entries):
    for slug, name, precision, point in entries.values_list(
        "slug", "name", "precision", "public_point"
    ):
        yield slug, name, precision, point.x, point.y


def _similar(decision, known):
    point, name = decision.mapped.data["location"], decision.name.lower()
    found = []
    for slug, other, precision, lon, lat in known:
        metres = _metres(point.x, point.y, lon, lat)
        if metres > DUPLICATE_RADIUS_M:
            continue
        ratio = difflib.SequenceMatcher(None, name, other.lower()).ratio()
        if ratio >= SIMILAR_NAMES or (len(name) > 3 and (name in other.lower())):
            place = SimpleNamespace(precision=precision, distance=D(m=metres))
            found.append({"entry": slug, "name": other, "distance": distance_label(place)})
    return found[:5]


def _metres(lon1, lat1, lon2, lat2):
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))
