"""What the Atom feeds say, for any door that tells people what changed: the entries newly
published in an area or a category, one entry's public changes, and the commons under threat.

Every item is built from public reads alone — the public projection (reads.public), the public
history (reads.history, which names the fields changed, never their values) and the public
cases and events — so a feed shows an entry's public point, never its exact location, and
nobody's account or name. Items are plain text; the door escapes them.
"""

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator

from mapapp.models import Entry, ThreatCase, ThreatEvent
from mapapp.reads.filters import entries_matching
from mapapp.reads.history import case_versions, entry_versions, field_label
from mapapp.reads.public import public_point, public_properties

# How many items a feed holds, newest first: enough for a reader polling daily to miss nothing
# in a busy area, few enough that a feed stays one small page.
FEED_LENGTH = 50
# An item's text when the entry has no summary: the start of its description.
TEXT_CHARACTERS = 500


@dataclass(frozen=True)
class FeedItem:
    title: str
    text: str  # plain text
    link: str  # a path on this site
    anchor: str  # with the link's page, the item's identity for ever ("" when the link is it)
    updated: datetime
    published: datetime | None = None
    point: tuple | None = None  # the public point (lon, lat), never the exact location
    category: str = ""


def newly_published(filters):
    """FeedItems for the published entries filters select (an area, a category), the most
    recently published first, FEED_LENGTH at most."""
    newest = F("published_at").desc(nulls_last=True)
    entries = entries_matching(filters).select_related("category").order_by(newest, "-id")
    return [_published_item(entry) for entry in entries[:FEED_LENGTH]]


def _published_item(entry):
    public = public_properties(entry)
    text = public["summary"] or Truncator(public["description"]).chars(TEXT_CHARACTERS)
    return FeedItem(
        title=public["name"],
        text=text,
        link=public["url"],
        anchor="",
        updated=public["updated"],
        published=public["published"],
        point=public_point(entry),
        category=public["category_name"],
    )


def followed_entry(slug):
    """The entry with slug whose changes the public may follow, or None: a published entry,
    or one archived after it was published (its followers learn it is gone)."""
    once_public = Q(status=Entry.Status.ARCHIVED, published_at__isnull=False)
    followable = Entry.objects.filter(Q(status=Entry.Status.PUBLISHED) | once_public)
    return followable.select_related("category").filter(slug=slug).first()


def entry_changes(entry):
    """FeedItems for an entry's public changes, newest first: its recorded versions and the
    versions of its public cases and events; for an archived entry only that it was archived,
    since nothing else of it is public any more."""
    if not entry.is_public:
        return [_archived_item(entry)]
    items = [*_version_items(entry), *_case_version_items(entry)]
    return sorted(items, key=attrgetter("updated"), reverse=True)[:FEED_LENGTH]


def _version_items(entry):
    history = reverse("entry-history", args=[entry.slug])
    point = public_point(entry)
    for version in entry_versions(entry):
        record = version["record"]
        if not version["changed"]:  # saved without a public change
            continue
        yield FeedItem(
            title=f"{entry.name}: {_headline(record, version['changed'])}",
            text=f"{_headline(record, version['changed'])}.",
            link=f"{history}#version-{record.history_id}",
            anchor="",
            updated=record.history_date,
            point=point,
            category=entry.category.name,
        )


def _headline(record, labels):
    """ "Created", "Published", "Archived; changed Name", "Changed Name, Summary"."""
    status = field_label("status")
    others = [label for label in labels if label != status]
    if status not in labels:
        return ", ".join(others) if labels == ["Created"] else f"Changed {', '.join(others)}"
    said = record.get_status_display()
    return f"{said}; changed {', '.join(others)}" if others else said


def _case_version_items(entry):
    page = entry.get_absolute_url()
    point = public_point(entry)
    for version in case_versions(entry):
        record = version["record"]
        kind = record.instance_type._meta.model_name
        case_id = record.id if kind == "threatcase" else record.case_id
        changed = ", ".join(version["changed"])
        yield FeedItem(
            title=f"{entry.name}: {version['what']} ({changed})",
            text=f"{version['what']}: {changed}.",
            link=f"{page}#case-{case_id}",
            anchor=f"{kind}-version-{record.history_id}",
            updated=record.history_date,
            point=point,
            category="Threat case",
        )


def _archived_item(entry):
    archived = entry.history.filter(status=Entry.Status.ARCHIVED).order_by("-history_id").first()
    when = archived.history_date if archived else entry.updated_at
    day = date_format(when, "j F Y")
    return FeedItem(
        title=f"{entry.name}: Archived",
        text=f"{entry.name} was archived on {day} and is no longer on the map.",
        link=reverse("entry-list"),
        anchor=f"archived-{entry.slug}-{archived.history_id if archived else entry.version}",
        updated=when,
    )


def threat_news():
    """FeedItems for the public active threat cases and their public events, the most recently
    changed or added first, FEED_LENGTH at most."""
    active = ThreatCase.Status.ACTIVE
    cases = ThreatCase.objects.public().filter(status=active).select_related("entry")
    events = ThreatEvent.objects.public().filter(case__status=active)
    events = events.select_related("case", "case__entry")
    items = [
        *(_case_item(case) for case in cases.order_by("-updated_at", "-id")[:FEED_LENGTH]),
        *(_event_item(event) for event in events.order_by("-created_at", "-id")[:FEED_LENGTH]),
    ]
    return sorted(items, key=attrgetter("updated"), reverse=True)[:FEED_LENGTH]


def _case_item(case):
    opened = date_format(case.opened_on, "j F Y")
    return FeedItem(
        title=f"{case.entry.name}: {case.title}",
        text=case.summary or f"{case.get_kind_display()}, known since {opened}.",
        link=case.get_absolute_url(),
        anchor=f"threatcase-{case.pk}",
        updated=case.updated_at,
        published=case.created_at,
        point=public_point(case.entry),
        category=case.get_kind_display(),
    )


def _event_item(event):
    case = event.case
    when = date_format(event.happened_on, "j F Y")
    return FeedItem(
        title=f"{case.entry.name}: {event.get_kind_display()} on {when} ({case.title})",
        text=event.note,
        link=case.get_absolute_url(),
        anchor=f"threatevent-{event.pk}",
        updated=event.created_at,
        published=event.created_at,
        point=public_point(case.entry),
        category=event.get_kind_display(),
    )
