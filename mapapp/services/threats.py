"""Writes to threat cases and their events, and what they derive: the cases' deadlines and
the entry's threat (an active case: at risk; a last case lost: lost)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mapapp import deadlines, permissions
from mapapp.models import (
    CaseDeadline,
    DeadlineRule,
    Entry,
    ModerationDecision,
    ThreatCase,
    ThreatEvent,
)
from mapapp.models.threats import CASE_FIELDS, EVENT_FIELDS
from mapapp.services import follows
from mapapp.services.aggregates import bump_version, public_change
from mapapp.web import ratelimit

# Contributions waiting for review, per account and hour, through any door: one account must
# not flood the moderators' queue.
PENDING_PER_HOUR = 20


class TooManyContributions(Exception):
    """An account passed PENDING_PER_HOUR contributions awaiting review; `wait` is seconds."""

    def __init__(self, wait):
        super().__init__(f"Too many contributions awaiting review; wait {wait} seconds.")
        self.wait = wait


def may_publish_directly(user, entry):
    """The entry's owner, trusted contributors and moderators add cases and events without
    review; anyone else's wait for a moderator, like any suggestion."""
    return permissions.can_edit(user, entry) or permissions.is_trusted(user)


def case_create(*, entry, author, data, review=ThreatCase.Review.ACCEPTED):
    """The one way a case comes to exist: validated, saved, and the entry's threat derived."""
    case = ThreatCase(entry=entry, created_by=author, review=review, **_only(data, CASE_FIELDS))
    case._history_user = author
    with transaction.atomic():
        case.full_clean()
        case.save()
        _refresh(case)
    return case


def case_submit(*, entry, author, data):
    """A contributor's new case: public at once when may_publish_directly, else pending
    (and counted against PENDING_PER_HOUR)."""
    _refuse_if_not_public(entry, author)
    review = _review_for(author, entry)
    _count_pending(author, review)
    return case_create(entry=entry, author=author, data=data, review=review)


class StaleCase(Exception):
    """The case changed since the editor loaded it; their save would overwrite that."""

    def __init__(self, case):
        super().__init__(f"Case {case.pk} is now at version {case.version}.")
        self.case = case


def case_update(*, case, editor, data, expected_version=None):
    """An owner's, trusted contributor's or moderator's edit of a case (its status included).

    With expected_version (the pages and the API always give it), an edit of a case someone
    saved since raises StaleCase and changes nothing."""
    if not may_publish_directly(editor, case.entry):
        raise PermissionDenied(
            "Only the entry's owner, trusted contributors or moderators edit cases."
        )
    with transaction.atomic():
        # Lock the row: two people can close the same case at once.
        current = ThreatCase.objects.select_for_update().get(pk=case.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleCase(current)
        current._history_user = editor
        for field, value in _only(data, CASE_FIELDS).items():
            setattr(current, field, value)
        current.full_clean()
        current.version += 1
        current.save()
        _set_aside_scheduled_events(current, editor)
        _refresh(current)
    return current


def _set_aside_scheduled_events(case, editor):
    """Decline the events a closed case still had to come (kept in their history): a case
    withdrawn before its consultation closes has no consultation left to close."""
    if case.is_active:
        return
    later = case.events.filter(happened_on__gt=case.closed_on)
    for event in later.exclude(review=ThreatEvent.Review.DECLINED):
        event.review = ThreatEvent.Review.DECLINED
        event._history_user = editor
        event._change_reason = "Set aside: the case closed before it came"
        event.save(update_fields=["review"])


def event_create(*, case, author, data, review=ThreatEvent.Review.ACCEPTED):
    """The one way an event comes to exist; its case's deadlines and entry's threat follow."""
    event = ThreatEvent(case=case, created_by=author, review=review, **_only(data, EVENT_FIELDS))
    event._history_user = author
    with transaction.atomic():
        # Lock the case: an event checked against its dates must not race a closing edit.
        event.case = ThreatCase.objects.select_for_update().get(pk=case.pk)
        if event.case.review == ThreatCase.Review.DECLINED:
            raise ValidationError("This case was declined; events cannot be added to it.")
        event.full_clean()
        event.save()
        _refresh(event.case)
        _announce_if_public(event)
    return event


def _announce_if_public(event):
    if event.is_public:
        follows.announce_event(event)


def event_submit(*, case, author, data):
    """A contributor's new event on a case open to them (case_open_to_events): public at once
    when may_publish_directly, else pending (and counted against PENDING_PER_HOUR)."""
    _refuse_if_not_public(case.entry, author)
    if not case_open_to_events(author, case):
        if ThreatCase.objects.filter(pk=case.pk, review=ThreatCase.Review.DECLINED).exists():
            raise ValidationError("This case was declined; events cannot be added to it.")
        raise PermissionDenied(
            "This case is not public yet: events can be added once a moderator accepts it."
        )
    review = _review_for(author, case.entry)
    _count_pending(author, review)
    return event_create(case=case, author=author, data=data, review=review)


def cases_open_to_events(user, entry):
    """The cases of entry that user may add events to: any not declined for those who may
    publish directly, else the public ones."""
    cases = entry.cases.exclude(review=ThreatCase.Review.DECLINED)
    if may_publish_directly(user, entry):
        return cases
    return cases.filter(review=ThreatCase.Review.ACCEPTED)


def case_open_to_events(user, case):
    return cases_open_to_events(user, case.entry).filter(pk=case.pk).exists()


def _count_pending(author, review):
    if review != ThreatCase.Review.PENDING:
        return
    key = f"user:{author.pk}" if author else "anonymous"
    wait = ratelimit.hit("threat-contribution", key, limit=PENDING_PER_HOUR)
    if wait:
        raise TooManyContributions(wait)


def contribution_review(*, item, moderator, accept):
    """Accept or decline a pending case or event; deciding twice changes nothing."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied("Only moderators review contributed cases and events.")
    model = type(item)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=item.pk)
        if current.review != model.Review.PENDING:
            state = current.get_review_display().lower()
            raise ValidationError(f"This has already been decided: it is {state}.")
        if accept and model is ThreatEvent and current.case.review == ThreatCase.Review.DECLINED:
            raise ValidationError("This event's case was declined, so the event cannot be.")
        current.review = model.Review.ACCEPTED if accept else model.Review.DECLINED
        current._history_user = moderator
        if accept:
            current.full_clean()
        current.save()
        if model is ThreatCase and not accept:
            # Events waiting on a declined case could never be accepted: decline them too.
            current.events.filter(review=ThreatEvent.Review.PENDING).update(
                review=ThreatEvent.Review.DECLINED
            )
        case = current if model is ThreatCase else current.case
        _refresh(case)
        if model is ThreatEvent:
            _announce_if_public(current)
        _log_review(case.entry, moderator, current, accept)
    return current


def _log_review(entry, moderator, item, accept):
    # Logged like every other moderation decision: who, when and what, for moderators only.
    Action = ModerationDecision.Action
    if isinstance(item, ThreatCase):
        action = Action.ACCEPT_CASE if accept else Action.DECLINE_CASE
        what = f"Case \u201c{item.title}\u201d"
    else:
        action = Action.ACCEPT_EVENT if accept else Action.DECLINE_EVENT
        what = f"{item.get_kind_display()} on {item.happened_on:%Y-%m-%d} ({item.case.title})"
    decision = ModerationDecision(
        entry=entry, moderator=moderator, action=action, reason=what[:2000]
    )
    decision.full_clean()
    decision.save()


def rule_save(*, rule):
    """Save a deadline rule and recompute the deadlines of every case it may touch."""
    with transaction.atomic():
        # Lock every rule: two moderators saving A after B and B after A at once must not
        # each pass the loop check before the other's save.
        list(DeadlineRule.objects.select_for_update().values_list("pk"))
        rule.full_clean()
        rule.save()
        deadlines_refresh_all()
        # Deadlines are part of what the public reads of these entries: mark them changed so
        # conditional requests (If-Modified-Since) and caches see the new dates.
        with_cases = ThreatCase.objects.values("entry_id")
        Entry.objects.filter(pk__in=with_cases).update(updated_at=timezone.now())
        bump_version()
    return rule


def deadlines_refresh_all():
    """Recompute every case's deadlines (after the rules change)."""
    rules = _active_rules()
    for pk in ThreatCase.objects.filter(events__isnull=False).distinct().values_list("pk"):
        with transaction.atomic():
            case = ThreatCase.objects.select_related("entry").get(pk=pk[0])
            _lock_entry(case)
            _refresh_deadlines(case, rules)


def threat_refresh(*, entry):
    """Derive the entry's threat and note from its accepted cases, and mark it changed so
    caches and conditional requests see the new record."""
    threat, note = derived_threat(entry.cases.filter(review=ThreatCase.Review.ACCEPTED))
    Entry.objects.filter(pk=entry.pk).update(
        threat=threat, threat_note=note, updated_at=timezone.now()
    )
    public_change([entry.pk])
    entry.threat, entry.threat_note = threat, note


def derived_threat(cases):
    """(threat, note) for a set of accepted cases."""
    cases = sorted(cases, key=lambda c: (c.closed_on or c.opened_on, c.opened_on, c.pk))
    active = [c for c in cases if c.is_active]
    if active:
        return Entry.Threat.AT_RISK, _note(active[-1])
    if cases and cases[-1].status == ThreatCase.Status.LOST:
        return Entry.Threat.LOST, _note(cases[-1])
    return Entry.Threat.NONE, ""


def _note(case):
    return case.summary or case.title


def _refresh(case):
    # Every write of a case or event ends here, in its transaction: locking the entry makes
    # writes to the cases of one entry take turns, so two never derive its deadlines or its
    # threat from each other's half-finished state.
    _lock_entry(case)
    _refresh_deadlines(case)
    threat_refresh(entry=case.entry)


def _lock_entry(case):
    list(Entry.objects.select_for_update().filter(pk=case.entry_id).values_list("pk"))


def _active_rules():
    return list(DeadlineRule.objects.filter(active=True).order_by("pk"))


def _refresh_deadlines(case, rules=None):
    events = list(case.events.filter(review=ThreatEvent.Review.ACCEPTED))
    rules = _active_rules() if rules is None else rules
    CaseDeadline.objects.filter(case=case).delete()
    CaseDeadline.objects.bulk_create(
        CaseDeadline(case=case, rule=rule, event=event, due_on=due)
        for rule, event, due in deadlines.derive(events, rules)
    )


def _review_for(author, entry):
    if may_publish_directly(author, entry):
        return ThreatCase.Review.ACCEPTED
    return ThreatCase.Review.PENDING


def _refuse_if_not_public(entry, author):
    if not permissions.can_view(author, entry):
        raise PermissionDenied("This entry is not public.")


def _only(data, fields):
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"Not a field of a case or event: {', '.join(sorted(unknown))}.")
    return dict(data)
