"""Public threat cases as GeoJSON features, for the API and OGC doors alike.

A case's feature sits at its entry's stored public point (never the exact location) and says
nothing about who added the case or its events: its properties are the case's public fields
(reads.threats.CASE_PUBLIC_FIELDS), the entry it threatens, its next deadline and how many
events it has. A detail feature adds the accepted events and every deadline.
"""

from datetime import date, datetime, time

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.utils import timezone
from orjson import Fragment

from mapapp.reads.public import PUBLIC_DECIMALS, entry_path
from mapapp.reads.statements import dataset_last_modified
from mapapp.reads.threats import case_records, case_values, event_values

CHUNK = 2000


def threats_last_modified():
    """When an answer about cases last changed: its data (a case's write marks its entry
    changed), or the start of today, since countdowns move on each day without any write."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    changed = dataset_last_modified()
    return max(changed, midnight) if changed else midnight


def with_point(cases):
    """Cases with their entry's public point as GeoJSON text (`geojson`)."""
    return cases.annotate(geojson=AsGeoJSON("entry__public_point", precision=PUBLIC_DECIMALS))


def case_features(cases, *, today=None, detail=False, geometry=Fragment):
    """Features of public cases (a page already cut): three queries however many. Only a
    detail feature lists the events; a list's features count them in the database."""
    records = case_records(with_point(cases), today=today, events=detail)
    return [case_feature(record, detail=detail, geometry=geometry) for record in records]


def case_feature_chunks(cases, *, today=None, geometry=Fragment):
    """Features of every case of a queryset, CHUNK at a time (downloads)."""
    batch = []
    for case in with_point(cases).iterator(chunk_size=CHUNK):
        batch.append(case)
        if len(batch) == CHUNK:
            yield _features(batch, today, geometry)
            batch = []
    if batch:
        yield _features(batch, today, geometry)


def _features(cases, today, geometry):
    records = case_records(cases, today=today, events=False)
    return [case_feature(r, geometry=geometry) for r in records]


def case_feature(record, *, detail=False, geometry=Fragment):
    """One CaseRecord (its case annotated by with_point) as a GeoJSON Feature."""
    properties = case_properties(record)
    if detail:
        properties["version"] = record.case.version
        properties["events"] = [event_dict(event) for event in record.events]
        properties["deadlines"] = [deadline_dict(d) for d in record.deadlines]
    return {
        "type": "Feature",
        "id": record.case.pk,
        "geometry": geometry(record.case.geojson),
        "properties": properties,
    }


def case_properties(record):
    case, entry = record.case, record.case.entry
    upcoming = record.next_deadline
    return {
        **case_values(case),
        "entry": entry.slug,
        "entry_name": entry.name,
        "entry_url": entry_path(entry.slug),
        "category": entry.category.slug,
        "next_deadline": upcoming
        and {
            "name": upcoming.name,
            "due_on": upcoming.due_on.isoformat(),
            "days": upcoming.days,
        },
        "event_count": record.event_count,
        "url": case.get_absolute_url(),
    }


def event_dict(event):
    """An accepted event as every door shows it: its id and public fields."""
    return {"id": event.pk, **event_values(event)}


def deadline_dict(deadline):
    return {
        "name": deadline.name,
        "due_on": deadline.due_on.isoformat(),
        "days": deadline.days,
        "countdown": deadline.countdown,
        "legal_basis": deadline.legal_basis,
        "explanation": deadline.explanation,
        "source_url": deadline.source_url,
    }


def period_label(period, interval):
    """A period of threat_stats in ISO 8601: "2026-11" for a month, "2026" for a year."""
    day = period if isinstance(period, date) else date.fromisoformat(str(period)[:10])
    return f"{day:%Y-%m}" if interval == "month" else f"{day:%Y}"


def stats_rows(rows, interval):
    """threat_stats rows with their periods labelled."""
    return [{**row, "period": period_label(row["period"], interval)} for row in rows]
