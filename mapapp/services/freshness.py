"""Freshness: when an entry was last confirmed to be still running, and asking its owner.

Verification is by role only (owner, moderator, community), never by a person; a visitor's
"I was there recently" is counted apart, since anyone may press it. None of it is an edit:
it makes no new version or history row (so no one's If-Match goes stale), but it does make
cached reads stale. A daily job (remind_owners) emails the owner of an entry not verified for
FRESHNESS_REMINDER_DAYS, at most once every FRESHNESS_REMINDER_INTERVAL_DAYS, with signed
one-click answers; after FRESHNESS_MAX_REMINDERS unanswered ones the entry is flagged
unverified for the moderators. It stays published: a quiet owner is not a closed place.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mapapp import permissions
from mapapp.models import Entry, Report
from mapapp.services.aggregates import bump_version
from mapapp.services.follows import absolute
from mapapp.services.moderation import report_create

Role = Entry.VerifiedBy
REMINDER_SALT = "commons.freshness.reminder"
# A reminder's links answer it until well after the next reminder would have gone out.
REMINDER_LINK_MAX_AGE = timedelta(days=90)
# The one-click answers a reminder offers: {action: what the confirmation page asks}.
ANSWERS = {
    "running": "Confirm that it is still running",
    "changes": "Open the page to change its details",
    "closed": "Tell the moderators that it has closed",
}
CLOSED_MESSAGE = "Its owner answered a freshness reminder: it has closed."


def verifier_role(user, entry):
    """The role in which user may verify entry: moderator, owner, community (a trusted
    contributor, vouched for by the moderators, who has checked a place not theirs), or
    PermissionDenied."""
    if permissions.is_moderator(user):
        return Role.MODERATOR
    if permissions.is_owner(user, entry):
        return Role.OWNER
    if permissions.is_trusted(user):
        return Role.COMMUNITY
    raise PermissionDenied(
        "Only the entry's owner, a trusted contributor or a moderator can confirm it is running."
    )


def may_verify(user, entry):
    return entry.is_public and (permissions.is_trusted(user) or permissions.is_owner(user, entry))


def entry_verify(*, entry, role, now=None):
    """Record that entry was checked to be running, by role; clears the unverified flag and
    the reminders waiting for an answer."""
    if role not in Role.values:
        raise ValidationError(f"Verified by must be one of {', '.join(Role.values)}.")
    if entry.status != Entry.Status.PUBLISHED:
        raise ValidationError("Only published entries are verified.")
    now = now or timezone.now()
    fields = {
        "verified_at": now,
        "verified_by": role,
        "unverified": False,
        "reminders_sent": 0,
        "reminded_at": None,
    }
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(**fields)
        bump_version()
    for name, value in fields.items():
        setattr(entry, name, value)
    return entry


def entry_confirm_visit(*, entry, now=None):
    """Count a visitor's "I was there recently — it's still here"."""
    if entry.status != Entry.Status.PUBLISHED:
        raise ValidationError("Only published entries can be confirmed.")
    now = now or timezone.now()
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(
            confirmations=F("confirmations") + 1, confirmed_at=now
        )
        bump_version()
    entry.refresh_from_db(fields=["confirmations", "confirmed_at"])
    return entry


def verified_since(when):
    """The condition on entries verified at or after when (the shared filter's)."""
    return Q(verified_at__gte=when)


# --- reminders ---------------------------------------------------------------------------


def owner_address(entry):
    """Where an entry's owner is reached: their account's email, else the anonymous
    suggester's private address; "" when there is nobody to ask."""
    if entry.created_by_id:
        # A deactivated account is not written to; its entry reaches the moderators.
        return entry.created_by.email if entry.created_by.is_active else ""
    return entry.submitter_email


def due_for_reminder(now):
    """Published entries not verified for FRESHNESS_REMINDER_DAYS, not reminded within the
    interval, and not yet flagged unverified."""
    stale = now - timedelta(days=settings.FRESHNESS_REMINDER_DAYS)
    recent = now - timedelta(days=settings.FRESHNESS_REMINDER_INTERVAL_DAYS)
    return (
        Entry.objects.published()
        .filter(unverified=False)
        .annotate(checked=Coalesce("verified_at", "published_at", "created_at"))
        .filter(checked__lt=stale)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=recent))
        .select_related("created_by")
        .order_by("checked", "pk")
    )


def remind_owners(now=None):
    """Scheduled job (daily): remind each due entry's owner once, or flag the entry
    unverified once FRESHNESS_MAX_REMINDERS have gone unanswered; at most
    FRESHNESS_REMINDERS_PER_DAY reminders, the longest unverified first. Returns (reminded,
    flagged)."""
    now = now or timezone.now()
    reminded = flagged = 0
    for entry in due_for_reminder(now).iterator(chunk_size=500):
        if reminded >= settings.FRESHNESS_REMINDERS_PER_DAY:
            break
        # Written only if the row is as read: an owner who confirmed meanwhile (a click
        # between this read and the write) is neither flagged nor reminded again.
        unchanged = Entry.objects.filter(
            pk=entry.pk,
            unverified=False,
            reminders_sent=entry.reminders_sent,
            verified_at=entry.verified_at,
        )
        with transaction.atomic():
            if entry.reminders_sent >= settings.FRESHNESS_MAX_REMINDERS:
                flagged += unchanged.update(unverified=True)
                continue
            # Counted even with nobody to email: an ownerless entry reaches the moderators too.
            sent = entry.reminders_sent + 1
            counted = unchanged.update(reminders_sent=sent, reminded_at=now)
            address = owner_address(entry)
            if counted and address:
                _remind(entry, address)
                reminded += 1
    # Always: flags change public properties, and "verified within" windows move daily, so
    # cached reads and ETags made yesterday are stale.
    bump_version()
    return reminded, flagged


def _remind(entry, address):
    links = "\n".join(
        f"- {label}: {absolute(reverse('freshness-answer', args=[reminder_token(entry, action)]))}"
        for action, label in ANSWERS.items()
    )
    body = "\n\n".join(
        [
            f"Is \u201c{entry.name}\u201d still running? Its entry on Commons Map has not been "
            "confirmed for a while, and people who find it on the map rely on it being current.",
            f"{absolute(entry.get_absolute_url())}",
            f"Answer with one click (each link asks before it acts):\n{links}",
        ]
    )
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Is {entry.name} still running?"
    send_mail(subject[:200], body, None, [address])


def owner_key(entry):
    """Who an entry's reminders are for, as a short key: its owner's account, else the
    suggester's address; keyed with the site's secret, since a signed link can be read (only
    not forged), so nobody holding one can test a guessed address or account against it."""
    owner = f"u{entry.created_by_id}" if entry.created_by_id else entry.submitter_email.lower()
    return salted_hmac(REMINDER_SALT, owner).hexdigest()[:16]


def reminder_token(entry, action):
    """A signed one-click answer, bound to the entry and to whom it was sent: a link
    forwarded from a previous owner's mailbox stops answering once the entry changes hands."""
    if action not in ANSWERS:
        raise ValueError(f"Unknown answer {action!r}.")
    payload = {"e": entry.pk, "a": action, "o": owner_key(entry)}
    return signing.dumps(payload, salt=REMINDER_SALT, compress=True)


def reminder_reading(token):
    """(entry, action) a reminder's link was made for, or ValidationError for a link that is
    forged, too old, or for an entry no longer published."""
    try:
        payload = signing.loads(token, salt=REMINDER_SALT, max_age=REMINDER_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            "This reminder's link has expired. Nothing was changed: open the entry's page to "
            "update it."
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "This reminder's link is not valid: it may have been cut short. Nothing was changed."
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), int):
        raise ValidationError("This reminder's link is not valid. Nothing was changed.")
    entry = Entry.objects.published().filter(pk=payload["e"]).first()
    if entry is None or payload.get("a") not in ANSWERS:
        raise ValidationError("This entry is no longer on the map. Nothing was changed.")
    if payload.get("o") != owner_key(entry):
        raise ValidationError(
            "This reminder was sent to someone who no longer looks after this entry. Nothing "
            "was changed: its owner can confirm it from the entry's page."
        )
    return entry, payload["a"]


def reminder_answer(token):
    """Act on a reminder's one-click answer; returns (entry, action). "running" verifies the
    entry as its owner, "closed" reports it closed to the moderators (once while the report
    is open), "changes" changes nothing (the door opens the edit page)."""
    entry, action = reminder_reading(token)
    if action == "running":
        entry_verify(entry=entry, role=Role.OWNER)
    elif action == "closed":
        reported = entry.reports.filter(kind=Report.Kind.CLOSED, status=Report.Status.OPEN)
        if not reported.exists():
            report_create(
                entry=entry, reporter=None, kind=Report.Kind.CLOSED, message=CLOSED_MESSAGE
            )
    return entry, action


def changes_path(entry):
    """Where "needs changes" leads: the edit page for an owner with an account, else the
    suggestion form (an anonymous suggester has no account to edit with)."""
    name = "entry-edit" if entry.created_by_id else "entry-suggest"
    return reverse(name, args=[entry.slug])
