"""Writes: every change to Commons Map data goes through a function here."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from mapapp import permissions
from mapapp.location import public_point_for
from mapapp.models import ChangeRequest, Entry, ModerationDecision, Report, Tag

# Fields a contributor may set or change; everything else is derived or moderator-only.
EDITABLE_FIELDS = [
    "name",
    "summary",
    "description",
    "category",
    "location",
    "precision",
    "address",
    "locality",
    "postcode",
    "website",
    "email",
    "phone",
    "opening_times",
    "threat",
    "threat_note",
]

SLUG_ATTEMPTS = 50


class StaleVersion(Exception):
    """The entry changed since the editor loaded it; their save would overwrite that."""

    def __init__(self, entry):
        super().__init__(f"Entry {entry.slug} is now at version {entry.version}.")
        self.entry = entry


def tags_from_names(names):
    """Tags for the given names, creating the ones that do not exist yet."""
    tags = []
    for name in {n.strip() for n in names if n and n.strip()}:
        slug = slugify(name)[:60] or "tag"
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name[:60]})
        tags.append(tag)
    return tags


def entry_create(*, author, data, tags=()):
    """Create an entry (pending unless data says otherwise) with a unique slug."""
    entry = Entry(created_by=author, **data)
    _refresh_derived(entry, tags)
    entry.full_clean(exclude=["slug"])
    if entry.status == Entry.Status.PUBLISHED:
        entry.published_at = timezone.now()
    with transaction.atomic():
        _save_with_unique_slug(entry)
        entry.tags.set(tags)
    return entry


def entry_update(*, entry, data, expected_version, tags=None, editor=None):
    """Apply data to entry unless someone else saved it since expected_version."""
    with transaction.atomic():
        # Lock the row: two editors can save the same entry at once.
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        current._history_user = editor
        for field, value in data.items():
            setattr(current, field, value)
        if tags is None:
            tags = list(current.tags.all())
        _refresh_derived(current, tags)
        current.full_clean()
        current.version += 1
        current.save()
        current.tags.set(tags)
    return current


def entry_save_from_admin(*, entry, author, is_new):
    """Save an entry edited in the admin, keeping derived fields and the version right."""
    tags = list(entry.tags.all()) if entry.pk else []
    _refresh_derived(entry, tags)
    if is_new:
        entry.created_by = author
        with transaction.atomic():
            _save_with_unique_slug(entry)
        return entry
    entry.version += 1
    entry.save()
    return entry


def entry_set_status(*, entry, status, editor=None):
    """Move an entry to a moderation status; publishing stamps published_at once."""
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.status == status:
            return current
        current._history_user = editor
        current.status = status
        if status == Entry.Status.PUBLISHED and current.published_at is None:
            current.published_at = timezone.now()
        current.version += 1
        current.save(update_fields=["status", "published_at", "version", "updated_at"])
    return current


def entry_publish(*, entry):
    return entry_set_status(entry=entry, status=Entry.Status.PUBLISHED)


def entry_reject(*, entry):
    return entry_set_status(entry=entry, status=Entry.Status.REJECTED)


def entry_archive(*, entry):
    return entry_set_status(entry=entry, status=Entry.Status.ARCHIVED)


def entry_refresh_tags(*, entry):
    """Recompute the words and tag list stored on an entry after its tags changed."""
    _refresh_derived(entry, list(entry.tags.all()))
    Entry.objects.filter(pk=entry.pk).update(
        search_text=entry.search_text, tag_slugs=entry.tag_slugs
    )


def tag_save(*, tag):
    """Save a tag and refresh the entries that carry it (their stored words and slugs)."""
    with transaction.atomic():
        tag.full_clean()
        tag.save()
        for entry in tag.entries.all():
            entry_refresh_tags(entry=entry)
    return tag


def _refresh_derived(entry, tags):
    if entry.location is not None:
        entry.public_point = public_point_for(entry.location, entry.precision)
    words = [entry.name, entry.summary, entry.description, entry.locality]
    words += [tag.name for tag in tags]
    entry.search_text = "\n".join(w for w in words if w)
    entry.tag_slugs = " ".join(sorted(tag.slug for tag in tags))


def _save_with_unique_slug(entry):
    base = slugify(entry.name)[:200].strip("-") or "entry"
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        entry.slug = base if attempt == 1 else f"{base}-{attempt}"
        if Entry.objects.filter(slug=entry.slug).exists():
            continue
        try:
            # A savepoint, so losing a race for the slug leaves the transaction usable.
            with transaction.atomic():
                entry.save()
            return
        except IntegrityError:
            if not Entry.objects.filter(slug=entry.slug).exists():
                raise
    raise IntegrityError(f"No free slug for {entry.name!r} after {SLUG_ATTEMPTS} attempts.")


def entry_submit(*, author, data, tags=(), contact_email=""):
    """A contributor's new entry: published at once for trusted contributors, else pending."""
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    trusted = permissions.is_trusted(author)
    data["status"] = Entry.Status.PUBLISHED if trusted else Entry.Status.PENDING
    data["source"] = "Contributed on Commons Map"
    entry = Entry(created_by=author, submitter_email=contact_email if not author else "", **data)
    entry._history_user = author
    _refresh_derived(entry, list(tags))
    entry.full_clean(exclude=["slug"])
    if trusted:
        entry.published_at = timezone.now()
    with transaction.atomic():
        _save_with_unique_slug(entry)
        entry.tags.set(tags)
    return entry


def entry_edit(*, entry, editor, data, expected_version, tags=None):
    """An owner's or moderator's direct edit, refused for anyone else."""
    if not permissions.can_edit(editor, entry):
        raise PermissionDenied("Only the entry's owner or a moderator can edit it directly.")
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    return entry_update(
        entry=entry, data=data, expected_version=expected_version, tags=tags, editor=editor
    )


MODERATION_STATUS = {
    ModerationDecision.Action.PUBLISH: Entry.Status.PUBLISHED,
    ModerationDecision.Action.REJECT: Entry.Status.REJECTED,
    ModerationDecision.Action.ARCHIVE: Entry.Status.ARCHIVED,
}


def entry_moderate(*, entry, moderator, action, reason=""):
    """Publish, reject or archive an entry, log the decision and tell the submitter."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can publish, reject or archive entries.")
    if action == ModerationDecision.Action.REJECT and not reason.strip():
        raise ValidationError({"reason": "Give the submitter a reason for the rejection."})
    with transaction.atomic():
        entry = entry_set_status(entry=entry, status=MODERATION_STATUS[action], editor=moderator)
        decision = _decide(entry, moderator, action, reason)
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


def change_request_create(*, entry, proposer, message, changes, contact_email=""):
    """Suggest a change to an entry; it waits in the moderation queue."""
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
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


def change_request_apply(*, change_request, moderator):
    """Apply a suggested change in one step (a moderator has read it)."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can apply suggested changes.")
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if request.status != ChangeRequest.Status.OPEN:
            raise ValidationError("This suggestion has already been decided.")
        entry = request.entry
        data = change_data(request.changes)
        entry = entry_update(
            entry=entry, data=data, expected_version=entry.version, editor=moderator
        )
        request.status = ChangeRequest.Status.APPLIED
        request.save(update_fields=["status"])
        _decide(entry, moderator, ModerationDecision.Action.APPLY_CHANGE, request.message)
    return entry


def change_request_decline(*, change_request, moderator, reason=""):
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can decline suggested changes.")
    with transaction.atomic():
        change_request.status = ChangeRequest.Status.DECLINED
        change_request.save(update_fields=["status"])
        _decide(change_request.entry, moderator, ModerationDecision.Action.DECLINE_CHANGE, reason)
    return change_request


def change_data(changes):
    """Model values for the JSON-safe values a change request stores."""
    from django.contrib.gis.geos import Point

    from mapapp.models import Category

    data = dict(changes)
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
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators can close reports.")
    action = (
        ModerationDecision.Action.RESOLVE_REPORT
        if resolved
        else ModerationDecision.Action.DISMISS_REPORT
    )
    with transaction.atomic():
        report.status = Report.Status.RESOLVED if resolved else Report.Status.DISMISSED
        report.save(update_fields=["status"])
        _decide(report.entry, moderator, action, reason)
    return report


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
        fail_silently=True,
    )


def profile_update(*, user, display_name):
    """Set the only thing ever shown publicly about a contributor."""
    from mapapp.models import Profile

    profile, _ = Profile.objects.get_or_create(user=user)
    profile.display_name = display_name.strip()
    profile.full_clean()
    profile.save()
    return profile


def account_export(*, user):
    """Everything Commons Map holds about an account, as JSON-ready data."""
    from mapapp.models import Profile

    profile = Profile.objects.filter(user=user).first()

    def entry_row(e):
        return {
            "slug": e.slug,
            "name": e.name,
            "status": e.status,
            "created": e.created_at,
            "updated": e.updated_at,
            "longitude": e.location.x,
            "latitude": e.location.y,
            "precision": e.precision,
        }

    return {
        "account": {
            "email": user.email,
            "username": user.get_username(),
            "display_name": profile.display_name if profile else "",
            "joined": user.date_joined,
            "last_login": user.last_login,
        },
        "entries": [entry_row(e) for e in Entry.objects.filter(created_by=user)],
        "reports": list(
            user.reports.values("entry__slug", "kind", "message", "status", "created_at")
        ),
        "change_requests": list(
            user.change_requests.values("entry__slug", "message", "changes", "status", "created_at")
        ),
    }


def account_delete(*, user):
    """Delete an account; its entries stay on the map, no longer linked to anyone."""
    with transaction.atomic():
        Entry.objects.filter(created_by=user).update(created_by=None, submitter_email="")
        # History rows keep what changed, not who changed it.
        Entry.history.filter(history_user=user).update(history_user=None)
        user.delete()


def api_token_renew(*, user):
    """Give the user a fresh API token, revoking any earlier one."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user):
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
