"""Follows, and telling followers what changed.

A write that others may want to hear of calls announce() inside its transaction: that queues
one job (tell_followers) with the event's key, so the job exists exactly when the write does.
The job finds who follows the entry, its category or an area around its public point, and
makes one Notification per person and event (unique by key: a job run twice, or two follows
that both match, tell a person once). Immediate ones are mailed by a job per person at once;
the others wait for the daily or weekly digest (scheduled jobs). Emails go through the queued
email backend, so a mail server that is down delays them and loses none.
"""

import contextvars
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Polygon
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mapapp.models import (
    CaseDeadline,
    Entry,
    Follow,
    Frequency,
    Notification,
    ThreatCase,
)
from mapapp.reads.filters import check_area
from mapapp.reads.public import PUBLIC_FIELDS
from mapapp.services.jobs import enqueue

Kind = Notification.Kind
# Most urgent first: a person who follows an entry at once and its category weekly hears of it
# at once.
URGENCY = [Frequency.IMMEDIATE, Frequency.DAILY, Frequency.WEEKLY]
# Who hears of what: an entry's own followers of everything about it; followers of its
# category or of an area around it of its publication and of threats to it.
AUDIENCE = {
    Kind.PUBLISHED: ("category", "area"),
    Kind.CHANGED: ("entry",),
    Kind.ARCHIVED: ("entry",),
    Kind.EVENT: ("entry", "category", "area"),
    Kind.DEADLINE: ("entry", "category", "area"),
}
UNSUBSCRIBE_SALT = "commons.follows.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)
NOTIFICATION_BATCH = 1000


# --- following ---------------------------------------------------------------------------


def follow_entry(*, user, entry, frequency=Frequency.IMMEDIATE):
    if entry.status != Entry.Status.PUBLISHED:
        raise ValidationError("Only published entries can be followed.")
    return _follow(user, frequency, entry=entry)


def follow_category(*, user, category, frequency=Frequency.IMMEDIATE):
    return _follow(user, frequency, category=category)


def follow_area(*, user, bbox, name="", frequency=Frequency.IMMEDIATE):
    """Follow the box (minlon, minlat, maxlon, maxlat, already parsed); at most about a
    country, as for an area's feed (check_area)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    try:
        check_area(bbox)
    except ValueError as error:
        raise ValidationError(f"{error} Zoom in and try again.") from None
    if max_lon <= min_lon or max_lat <= min_lat:
        raise ValidationError("This area has no size: give two different corners.")
    area = Polygon.from_bbox(bbox)
    with transaction.atomic():
        # The person's row locked: two identical follows sent at once make one.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        same = Follow.objects.filter(user=user, area__equals=area).first()
        if same is None:
            return _follow(user, frequency, area=area, area_name=name.strip()[:120])
        # The same box again: one follow, renamed and at the pace asked.
        same.area_name = name.strip()[:120] or same.area_name
        same.frequency = frequency
        same.full_clean(validate_constraints=False)
        same.save(update_fields=["area_name", "frequency"])
        return same


def _follow(user, frequency, **target):
    follow = Follow(user=user, frequency=frequency, **target)
    follow.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            follow.save()
    except IntegrityError:
        # Following an entry or category twice is following it: the earlier follow stays, with
        # the frequency asked (areas have no such constraint: follow_area looks first).
        follow = Follow.objects.get(user=user, **target)
        follow_set_frequency(follow=follow, frequency=frequency)
    return follow


def follow_set_frequency(*, follow, frequency):
    if frequency not in Frequency.values:
        raise ValidationError(f"Choose how often: {', '.join(Frequency.values)}.")
    follow.frequency = frequency
    follow.save(update_fields=["frequency"])
    return follow


def unfollow(*, follow):
    """Stop a follow, and what it left waiting for a digest that no other follow reaches."""
    user = follow.user_id
    with transaction.atomic():
        follow.delete()
        waiting = Notification.objects.filter(user_id=user, sent_at__isnull=True)
        stale = [
            n.pk
            for n in waiting.select_related("entry")
            if user not in followers(n.entry, AUDIENCE[n.kind])
        ]
        Notification.objects.filter(pk__in=stale).delete()


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribing(token):
    """The account an unsubscribe token was made for, or ValidationError for a token that is
    forged or too old."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            "This unsubscribe link has expired. Sign in to choose what you follow."
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "This unsubscribe link is not valid: it may have been cut short. Nothing was changed."
        ) from None


def unsubscribe(token):
    """Stop every follow of the person the token was made for; how many there were (not
    which: the link may have been forwarded)."""
    user_id = unsubscribing(token)
    with transaction.atomic():
        stopped, _ = Follow.objects.filter(user_id=user_id).delete()
        Notification.objects.filter(user_id=user_id, sent_at__isnull=True).delete()
    return stopped


# --- telling -----------------------------------------------------------------------------


# Announcements gathered by announcing_in_bulk, or None to queue each at once.
_gathered = contextvars.ContextVar("announcements", default=None)
# Announcements told by one job when gathered in bulk.
ANNOUNCE_BATCH = 500


def announce(kind, entry, *, key=None, detail=""):
    """Queue the telling of an event about entry: call it inside the write's transaction."""
    key = key or f"{kind}:{entry.pk}:{entry.version}"
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append((kind, entry.pk, key, detail))
        return
    enqueue("mapapp.services.follows.tell_followers", kind, entry.pk, key, detail, name=key)


@contextmanager
def announcing_in_bulk():
    """Within it, announcements are gathered and queued, when it ends without an error, as
    jobs of ANNOUNCE_BATCH each: an import of 100,000 entries would otherwise queue 100,000
    jobs, and mail an at-once follower once per entry."""
    gathered = []
    token = _gathered.set(gathered)
    try:
        yield gathered
    finally:
        _gathered.reset(token)
    for start in range(0, len(gathered), ANNOUNCE_BATCH):
        batch = gathered[start : start + ANNOUNCE_BATCH]
        enqueue("mapapp.services.follows.tell_followers_batch", batch, name="announcements")


def announce_published(entry):
    # Once per entry: published again after an archive, it is not news to its followers.
    announce(Kind.PUBLISHED, entry, key=f"published:{entry.pk}")


def announce_edit(entry):
    """After a save of entry: news to its followers only if the public sees a change."""
    if entry.status == Entry.Status.PUBLISHED and _changed_publicly(entry):
        announce(Kind.CHANGED, entry)


# The entry's columns a public surface shows (PUBLIC_FIELDS' sources, the public point for the
# location); a save that changes none of them, e.g. a private contact email, is not news.
NEWSWORTHY = {field.source.split("__")[0] for field in PUBLIC_FIELDS} - {
    "slug",
    "updated_at",
    "published_at",
    "version",
} | {"public_point"}


def _changed_publicly(entry):
    newest, *older = entry.history.order_by("-history_id")[:2]
    if not older:
        return True
    return bool(set(newest.diff_against(older[0]).changed_fields) & NEWSWORTHY)


def announce_status(entry):
    """After a moderation decision moved entry to its status."""
    if entry.status == Entry.Status.PUBLISHED:
        announce_published(entry)
    elif entry.status == Entry.Status.ARCHIVED:
        announce(Kind.ARCHIVED, entry)


def announce_event(event):
    detail = f"{event.get_kind_display()}, {event.happened_on:%-d %B %Y}"
    announce(Kind.EVENT, event.case.entry, key=f"event:{event.pk}", detail=detail)


def alert_deadlines(today=None):
    """Scheduled job (daily): announce each public case's deadline once as it comes within
    each of DEADLINE_ALERT_DAYS (14 and 3 days by default). A deadline first seen already
    close is told at its nearest threshold only, not at every one it has passed."""
    today = today or timezone.localdate()
    thresholds = sorted(settings.DEADLINE_ALERT_DAYS)
    last = today + timedelta(days=thresholds[-1])
    due = (
        CaseDeadline.objects.filter(
            due_on__gte=today,
            due_on__lte=last,
            case__in=ThreatCase.objects.public().filter(status=ThreatCase.Status.ACTIVE),
        )
        .select_related("case__entry", "rule")
        .order_by("due_on", "pk")
    )
    for deadline in due:
        days = (deadline.due_on - today).days
        threshold = next(t for t in thresholds if days <= t)
        case = deadline.case
        key = f"deadline:{case.pk}:{deadline.rule_id}:{deadline.due_on}:{threshold}"
        detail = f"{deadline.rule.name} on {deadline.due_on:%-d %B %Y} ({case.title})"
        announce(Kind.DEADLINE, case.entry, key=key, detail=detail[:300])
    return len(due)


def tell_followers(kind, entry_id, key, detail=""):
    """Job: one notification per follower of the event, and a mail job for those who want it
    at once."""
    told, at_once = _notify(kind, entry_id, key, detail)
    for user in at_once:
        enqueue("mapapp.services.follows.send_now", user, name="alert")
    return told


def tell_followers_batch(announcements):
    """Job: tell_followers for each of a batch of (kind, entry id, key, detail), with one
    mail job per at-once follower for the whole batch."""
    told, waiting = 0, set()
    for kind, entry_id, key, detail in announcements:
        count, at_once = _notify(kind, entry_id, key, detail)
        told += count
        waiting |= at_once
    for user in sorted(waiting):
        enqueue("mapapp.services.follows.send_now", user, name="alert")
    return told


def _notify(kind, entry_id, key, detail):
    """(notifications made, the followers who want them at once)."""
    entry = Entry.objects.select_related("category").filter(pk=entry_id).first()
    if entry is None or (kind != Kind.ARCHIVED and entry.status != Entry.Status.PUBLISHED):
        return 0, set()  # withdrawn before its followers were told: nothing public to say
    wanted = followers(entry, AUDIENCE[kind])
    rows = [
        Notification(user_id=user, key=key, entry=entry, kind=kind, detail=detail, frequency=f)
        for user, f in wanted.items()
    ]
    Notification.objects.bulk_create(rows, batch_size=NOTIFICATION_BATCH, ignore_conflicts=True)
    return len(rows), {user for user, f in wanted.items() if f == Frequency.IMMEDIATE}


def followers(entry, audience):
    """{user id: the most urgent frequency among their follows that reach entry}."""
    reach = Q(pk__in=[])
    if "entry" in audience:
        reach |= Q(entry=entry)
    if "category" in audience:
        reach |= Q(category_id=entry.category_id)
    if "area" in audience:
        # The public point: an area drawn around a withheld exact address tells nothing more.
        reach |= Q(area__contains=entry.public_point)
    # Accounts that can be written to: not deactivated, with an address to write to.
    reach &= Q(user__is_active=True) & ~Q(user__email="")
    found = {}
    for user, frequency in Follow.objects.filter(reach).values_list("user_id", "frequency"):
        if user not in found or URGENCY.index(frequency) < URGENCY.index(found[user]):
            found[user] = frequency
    return found


def send_now(user_id):
    """Job: mail a person what is waiting for them at once (one email, however many)."""
    return _send(user_id, Frequency.IMMEDIATE)


def send_digests(frequency):
    """Scheduled job: each person's daily or weekly digest."""
    waiting = Notification.objects.filter(frequency=frequency, sent_at__isnull=True)
    users = sorted(set(waiting.values_list("user_id", flat=True)))
    return sum(_send(user, frequency) for user in users)


def _send(user_id, frequency):
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update()
            .filter(user_id=user_id, frequency=frequency, sent_at__isnull=True)
            .select_related("entry", "entry__category", "user")
        )
        if not waiting:
            return 0
        _email(waiting, frequency).send()
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(sent_at=timezone.now())
    return 1


def _email(notifications, frequency):
    user = notifications[0].user
    unsubscribe_url = absolute(reverse("unsubscribe", args=[unsubscribe_token(user)]))
    lines = email_lines(notifications)
    if frequency == Frequency.IMMEDIATE and len(notifications) == 1:
        subject = f"{notifications[0].entry.name} {notifications[0].get_kind_display()}"
    else:
        subject = f"What changed in what you follow ({len(notifications):,})"
    body = "\n\n".join(
        [
            "News from Commons Map about what you follow:",
            "\n".join(lines),
            f"Choose what you follow and how often: {absolute(reverse('account-follows'))}",
            f"Stop all these emails: {unsubscribe_url}",
        ]
    )
    return EmailMessage(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"[:200],
        body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# An import publishes a whole list at once: more than FOLD_AT entries of one list published in
# one email are told as one line, not as thousands; and no email runs past EMAIL_LINES lines.
FOLD_AT = 5
EMAIL_LINES = 200


def email_lines(notifications):
    """The email's lines, in the notifications' order: each list's publications folded into
    one line where an import published more than FOLD_AT of them."""
    lists = {}
    for n in notifications:
        if n.kind == Kind.PUBLISHED and n.entry.imported_at and n.entry.source:
            lists.setdefault(n.entry.source, []).append(n)
    folded = {source for source, told in lists.items() if len(told) > FOLD_AT}
    lines, done = [], set()
    for n in notifications:
        source = n.entry.source if n.kind == Kind.PUBLISHED and n.entry.imported_at else None
        if source not in folded:
            lines.append(line(n))
        elif source not in done:
            done.add(source)
            lines.append(list_line(source, lists[source]))
    if len(lines) > EMAIL_LINES:
        more = len(lines) - EMAIL_LINES
        lines = [*lines[:EMAIL_LINES], f"- and {more:,} more: {absolute(reverse('home'))}"]
    return lines


def list_line(source, notifications):
    names = ", ".join(n.entry.name for n in notifications[:3])
    return (
        f"- {len(notifications):,} entries from the list {source} were published, among "
        f"them {names}\n  {absolute(reverse('entry-list'))}"
    )


def line(notification):
    entry = notification.entry
    said = f"- {entry.name} ({entry.category.name}) {notification.get_kind_display()}"
    if notification.detail:
        said += f": {notification.detail}"
    return f"{said}\n  {absolute(entry.get_absolute_url())}"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


# The scheduled jobs, kept in django-q2's schedule table by every `migrate` (mapapp/apps.py).
SCHEDULES = {
    "Daily digests": ("mapapp.services.follows.send_digests", "'daily'", "D"),
    "Weekly digests": ("mapapp.services.follows.send_digests", "'weekly'", "W"),
    "Deadline alerts": ("mapapp.services.follows.alert_deadlines", "", "D"),
    "Freshness reminders": ("mapapp.services.freshness.remind_owners", "", "D"),
    "Import file retention": ("mapapp.services.imports.import_files_expire", "", "H"),
}


def ensure_schedules(using="default", **kwargs):
    """Create or correct the scheduled jobs: at DIGEST_HOUR, the weekly one on Mondays."""
    from django_q.models import Schedule

    for name, (func, args, kind) in SCHEDULES.items():
        Schedule.objects.using(using).update_or_create(
            name=name,
            defaults={
                "func": func,
                "args": args,
                "schedule_type": kind,
                "repeats": -1,
                "next_run": next_run(weekly=kind == "W"),
            },
        )


def next_run(*, weekly, now=None):
    now = timezone.localtime(now)
    run = now.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if run <= now:
        run += timedelta(days=1)
    while weekly and run.weekday() != 0:
        run += timedelta(days=1)
    return run
