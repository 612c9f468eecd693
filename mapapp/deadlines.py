"""Deadlines derived from a case's events by rules: the arithmetic, with no database in it."""

import datetime

from dateutil.relativedelta import relativedelta

from mapapp.choices import OffsetUnit

SATURDAY = 5


def due_date(start, amount, unit):
    """The date amount units after start; months and years keep the day of the month where
    it exists (31 January + 1 month is 28 or 29 February)."""
    if unit == OffsetUnit.WORKING_DAYS:
        return _after_working_days(start, amount)
    step = {
        OffsetUnit.DAYS: relativedelta(days=amount),
        OffsetUnit.WEEKS: relativedelta(weeks=amount),
        OffsetUnit.MONTHS: relativedelta(months=amount),
        OffsetUnit.YEARS: relativedelta(years=amount),
    }[unit]
    try:
        return start + step
    except (OverflowError, ValueError):
        return datetime.date.max


def _after_working_days(start, amount):
    # Monday to Friday; bank holidays are not skipped, so a deadline is never shown later
    # than it falls.
    if amount == 0:
        return start
    # Counting from a weekend starts from the Friday before: the first working day after a
    # Saturday is the Monday, as it is after a Friday (otherwise whole weeks land on a Saturday).
    day = start - datetime.timedelta(days=max(0, start.weekday() - SATURDAY + 1))
    weeks, rest = divmod(amount, 5)
    day += datetime.timedelta(weeks=weeks)
    while rest:
        day += datetime.timedelta(days=1)
        if day.weekday() < SATURDAY:
            rest -= 1
    return day


def derive(events, rules):
    """[(rule, event, due date)] for events (accepted, of one case) under rules (active).

    A rule counted from an event gives a deadline for each event of its kind; a rule counted
    from another rule gives one for each of that rule's deadlines. Rules are checked not to
    loop when saved; the depth bound here keeps a loop in old data from hanging a page."""
    by_trigger, followers = {}, {}
    for rule in rules:
        if rule.trigger:
            by_trigger.setdefault(rule.trigger, []).append(rule)
        elif rule.after_id:
            followers.setdefault(rule.after_id, []).append(rule)
    found = []
    for event in events:
        for rule in by_trigger.get(event.kind, ()):
            _add(found, rule, event, event.happened_on, followers, depth=0)
    return sorted(found, key=lambda item: (item[2], item[0].name))


def _add(found, rule, event, start, followers, depth):
    due = due_date(start, rule.amount, rule.unit)
    found.append((rule, event, due))
    if depth >= 10 or due == datetime.date.max:
        return
    for follower in followers.get(rule.pk, ()):
        _add(found, follower, event, due, followers, depth + 1)


def countdown(due, today):
    """ "today", "tomorrow", "in 9 days", "2 days ago": how far a deadline is from today."""
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"
