"""Deadlines derived from a case's events by rules: the arithmetic, the seeded Localism Act
rules, chains and loops, recomputing, and the countdown pages show (frozen clock)."""

import datetime as dt
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mapapp import services
from mapapp.deadlines import countdown, due_date
from mapapp.models import CaseDeadline, DeadlineRule, Entry, ThreatCase
from mapapp.models.threats import MAX_RULE_CHAIN
from mapapp.reads.threats import entry_timeline, with_next_deadline

TODAY = date(2026, 3, 16)  # a Monday
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def case(make_entry):
    entry = make_entry(name="The Crown and Anchor")
    return services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Pub up for sale",
            "kind": "disposal",
            "status": "active",
            "opened_on": date(2026, 1, 5),
        },
    )


def add_event(case, kind, on):
    return services.event_create(case=case, author=None, data={"kind": kind, "happened_on": on})


def deadlines_of(case):
    rows = CaseDeadline.objects.filter(case=case).select_related("rule")
    return {row.rule.name: row.due_on for row in rows}


def rule(name, **fields):
    return services.rule_save(rule=DeadlineRule(name=name, **fields))


# The arithmetic


@pytest.mark.parametrize(
    "start,amount,unit,due",
    [
        (date(2026, 1, 31), 1, "months", date(2026, 2, 28)),
        (date(2024, 1, 31), 1, "months", date(2024, 2, 29)),
        (date(2024, 2, 29), 1, "years", date(2025, 2, 28)),
        (date(2024, 2, 29), 4, "years", date(2028, 2, 29)),
        (date(2026, 3, 2), 6, "weeks", date(2026, 4, 13)),
        (date(2026, 12, 30), 5, "days", date(2027, 1, 4)),
        (date(2026, 3, 16), 0, "days", date(2026, 3, 16)),
        (date(2026, 3, 20), 1, "working_days", date(2026, 3, 23)),  # Friday to Monday
        (date(2026, 3, 18), 5, "working_days", date(2026, 3, 25)),
        (date(2026, 3, 18), 20, "working_days", date(2026, 4, 15)),
        (date(2026, 3, 21), 1, "working_days", date(2026, 3, 23)),  # Saturday to Monday
        (date(2026, 3, 22), 5, "working_days", date(2026, 3, 27)),  # Sunday to Friday
        (date(2026, 3, 21), 20, "working_days", date(2026, 4, 17)),  # never a weekend
        (date(2026, 3, 21), 0, "working_days", date(2026, 3, 21)),
    ],
)
def test_due_dates_count_calendar_units_and_working_days(start, amount, unit, due):
    assert due_date(start, amount, unit) == due


def test_working_days_never_land_on_a_weekend():
    for offset in range(14):
        start = date(2026, 3, 16) + dt.timedelta(days=offset)
        for amount in range(1, 31):
            assert due_date(start, amount, "working_days").weekday() < 5


def test_a_due_date_past_the_calendar_is_the_last_date_not_an_error():
    assert due_date(date(9999, 6, 1), 1, "years") == date.max


@pytest.mark.parametrize(
    "days,text",
    [(0, "today"), (1, "tomorrow"), (9, "in 9 days"), (-1, "yesterday"), (-2, "2 days ago")],
)
def test_the_countdown_reads_as_words(days, text):
    assert countdown(TODAY + dt.timedelta(days=days), TODAY) == text


# The seeded rules


def test_a_notice_of_disposal_starts_the_community_right_to_bid_clock(case):
    add_event(case, "disposal_notice", date(2026, 3, 2))
    assert deadlines_of(case) == {
        "Interim moratorium ends": date(2026, 4, 13),
        "Full moratorium ends": date(2026, 9, 2),
        "Protected period ends": date(2027, 9, 2),
    }


def test_an_acv_listing_expires_after_five_years(case):
    add_event(case, "acv_listed", date(2026, 2, 10))
    assert deadlines_of(case) == {"Asset of Community Value listing expires": date(2031, 2, 10)}


def test_a_consultation_closing_date_is_itself_a_deadline(case):
    add_event(case, "consultation_closes", date(2026, 3, 25))
    assert deadlines_of(case) == {"Consultation closes": date(2026, 3, 25)}


def test_a_freedom_of_information_answer_is_due_in_20_working_days(case):
    add_event(case, "foi_sent", date(2026, 3, 2))
    assert deadlines_of(case) == {"Freedom-of-information answer due": date(2026, 3, 30)}


def test_the_seeded_rules_name_their_legal_basis():
    rules = {r.name: r for r in DeadlineRule.objects.all()}
    assert rules["Interim moratorium ends"].legal_basis == "Localism Act 2011, s.95"
    assert "s.87" in rules["Asset of Community Value listing expires"].legal_basis
    assert rules["Full moratorium ends"].source_url.startswith("https://www.legislation.gov.uk/")


def test_events_that_no_rule_counts_from_give_no_deadline(case):
    add_event(case, "campaign_action", date(2026, 3, 2))
    assert deadlines_of(case) == {}


def test_a_pending_event_gives_no_deadline_until_accepted(case, people):
    event = services.event_submit(
        case=case,
        author=people["resident"],
        data={"kind": "disposal_notice", "happened_on": date(2026, 3, 2)},
    )
    assert deadlines_of(case) == {}
    services.contribution_review(item=event, moderator=people["moderator"], accept=True)
    assert len(deadlines_of(case)) == 3


# Rules counted from rules


def test_a_rule_counted_from_another_rules_deadline(case):
    interim = DeadlineRule.objects.get(name="Interim moratorium ends")
    rule("Ask the council for the bid pack", after=interim, amount=1, unit="weeks")
    add_event(case, "disposal_notice", date(2026, 3, 2))
    assert deadlines_of(case)["Ask the council for the bid pack"] == date(2026, 4, 20)


def test_a_rule_counted_from_itself_is_refused_naming_after():
    interim = DeadlineRule.objects.get(name="Interim moratorium ends")
    interim.trigger, interim.after = "", interim
    with pytest.raises(ValidationError) as caught:
        services.rule_save(rule=interim)
    assert "loop" in " ".join(caught.value.message_dict["after"])
    assert DeadlineRule.objects.get(pk=interim.pk).trigger == "disposal_notice"


def test_a_rule_that_would_loop_through_another_is_refused_naming_after():
    first = DeadlineRule.objects.get(name="Interim moratorium ends")
    second = rule("Second", after=first, amount=1)
    first.trigger, first.after = "", second
    with pytest.raises(ValidationError) as caught:
        services.rule_save(rule=first)
    assert "loop" in " ".join(caught.value.message_dict["after"])
    assert DeadlineRule.objects.get(pk=first.pk).after is None


def test_a_chain_of_ten_rules_is_accepted_and_an_eleventh_refused():
    top = rule("Step 0", trigger="announced", amount=1)
    for n in range(1, MAX_RULE_CHAIN):
        top = rule(f"Step {n}", after=top, amount=1)
    with pytest.raises(ValidationError) as caught:
        rule("One too many", after=top, amount=1)
    assert "deep" in " ".join(caught.value.message_dict["after"])
    assert not DeadlineRule.objects.filter(name="One too many").exists()


def test_putting_a_long_chain_under_another_rule_is_refused():
    """The rules counted from this one count too, not only those above it."""
    first = rule("Step 0", trigger="announced", amount=1)
    below = first
    for n in range(1, MAX_RULE_CHAIN):
        below = rule(f"Step {n}", after=below, amount=1)
    above = rule("Above", trigger="decision", amount=1)
    first.trigger, first.after = "", above
    with pytest.raises(ValidationError) as caught:
        services.rule_save(rule=first)
    assert "after" in caught.value.message_dict


@pytest.mark.parametrize("fields", [{}, {"trigger": "announced", "after_name": True}])
def test_a_rule_counts_from_an_event_or_a_rule_not_both_nor_neither(fields):
    if fields.pop("after_name", False):
        fields["after"] = DeadlineRule.objects.get(name="Interim moratorium ends")
    with pytest.raises(ValidationError) as caught:
        rule("Unclear", amount=1, **fields)
    assert "trigger" in caught.value.message_dict


@pytest.mark.parametrize("amount,unit", [(101, "years"), (1300, "months"), (40000, "days")])
def test_an_offset_of_more_than_a_century_is_refused_naming_amount(amount, unit):
    with pytest.raises(ValidationError) as caught:
        rule("Far off", trigger="announced", amount=amount, unit=unit)
    assert "amount" in caught.value.message_dict


# Changing rules recomputes deadlines


def test_saving_a_rule_recomputes_the_deadlines_of_existing_cases(case):
    add_event(case, "disposal_notice", date(2026, 3, 2))
    interim = DeadlineRule.objects.get(name="Interim moratorium ends")
    interim.amount = 8
    services.rule_save(rule=interim)
    assert deadlines_of(case)["Interim moratorium ends"] == date(2026, 4, 27)


def test_saving_a_rule_marks_the_entries_with_cases_changed(case, make_entry, time_machine):
    untouched = make_entry(name="No cases here")
    before = Entry.objects.get(pk=case.entry_id).updated_at
    time_machine.move_to(dt.datetime(2026, 3, 17, 12, tzinfo=dt.UTC), tick=False)
    services.rule_save(rule=DeadlineRule.objects.get(name="Consultation closes"))
    assert Entry.objects.get(pk=case.entry_id).updated_at > before
    assert Entry.objects.get(pk=untouched.pk).updated_at == untouched.updated_at


def test_a_new_rule_gives_existing_cases_its_deadline(case):
    add_event(case, "campaign_action", date(2026, 3, 2))
    rule("Follow up the petition", trigger="campaign_action", amount=2, unit="weeks")
    assert deadlines_of(case) == {"Follow up the petition": date(2026, 3, 16)}


def test_an_inactive_rule_gives_no_deadline(case):
    add_event(case, "acv_listed", date(2026, 2, 10))
    listing = DeadlineRule.objects.get(name="Asset of Community Value listing expires")
    listing.active = False
    services.rule_save(rule=listing)
    assert deadlines_of(case) == {}
    add_event(case, "acv_listed", date(2026, 2, 11))
    assert deadlines_of(case) == {}


# The next deadline and its countdown, on a frozen clock


def next_deadline(case):
    (record,) = [r for r in entry_timeline(case.entry) if r.case.pk == case.pk]
    return record.next_deadline


def test_the_next_deadline_counts_down_in_days(case, time_machine):
    add_event(case, "consultation_closes", date(2026, 3, 25))
    deadline = next_deadline(case)
    assert (deadline.name, deadline.countdown) == ("Consultation closes", "in 9 days")
    time_machine.move_to(dt.datetime(2026, 3, 24, 12, tzinfo=dt.UTC), tick=False)
    assert next_deadline(case).countdown == "tomorrow"
    time_machine.move_to(dt.datetime(2026, 3, 25, 12, tzinfo=dt.UTC), tick=False)
    assert next_deadline(case).countdown == "today"


def test_a_passed_deadline_is_not_the_next_one(case, time_machine):
    add_event(case, "disposal_notice", date(2026, 1, 20))
    time_machine.move_to(dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), tick=False)
    deadline = next_deadline(case)
    assert (deadline.name, deadline.due_on) == ("Full moratorium ends", date(2026, 7, 20))
    (record,) = entry_timeline(case.entry)
    interim = record.deadlines[0]
    assert (interim.name, interim.is_past, interim.countdown) == (
        "Interim moratorium ends",
        True,
        "yesterday",
    )


def test_the_next_deadline_of_the_cases_query_is_the_soonest_still_to_come(case):
    add_event(case, "disposal_notice", date(2026, 1, 20))
    annotated = with_next_deadline(ThreatCase.objects.filter(pk=case.pk)).get()
    assert annotated.next_due == date(2026, 7, 20)


def test_a_closed_case_has_no_next_deadline(case):
    add_event(case, "disposal_notice", date(2026, 3, 2))
    services.case_update(
        case=case,
        editor=case.entry.created_by or _moderator(),
        data={"status": "saved", "closed_on": date(2026, 3, 10)},
    )
    assert next_deadline(case) is None
    assert with_next_deadline(ThreatCase.objects.filter(pk=case.pk)).get().next_due is None


def _moderator():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("mod-deadlines")
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user
