"""Reads of threat cases for every door: which cases match, their next deadlines, an entry's
timeline, and the counts per month that the threats page charts and the API serves.

Only public cases (accepted, of published entries) and their accepted events are read here,
and nothing about who added them: a case is located at its entry's public point."""

from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import Count, F, Min, OuterRef, Subquery
from django.db.models.functions import TruncMonth, TruncYear
from django.utils import timezone

from mapapp.deadlines import countdown
from mapapp.models import CaseDeadline, ThreatCase, ThreatEvent
from mapapp.models.threats import CASE_FIELDS, EVENT_FIELDS
from mapapp.reads.filters import (
    ALIASES,
    CASE_ALIASES,
    CASE_PARAMS,
    cases_matching_case_filters,
    entries_matching,
)

# The filters the threats API and the threats page take: the entries' box and categories, and
# the case filters (with CASE_ALIASES, so kind= and status= work there).
THREAT_FILTERS = ("bbox", "category", *CASE_PARAMS)
THREAT_ALIASES = {**ALIASES, **CASE_ALIASES}
# The public fields of a case and of an event, in the order every door shows them: all that
# contributors type is public (who typed it, and whether it was reviewed, never are).
CASE_PUBLIC_FIELDS = CASE_FIELDS
EVENT_PUBLIC_FIELDS = EVENT_FIELDS
INTERVALS = {"month": TruncMonth, "year": TruncYear}


def cases_matching(filters, *, today=None):
    """Public cases matching filters: the case filters on the case, the others (box, category)
    on its entry. Ordered by next deadline (soonest first), then newest opened."""
    return with_next_deadline(_public_cases_matching(filters), today=today).order_by(
        F("next_due").asc(nulls_last=True), "-opened_on", "-id"
    )


def _public_cases_matching(filters):
    """Public cases matching the case filters, of entries matching the others. The case filters
    apply to the case alone: asking its entry to have a matching case too would nest the cases
    inside themselves, which the planner joins in loops within loops (seconds for 50 cases)."""
    entry_filters = replace(filters, case_kinds=[], case_statuses=[], deadline_before=None)
    entries = entries_matching(entry_filters).order_by().values("pk")
    return cases_matching_case_filters(filters).filter(entry__in=entries)


def with_next_deadline(cases, *, today=None):
    """Cases annotated with next_due: the soonest deadline from today of an active case."""
    today = today or timezone.localdate()
    upcoming = (
        CaseDeadline.objects.filter(
            case=OuterRef("pk"), case__status=ThreatCase.Status.ACTIVE, due_on__gte=today
        )
        .order_by()
        .values("case")
        .annotate(first=Min("due_on"))
        .values("first")
    )
    return cases.select_related("entry", "entry__category").annotate(
        next_due=Subquery(upcoming[:1])
    )


@dataclass
class Deadline:
    name: str
    due_on: date
    countdown: str
    days: int
    legal_basis: str = ""
    explanation: str = ""
    source_url: str = ""

    @property
    def is_past(self):
        return self.days < 0


@dataclass
class CaseRecord:
    """A public case as pages and the API show it: its fields, events and deadlines."""

    case: ThreatCase
    events: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    # How many accepted events it has: counted in the database when the events are not loaded.
    event_count: int = 0

    @property
    def next_deadline(self):
        if not self.case.is_active:
            return None
        return next((d for d in self.deadlines if not d.is_past), None)


def case_records(cases, *, today=None, events=True):
    """CaseRecords for public cases, with every deadline and their accepted events (or, without
    `events`, only how many), in two queries however many cases there are."""
    today = today or timezone.localdate()
    cases = list(cases)
    ids = [c.pk for c in cases]
    accepted = ThreatEvent.objects.filter(case_id__in=ids, review=ThreatEvent.Review.ACCEPTED)
    loaded, deadlines = {}, {}
    if events:
        for event in accepted:
            loaded.setdefault(event.case_id, []).append(event)
        counts = {pk: len(found) for pk, found in loaded.items()}
    else:
        counts = dict(accepted.values_list("case_id").annotate(n=Count("id")).order_by())
    rows = CaseDeadline.objects.filter(case_id__in=ids).select_related("rule")
    for row in rows.order_by("due_on", "rule__name"):
        deadlines.setdefault(row.case_id, []).append(_deadline(row, today))
    return [
        CaseRecord(c, loaded.get(c.pk, []), deadlines.get(c.pk, []), counts.get(c.pk, 0))
        for c in cases
    ]


def next_deadlines(entry_ids, *, today=None):
    """{entry id: the soonest coming Deadline of its public active cases}, for lists."""
    ids = list(entry_ids)
    if not ids:
        return {}
    cases = ThreatCase.objects.public().filter(entry_id__in=ids, status=ThreatCase.Status.ACTIVE)
    found = {}
    for record in case_records(cases, today=today, events=False):
        deadline, entry_id = record.next_deadline, record.case.entry_id
        if deadline and (entry_id not in found or deadline.due_on < found[entry_id].due_on):
            found[entry_id] = deadline
    return found


def _deadline(row, today):
    rule = row.rule
    return Deadline(
        name=rule.name,
        due_on=row.due_on,
        countdown=countdown(row.due_on, today),
        days=(row.due_on - today).days,
        legal_basis=rule.legal_basis,
        explanation=rule.explanation,
        source_url=rule.source_url,
    )


def entry_timeline(entry, *, today=None):
    """The public cases of one entry, newest first, with events and deadlines."""
    if not entry.is_public:
        return []
    cases = entry.cases.filter(review=ThreatCase.Review.ACCEPTED).order_by("-opened_on", "-id")
    return case_records(cases, today=today)


def public_case(pk):
    """One public case by id, or None."""
    return (
        ThreatCase.objects.public().select_related("entry", "entry__category").filter(pk=pk).first()
    )


def case_values(case):
    """A case's public fields as JSON-ready values (dates as ISO 8601)."""
    values = {name: getattr(case, name) for name in CASE_PUBLIC_FIELDS}
    for name in ("opened_on", "closed_on"):
        values[name] = values[name].isoformat() if values[name] else None
    return values


def event_values(event):
    values = {name: getattr(event, name) for name in EVENT_PUBLIC_FIELDS}
    values["happened_on"] = event.happened_on.isoformat()
    return values


def threat_stats(filters, *, interval="month"):
    """[{period, opened, saved, lost, withdrawn, events}] per interval, oldest first: cases
    counted in the period they opened and in the one they closed, events when dated."""
    cases = _public_cases_matching(filters)
    trunc = INTERVALS[interval]
    periods = {}

    def add(rows, key):
        for row in rows:
            period = row["period"]
            periods.setdefault(period, _empty_period(period))[key] += row["n"]

    opened = cases.annotate(period=trunc("opened_on")).values("period").annotate(n=Count("id"))
    add(opened.order_by(), "opened")
    for status in (ThreatCase.Status.SAVED, ThreatCase.Status.LOST, ThreatCase.Status.WITHDRAWN):
        closed = cases.filter(status=status).annotate(period=trunc("closed_on"))
        add(closed.values("period").annotate(n=Count("id")).order_by(), status)
    events = ThreatEvent.objects.filter(review=ThreatEvent.Review.ACCEPTED, case__in=cases)
    events = events.filter(happened_on__lte=timezone.localdate())
    add(
        events.annotate(period=trunc("happened_on"))
        .values("period")
        .annotate(n=Count("id"))
        .order_by(),
        "events",
    )
    return [periods[p] for p in sorted(periods)]


def _empty_period(period):
    period = period.date() if hasattr(period, "date") else period
    return {"period": period, "opened": 0, "saved": 0, "lost": 0, "withdrawn": 0, "events": 0}
