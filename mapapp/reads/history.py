"""The public history of an entry: what changed and when, and at most the editor's chosen
display name — never their account, email or address.

Which fields count is the model's own list (django-simple-history's tracked, editable
fields, compared by `diff_against`); labels are the fields' verbose names. The public history
shows no values: a withheld location or street address would leak through them. Only
`changes_since`, for the editor whose save met a newer version, gives values, of fields that
editor may see.
"""

from django.utils.formats import date_format
from django.utils.text import capfirst

from mapapp.models import Entry, ThreatCase, ThreatEvent
from mapapp.reads.threats import CASE_PUBLIC_FIELDS, EVENT_PUBLIC_FIELDS

# The model's field order, so a version lists its changes as the entry's page does.
FIELD_ORDER = {field.name: n for n, field in enumerate(Entry._meta.fields)}


def field_label(name):
    """How pages name one of an entry's fields."""
    return capfirst(Entry._meta.get_field(name).verbose_name)


def public_name(user):
    """What the public may see of an editor: their chosen display name, or nothing."""
    profile = getattr(user, "profile", None) if user else None
    return profile.display_name if profile and profile.display_name else ""


def entry_versions(entry):
    """Each recorded version of entry, newest first, as {"record", "changed", "by"}: the
    labels of the fields it changed ("Created" for the first) and the editor's public name."""
    records = list(entry.history.select_related("history_user__profile").order_by("-history_id"))
    return [
        {
            "record": record,
            "changed": changed_labels(record, older),
            "by": public_name(record.history_user),
        }
        for record, older in zip(records, records[1:] + [None], strict=True)
    ]


def changed_labels(record, older):
    """Labels of the fields record changed from the older version; "Created" for the first."""
    if older is None:
        return ["Created"]
    return [field_label(field) for field in changed_fields(record, older)]


def changed_fields(record, older):
    """Names of the fields record changed from the older version, in the model's order."""
    return sorted(record.diff_against(older).changed_fields, key=FIELD_ORDER.__getitem__)


def changes_since(entry, version):
    """(label, value now) for each field changed since entry was at version, leaving out its
    status: what an editor who started from that version would overwrite. Empty when no
    record of that version is left."""
    records = entry.history.order_by("-history_id")
    base = records.filter(version=version).first()
    if base is None:
        return []
    return [
        (field_label(field), getattr(entry, field))
        for field in changed_fields(records.first(), base)
        if field != "status"
    ]


def case_versions(entry):
    """Each recorded version of the entry's public cases and their public events, newest
    first, as {"record", "what", "changed", "by"}: which case or event, the labels of the
    public fields it changed ("Created", "Accepted" for a moderator's review) and the editor's
    public name. Like the entry's history, no values: only the case or event as it is now."""
    if not entry.is_public:
        return []
    cases = {c.pk: c for c in entry.cases.filter(review=ThreatCase.Review.ACCEPTED)}
    events = ThreatEvent.objects.filter(case_id__in=cases, review=ThreatEvent.Review.ACCEPTED)
    events = {e.pk: e for e in events}
    versions = [
        *_versions(ThreatCase, cases, CASE_PUBLIC_FIELDS, _case_named),
        *_versions(ThreatEvent, events, EVENT_PUBLIC_FIELDS, lambda e: _event_named(e, cases)),
    ]
    return sorted(versions, key=lambda v: v["record"].history_date, reverse=True)


def _versions(model, items, fields, named):
    records = model.history.filter(id__in=items).select_related("history_user__profile")
    by_item = {}
    for record in records.order_by("-history_id"):
        by_item.setdefault(record.id, []).append(record)
    versions = []
    for pk, kept in by_item.items():
        for record, older in zip(kept, kept[1:] + [None], strict=True):
            changed = _changed(model, record, older, fields)
            if changed:  # a save that changed nothing public is not a public change
                what, by = named(items[pk]), public_name(record.history_user)
                versions.append({"record": record, "what": what, "changed": changed, "by": by})
    return versions


def _changed(model, record, older, fields):
    if older is None:
        return ["Created"]
    # Compared by hand: diff_against skips fields not editable, and the review is one.
    changed = {
        name for name in (*fields, "review") if getattr(record, name) != getattr(older, name)
    }
    labels = [
        capfirst(model._meta.get_field(name).verbose_name) for name in fields if name in changed
    ]
    if "review" in changed:
        labels.append(record.get_review_display())
    return labels


def _case_named(case):
    return f"Case \u201c{case.title}\u201d"


def _event_named(event, cases):
    when = date_format(event.happened_on, "j F Y")
    return (
        f"Event \u201c{event.get_kind_display()}\u201d of {when}, "
        f"case \u201c{cases[event.case_id].title}\u201d"
    )
