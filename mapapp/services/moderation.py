"""Moderators' writes: decisions, reverts, suggested changes and reports."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction

from mapapp import permissions
from mapapp.models import EDITABLE_FIELDS, ChangeRequest, Entry, ModerationDecision, Report
from mapapp.services.entries import editable_data, entry_set_status, entry_update

MODERATION_STATUS = {
    ModerationDecision.Action.PUBLISH: Entry.Status.PUBLISHED,
    ModerationDecision.Action.REJECT: Entry.Status.REJECTED,
    ModerationDecision.Action.ARCHIVE: Entry.Status.ARCHIVED,
}


def entry_moderate(*, entry, moderator, action, reason="", expected_status=None):
    """Publish, reject or archive an entry, log the decision and tell the submitter.

    With expected_status (the queue decides pending entries), an entry found in another
    status was decided by someone else meanwhile: nothing changes and ValidationError says so.
    """
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can publish, reject or archive entries.")
    if action == ModerationDecision.Action.REJECT and not reason.strip():
        raise ValidationError({"reason": "Give the submitter a reason for the rejection."})
    with transaction.atomic():
        # Lock the row: two moderators can publish the same entry at once; the second one's
        # click finds it decided and changes, logs and sends nothing.
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.status == MODERATION_STATUS[action]:
            return current
        if expected_status is not None and current.status != expected_status:
            status = current.get_status_display().lower()
            raise ValidationError(f"This entry has already been decided: it is {status} now.")
        entry = entry_set_status(entry=current, status=MODERATION_STATUS[action], editor=moderator)
        decision = _decide(entry, moderator, action, reason)
        # Inside the transaction: the email's job commits with the decision, or neither does.
        _tell_submitter(entry, decision)
    return entry


def entry_revert(*, entry, moderator, history_id, reason=""):
    """Restore an entry's fields as they were in one of its recorded versions."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can revert entries.")
    record = entry.history.get(history_id=history_id)
    data = {field: getattr(record, field) for field in EDITABLE_FIELDS if field != "category"}
    data["category_id"] = record.category_id
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        entry = entry_update(
            entry=current, data=data, expected_version=current.version, editor=moderator
        )
        _decide(
            entry,
            moderator,
            ModerationDecision.Action.REVERT,
            reason or f"Reverted to the version of {record.history_date:%Y-%m-%d %H:%M}.",
        )
    return entry


# From finest to coarsest: what a change of precision reveals.
PRECISION_RANK = {Entry.Precision.EXACT: 0, Entry.Precision.APPROXIMATE: 1, Entry.Precision.AREA: 2}


def change_request_create(*, entry, proposer, message, changes, contact_email=""):
    """Suggest a change to an entry; it waits in the moderation queue."""
    changes = editable_data(changes)
    if _reveals_withheld_location(entry, changes):
        raise ValidationError(
            {
                "precision": "A suggestion can make the location more precise only by placing "
                "the pin where the place is."
            }
        )
    request = ChangeRequest(
        entry=entry,
        proposer=proposer,
        message=message,
        changes=changes,
        base_version=entry.version,
        contact_email="" if proposer else contact_email,
    )
    request.full_clean()
    request.save()
    return request


def suggested_changes(*, shown, proposed):
    """JSON-safe {field: new value} for the fields a suggestion changes from what its proposer
    was shown: the public view of the entry, so an untouched pin or address is no change.

    Both hold editable fields' values, with the location as `longitude` and `latitude`."""
    changes = {}
    for name in EDITABLE_FIELDS:
        if name == "location" or name not in proposed:
            continue
        value = proposed[name]
        new = value.slug if hasattr(value, "slug") else value
        if str(new) != str(shown.get(name, "")):
            changes[name] = new
    point = [proposed["longitude"], proposed["latitude"]]
    if _rounded(point) != _rounded([shown["longitude"], shown["latitude"]]):
        changes["location"] = point
    return changes


def _rounded(coords):
    # Coordinates come back through float parsing and the database: 7 decimals (about 1 cm)
    # tell an unmoved point from a moved one.
    return [round(c, 7) for c in coords]


def _reveals_withheld_location(entry, changes):
    # Applied, a finer precision without a new point would publish the point the owner
    # withheld, to whoever asked; with a new point it publishes only what the suggester gave.
    finer = changes.get("precision")
    if finer is None or "location" in changes:
        return False
    return PRECISION_RANK.get(finer, 0) < PRECISION_RANK.get(entry.precision, 0)


class StaleSuggestion(Exception):
    """Someone changed fields a suggestion changes since it was made; applying would undo that.

    `fields` lists {"field", "then", "now", "suggested"} for each such field, and `entry` is
    the entry as it is now (its version is what an "apply anyway" must confirm).
    """

    def __init__(self, change_request, entry, fields):
        names = ", ".join(f["field"] for f in fields)
        super().__init__(f"Changed since the suggestion was made: {names}.")
        self.change_request = change_request
        self.entry = entry
        self.fields = fields


def change_request_apply(*, change_request, moderator, confirm_version=None):
    """Apply a suggested change (a moderator has read it).

    When a field it changes was changed by someone else since the suggestion was made, it is
    applied only if the moderator confirmed the entry's current version (they saw then / now /
    suggested); otherwise StaleSuggestion says what moved.
    """
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can apply suggested changes.")
    with transaction.atomic():
        request = _open_for_decision(ChangeRequest, change_request, "suggestion")
        # Lock the entry too: an edit landing between the comparison and the save would be lost.
        entry = Entry.objects.select_for_update().get(pk=request.entry_id)
        data = change_data(request.changes)
        moved = _moved_fields(request, entry, data)
        if moved and confirm_version != entry.version:
            raise StaleSuggestion(request, entry, moved)
        entry = entry_update(
            entry=entry, data=data, expected_version=entry.version, editor=moderator
        )
        request.status = ChangeRequest.Status.APPLIED
        request.save(update_fields=["status"])
        _decide(entry, moderator, ModerationDecision.Action.APPLY_CHANGE, request.message)
    return entry


def _moved_fields(change_request, entry, data):
    """The fields a suggestion changes that were changed since its base version, three ways."""
    if entry.version == change_request.base_version:
        return []
    then = entry.history.filter(version=change_request.base_version).order_by("-history_id").first()
    moved = []
    for field, suggested in data.items():
        now = getattr(entry, field)
        # No record of the base version: nothing proves the field stood still, so show it.
        was = getattr(then, field) if then is not None else None
        if then is not None and _same(was, now):
            continue
        if _same(now, suggested):
            continue  # someone already made this very change
        moved.append({"field": field, "then": was, "now": now, "suggested": suggested})
    return moved


def _same(a, b):
    return _comparable(a) == _comparable(b)


def _comparable(value):
    if hasattr(value, "coords"):
        return tuple(_rounded(value.coords))
    if hasattr(value, "pk"):
        return value.pk
    return "" if value is None else str(value)


def change_request_decline(*, change_request, moderator, reason=""):
    """Decline a suggested change, once: a second moderator's click is refused."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can decline suggested changes.")
    with transaction.atomic():
        request = _open_for_decision(ChangeRequest, change_request, "suggestion")
        request.status = ChangeRequest.Status.DECLINED
        request.save(update_fields=["status"])
        _decide(request.entry, moderator, ModerationDecision.Action.DECLINE_CHANGE, reason)
    return request


def change_data(changes):
    """Model values for the JSON-safe values a change request stores."""
    from django.contrib.gis.geos import Point

    from mapapp.models import Category

    # Only editable fields: a stored suggestion edited in the admin must not carry a status.
    data = editable_data(changes)
    if "category" in data:
        data["category"] = Category.objects.get(slug=data["category"])
    if "location" in data:
        data["location"] = Point(*data["location"], srid=4326)
    return data


def report_create(*, entry, reporter, kind, message=""):
    """Report a problem with an entry to the moderators."""
    report = Report(entry=entry, reporter=reporter, kind=kind, message=message)
    report.full_clean()
    report.save()
    return report


def report_close(*, report, moderator, resolved, reason=""):
    """Resolve or dismiss a report, once: a second moderator's click is refused."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can close reports.")
    action = (
        ModerationDecision.Action.RESOLVE_REPORT
        if resolved
        else ModerationDecision.Action.DISMISS_REPORT
    )
    with transaction.atomic():
        report = _open_for_decision(Report, report, "report")
        report.status = Report.Status.RESOLVED if resolved else Report.Status.DISMISSED
        report.save(update_fields=["status"])
        _decide(report.entry, moderator, action, reason)
    return report


def _open_for_decision(model, item, noun):
    # Lock the row: two moderators can decide the same item at once, and only one may.
    current = model.objects.select_for_update().get(pk=item.pk)
    if current.status != model.Status.OPEN:
        raise ValidationError(f"This {noun} has already been decided.")
    return current


def _decide(entry, moderator, action, reason):
    decision = ModerationDecision(entry=entry, moderator=moderator, action=action, reason=reason)
    decision.full_clean()
    decision.save()
    return decision


def _tell_submitter(entry, decision):
    address = entry.created_by.email if entry.created_by else entry.submitter_email
    if not address or decision.action not in MODERATION_STATUS:
        return
    verb = dict(ModerationDecision.Action.choices)[decision.action].lower()
    body = f"Your entry \u201c{entry.name}\u201d on Commons Map was {verb}."
    if decision.reason:
        body += f"\n\nThe moderator's reason:\n{decision.reason}"
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your entry was {verb}",
        body,
        None,
        [address],
    )
