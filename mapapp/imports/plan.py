"""The dry run: every row of a run's file mapped, placed and compared with what earlier imports
of its source wrote, into a report a person reviews before anything is written.

Each row is a create, an update (with each field's old and new value), unchanged, a reject
(with the reasons per field), a conflict (its entry was edited on Commons Map since the last
import, so the import will not overwrite it) or a restore (it returns after an import archived
it); the source's records absent from the file are archived. Rows are streamed, existing
records and entries read in batches, each row's compact line written to ImportPlanLine a batch
at a time: only the row ids seen stay in memory, and run.report keeps the totals alone.
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
from mapapp.models import EDITABLE_FIELDS, Entry, ImportedRecord, ImportPlanLine, ImportRun
from mapapp.reads.similar import DUPLICATE_RADIUS_M, distance_label

BATCH = 500
PROGRESS_EVERY = 1000
# Entries near a batch's rows are read at once when there are at most this many in its box;
# past it, each row asks for its own neighbourhood.
NEARBY_AT_ONCE = 2000
SIMILAR_NAMES = 0.6
ROW_ID_MAX = ImportedRecord._meta.get_field("row_id").max_length
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
    entry_state: str = ""  # the matched entry's status and a hash of its imported fields

    @property
    def fingerprint(self):
        """What must be the same when the plan is applied for the apply to do what the
        person reviewed."""
        text = f"{self.action}|{self.row_id}|{self.content_hash}|{self.entry_state}"
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


def plan_run(run_id, on_progress=None):
    """Job: plan the run (it must be planning) and keep the report; a whole-file problem
    fails the run with its message. on_progress(done, total) is told as rows are planned."""
    run = ImportRun.objects.select_related("source", "category").get(pk=run_id)
    if run.status != ImportRun.Status.PLANNING:
        return None
    try:
        report = make_plan(run, progress=_progress_writer(run, on_progress))
    except (ImportFileError, FileNotFoundError) as error:
        _fail(run, str(error) if isinstance(error, ImportFileError) else "The file is gone.")
        return None
    # Only a run still being planned is marked planned: a twin delivery of this job, finishing
    # late, must not undo a confirm or an abandon made since.
    ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PLANNING).update(
        report=report,
        status=ImportRun.Status.PLANNED,
        progress_done=report["total"],
        progress_total=report["total"],
        updated_at=timezone.now(),
    )
    return report["counts"]


def _fail(run, message):
    # As a run still being planned only (a twin finding the file gone after the apply).
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PLANNING).update(
        status=ImportRun.Status.FAILED, error=message[:2000], finished_at=now, updated_at=now
    )


def _progress_writer(run, on_progress):
    def write(done, total):
        # A short write of its own (the plan runs outside any transaction): the page polls it.
        ImportRun.objects.filter(pk=run.pk).update(
            progress_done=done, progress_total=total, updated_at=timezone.now()
        )
        if on_progress:
            on_progress(done, total)

    return write


def open_table(run):
    """The run's stored file, opened and read as a Table (the caller closes table.stream)."""
    stream = open(storage.path_of(run.stored_file), "rb")  # noqa: SIM115 (closed by the caller)
    try:
        table = read_table(
            stream,
            filename=run.original_filename,
            encoding=run.encoding or None,
            sheet=run.sheet or None,
        )
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
    """The run's report: its counts and totals; one ImportPlanLine per row and per archived
    record is written as the rows are planned, replacing those of an earlier plan."""
    mapper = Mapper(mapping=run.mapping, id_column=run.id_column, category=run.category)
    total, box, repeated = survey(run, mapper)
    locator = Locator(box=box)
    ImportPlanLine.objects.filter(run=run).delete()
    lines = LineWriter(run)
    counts, flagged = dict.fromkeys(ACTIONS, 0), 0
    for done, decision in enumerate(decide(run, mapper, locator, repeated), start=1):
        lines.add(decision)
        counts[decision.action] += 1
        flagged += bool(decision.mapped is not None and decision.mapped.flags)
        if progress and done % PROGRESS_EVERY == 0:
            progress(min(done, total), total)
    lines.flush()
    if progress:
        progress(total, total)
    return {
        "total": total,
        "counts": counts,
        "flagged": flagged,
        "box": box,
        "geocoded": {k: v for k, v in locator.geocoded.items() if v},
        "records_version": run.source.records_version,
        "planned_at": timezone.now().isoformat(),
    }


class LineWriter:
    """The plan's lines written BATCH at a time, in the order they are added."""

    def __init__(self, run):
        self.run, self.position, self.pending = run, 0, []

    def add(self, decision):
        line = decision.summary()
        self.pending.append(
            ImportPlanLine(
                run=self.run,
                position=self.position,
                row=decision.number,
                action=decision.action,
                line=line,
            )
        )
        self.position += 1
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self):
        ImportPlanLine.objects.bulk_create(self.pending)
        self.pending = []


def planned_lines(run, actions=None):
    """The run's planned lines in order (only those of actions, if given), read BATCH at a time
    after the last one read: no cursor stays open while the caller writes (SpatiaLite has no
    isolation between a connection's own statements)."""
    lines = ImportPlanLine.objects.filter(run=run).order_by("position")
    if actions is not None:
        lines = lines.filter(action__in=actions)
    last = -1
    while True:
        page = list(lines.filter(position__gt=last).values_list("position", "line")[:BATCH])
        yield from (line for _position, line in page)
        if len(page) < BATCH:
            return
        last = page[-1][0]


def line_count(report):
    """How many lines a plan with report wrote: one per row and per archived record."""
    return sum((report.get("counts") or {}).values())


def decide(run, mapper, locator, repeated, *, duplicates=True):
    """Every row's Decision in file order, then the archived records'; likely duplicates
    are looked for only with duplicates=True (the apply has no use for them)."""
    table = open_table(run)
    seen = {}  # row id → the first row number with it
    try:
        batch = []
        for row in table.rows:
            batch.append(row)
            if len(batch) == BATCH:
                yield from _decide_batch(run, mapper, locator, batch, repeated, seen, duplicates)
                batch = []
        yield from _decide_batch(run, mapper, locator, batch, repeated, seen, duplicates)
    finally:
        table.stream.close()
    yield from _archived(run, seen, mapper)


def _decide_batch(run, mapper, locator, rows, repeated, seen, duplicates):
    mapped = [(row, mapper.map_row(row, locator)) for row in rows]
    ids = {}
    for row, result in mapped:
        values = comparable(result.data, result.tag_names)
        digest = content_hash(values, run.source.licence)
        own = mapper.row_id(row)
        if len(own) > ROW_ID_MAX:
            result.problems.setdefault("row", []).append(
                f"The id is {len(own)} characters long: at most {ROW_ID_MAX}."
            )
            own = own[:ROW_ID_MAX]
        ids[row.number] = (own or f"hash:{digest}", digest, values)
    records = _records(run.source, [row_id for row_id, _, _ in ids.values()])
    decisions = []
    for row, result in mapped:
        row_id, digest, values = ids[row.number]
        record = records.get(row_id)
        decision = _decide_row(row, result, row_id, digest, values, record, run.source.licence)
        _check_repeats(decision, mapper.row_id(row), row_id, repeated, seen)
        decisions.append(decision)
    if duplicates:
        _find_duplicates(run, [d for d in decisions if d.action == "create"])
    return decisions


def _records(source, row_ids):
    """{row id: ImportedRecord, with its entry} for those of source among row_ids."""
    found = ImportedRecord.objects.filter(source=source, row_id__in=row_ids).select_related(
        "entry", "entry__category"
    )
    return {record.row_id: record for record in found}


def _decide_row(row, mapped, row_id, digest, values, record, licence):
    name = str(mapped.data.get("name") or mapped.cells.get("name", ""))[:200]
    decision = Decision(row.number, "create", row_id, name, mapped, content_hash=digest)
    if not mapped.ok:
        decision.action = "reject"
        return decision
    if record is None:
        return decision
    entry = record.entry
    current = _current(entry, values)
    decision.record, decision.entry = record, entry
    decision.entry_state = _state(entry, current)
    decision.changes = _changes(current, values)
    if entry.licence != licence:
        decision.changes["licence"] = [entry.licence, licence]
    if entry.status == Entry.Status.ARCHIVED:
        # Archived by the import itself when its row went missing, or since by a person.
        by_import = entry.version == record.entry_version
        decision.action = "restore" if by_import else "conflict"
        if not by_import:
            mapped.problems["row"] = ["Archived on Commons Map since the last import."]
    elif record.content_hash == digest or not decision.changes:
        decision.action = "unchanged"
    elif _edited(entry, record, current):
        decision.action = "conflict"
        mapped.problems["row"] = [
            "Edited on Commons Map since the last import: the import will not overwrite it."
        ]
    else:
        decision.action = "update"
    return decision


def _current(entry, keys):
    """entry's values for keys (those comparable() gives a row), as comparable() gives them."""
    fields = [f for f in EDITABLE_FIELDS if f in keys or (f == "location" and "longitude" in keys)]
    tags = entry.tag_slugs.split() if "tags" in keys else None
    return comparable({name: getattr(entry, name) for name in fields}, tags)


def _edited(entry, record, current):
    """Whether a person changed what the last import wrote to entry (its status aside: a
    moderator publishing an imported entry is no edit of it)."""
    return content_hash(current, entry.licence) != record.content_hash


def _state(entry, current):
    return f"{entry.status}:{content_hash(current, entry.licence)[:16]}"


def _changes(current, values):
    """{field: [old, new]} for the fields values would change."""
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


def _archived(run, seen, mapper):
    """Decisions for the source's records whose rows are gone from the file."""
    records = (
        ImportedRecord.objects.filter(source=run.source)
        .exclude(entry__status=Entry.Status.ARCHIVED)
        .select_related("entry")
        .order_by("pk")
    )
    keys = mapper.compared_keys()
    for record in _pages(records):
        if record.row_id in seen:
            continue
        entry = record.entry
        decision = Decision(None, "archive", record.row_id, entry.name, None, record, entry)
        current = _current(entry, keys)
        decision.entry_state = _state(entry, current)
        decision.changes = {"status": [entry.status, Entry.Status.ARCHIVED]}
        if _edited(entry, record, current):
            decision.action = "conflict"
        yield decision


def _pages(records):
    """records (ordered by pk) read BATCH at a time after the last one: the plan and the apply
    write between pages, and no cursor of SpatiaLite's may stay open meanwhile."""
    last = 0
    while True:
        page = list(records.filter(pk__gt=last)[:BATCH])
        yield from page
        if len(page) < BATCH:
            return
        last = page[-1].pk


def _find_duplicates(run, decisions):
    """List, on each row to be created, entries not from this source with a similar name
    within DUPLICATE_RADIUS_M of its point (as far as the importer may see them)."""
    placed = [d for d in decisions if d.mapped.data.get("location") is not None]
    if not placed:
        return
    candidates = permissions.viewable(
        # Entries of this source carry its name (set by the import only): a plain column
        # compared, where a subquery of its records would be read again for every row.
        Entry.objects.exclude(status__in=[Entry.Status.REJECTED, Entry.Status.ARCHIVED]).exclude(
            source=run.source.name
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
    # The batch's neighbours read at once when they are few (one town's rows, or a map with
    # little on it yet); past NEARBY_AT_ONCE, each row asks for its own.
    known = list(_neighbours(candidates.in_bbox(box)[: NEARBY_AT_ONCE + 1]))
    if len(known) <= NEARBY_AT_ONCE:
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
