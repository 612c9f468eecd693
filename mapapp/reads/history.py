"""The public history of an entry: what changed and when, and at most the editor's chosen
display name — never their account, email or address.

Which fields count is the model's own list (django-simple-history's tracked, editable
fields, compared by `diff_against`); labels are the fields' verbose names. The public history
shows no values: a withheld location or street address would leak through them. Only
`changes_since`, for the editor whose save met a newer version, gives values, of fields that
editor may see.
"""

from django.utils.text import capfirst

from mapapp.models import Entry

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
