"""Threat cases: the entry's threat derived from them, and what a case or event may not be."""

import datetime as dt
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mapapp import services
from mapapp.models import Entry, ThreatCase, ThreatEvent

TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC), tick=False)
    return TODAY


@pytest.fixture
def entry(make_entry, people):
    return make_entry(name="Moss Lane Library", author=people["owner"])


def case_data(**changes):
    data = {
        "title": "Library closure",
        "kind": ThreatCase.Kind.CLOSURE,
        "status": ThreatCase.Status.ACTIVE,
        "opened_on": date(2026, 1, 5),
        "closed_on": None,
        "summary": "The council proposes to close the library.",
        "decider_name": "Riverside Borough Council",
        "decider_url": "https://example.org/council",
    }
    return {**data, **changes}


def open_case(entry, **changes):
    return services.case_create(entry=entry, author=None, data=case_data(**changes))


def add_event(case, **changes):
    data = {"kind": ThreatEvent.Kind.ANNOUNCED, "happened_on": date(2026, 1, 10), **changes}
    return services.event_create(case=case, author=None, data=data)


def close(case, status, on):
    return services.case_update(
        case=case,
        editor=case_editor(),
        data={"status": status, "closed_on": on},
    )


def case_editor():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="moderator")


def threat_of(entry):
    entry.refresh_from_db()
    return entry.threat, entry.threat_note


def refused(call, field):
    """The ValidationError call raises, checked to name field; its messages for it."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


# The entry's threat, derived


def test_an_entry_without_cases_is_not_under_threat(entry):
    assert threat_of(entry) == (Entry.Threat.NONE, "")


def test_an_active_case_puts_the_entry_at_risk_with_its_summary_as_the_note(entry):
    open_case(entry)
    assert threat_of(entry) == (Entry.Threat.AT_RISK, "The council proposes to close the library.")


def test_a_case_without_a_summary_gives_its_title_as_the_note(entry):
    open_case(entry, summary="")
    assert threat_of(entry) == (Entry.Threat.AT_RISK, "Library closure")


def test_a_last_case_lost_makes_the_entry_lost(entry):
    case = open_case(entry)
    close(case, ThreatCase.Status.LOST, date(2026, 3, 1))
    assert threat_of(entry)[0] == Entry.Threat.LOST


@pytest.mark.parametrize("status", [ThreatCase.Status.SAVED, ThreatCase.Status.WITHDRAWN])
def test_a_case_saved_or_withdrawn_leaves_the_entry_not_under_threat(entry, status):
    case = open_case(entry)
    close(case, status, date(2026, 3, 1))
    assert threat_of(entry) == (Entry.Threat.NONE, "")


def test_a_new_active_case_puts_a_lost_entry_at_risk_again(entry):
    open_case(
        entry, status="lost", opened_on=date(2019, 1, 1), closed_on=date(2019, 6, 1), title="Old"
    )
    assert threat_of(entry)[0] == Entry.Threat.LOST
    open_case(entry, opened_on=date(2025, 5, 1), summary="A new threat")
    assert threat_of(entry) == (Entry.Threat.AT_RISK, "A new threat")


def test_the_latest_closed_case_decides_between_lost_and_none(entry):
    open_case(entry, status="lost", opened_on=date(2018, 1, 1), closed_on=date(2018, 9, 1))
    open_case(entry, status="saved", opened_on=date(2021, 1, 1), closed_on=date(2021, 9, 1))
    assert threat_of(entry)[0] == Entry.Threat.NONE
    open_case(entry, status="lost", opened_on=date(2023, 1, 1), closed_on=date(2023, 9, 1))
    assert threat_of(entry)[0] == Entry.Threat.LOST


def test_any_active_case_keeps_the_entry_at_risk_whatever_closed_later(entry):
    open_case(entry, opened_on=date(2020, 1, 1), summary="Still open")
    open_case(entry, status="saved", opened_on=date(2024, 1, 1), closed_on=date(2025, 1, 1))
    assert threat_of(entry) == (Entry.Threat.AT_RISK, "Still open")


def test_a_pending_case_changes_nothing_until_a_moderator_accepts_it(entry, people):
    case = services.case_submit(entry=entry, author=people["resident"], data=case_data())
    assert case.review == ThreatCase.Review.PENDING
    assert threat_of(entry)[0] == Entry.Threat.NONE
    services.contribution_review(item=case, moderator=people["moderator"], accept=True)
    assert threat_of(entry)[0] == Entry.Threat.AT_RISK


def test_a_declined_case_never_changes_the_threat(entry, people):
    case = services.case_submit(entry=entry, author=people["resident"], data=case_data())
    services.contribution_review(item=case, moderator=people["moderator"], accept=False)
    assert threat_of(entry)[0] == Entry.Threat.NONE
    with pytest.raises(ValidationError):
        services.contribution_review(item=case, moderator=people["moderator"], accept=True)
    assert threat_of(entry)[0] == Entry.Threat.NONE


def test_the_owners_case_is_public_at_once(entry, people):
    case = services.case_submit(entry=entry, author=people["owner"], data=case_data())
    assert case.review == ThreatCase.Review.ACCEPTED
    assert threat_of(entry)[0] == Entry.Threat.AT_RISK


def test_every_change_to_a_case_is_in_its_history(entry):
    case = open_case(entry)
    close(case, ThreatCase.Status.SAVED, date(2026, 3, 1))
    assert [h.status for h in case.history.order_by("history_date")] == ["active", "saved"]


# What a case or an event may not be: the field named, nothing saved


def assert_nothing_saved(entry, cases=0, events=0):
    assert ThreatCase.objects.count() == cases
    assert ThreatEvent.objects.count() == events
    assert ThreatCase.history.count() == cases
    assert threat_of(entry)[0] == (Entry.Threat.AT_RISK if cases else Entry.Threat.NONE)


def test_an_event_before_its_case_opened_is_refused(entry):
    case = open_case(entry)
    message = refused(lambda: add_event(case, happened_on=date(2026, 1, 4)), "happened_on")
    assert "2026-01-05" in message
    assert_nothing_saved(entry, cases=1)


def test_an_event_after_its_case_closed_is_refused(entry):
    case = open_case(entry, status="saved", closed_on=date(2026, 2, 1))
    refused(lambda: add_event(case, happened_on=date(2026, 2, 2)), "happened_on")
    assert ThreatEvent.objects.count() == 0


def test_closing_a_case_before_one_of_its_events_is_refused(entry):
    case = open_case(entry)
    add_event(case, happened_on=date(2026, 2, 20))
    message = refused(lambda: close(case, "saved", date(2026, 2, 10)), "closed_on")
    assert "2026-02-20" in message
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("active", None)
    assert threat_of(entry)[0] == Entry.Threat.AT_RISK


def test_a_pending_event_counts_when_the_case_closes(entry, people):
    case = open_case(entry)
    services.event_submit(
        case=case,
        author=people["resident"],
        data={"kind": "campaign_action", "happened_on": date(2026, 3, 1)},
    )
    refused(lambda: close(case, "saved", date(2026, 2, 10)), "closed_on")


def test_opening_a_case_after_one_of_its_events_is_refused(entry):
    case = open_case(entry)
    add_event(case, happened_on=date(2026, 1, 10))
    refused(
        lambda: services.case_update(
            case=case, editor=case_editor(), data={"opened_on": date(2026, 2, 1)}
        ),
        "opened_on",
    )
    case.refresh_from_db()
    assert case.opened_on == date(2026, 1, 5)


def test_a_case_cannot_close_before_it_opened(entry):
    refused(lambda: open_case(entry, status="lost", closed_on=date(2026, 1, 4)), "closed_on")
    assert_nothing_saved(entry)


def test_an_active_case_has_no_closing_date(entry):
    refused(lambda: open_case(entry, closed_on=date(2026, 2, 1)), "closed_on")
    assert_nothing_saved(entry)


def test_a_closed_case_needs_its_closing_date(entry):
    message = refused(lambda: open_case(entry, status="withdrawn"), "closed_on")
    assert "withdrawn" in message
    assert_nothing_saved(entry)


@pytest.mark.parametrize("field,value", [("kind", "demolition"), ("status", "paused")])
def test_an_unknown_kind_or_status_of_a_case_is_refused(entry, field, value):
    message = refused(lambda: open_case(entry, **{field: value}), field)
    assert value in message
    assert_nothing_saved(entry)


def test_an_unknown_event_kind_is_refused(entry):
    case = open_case(entry)
    refused(lambda: add_event(case, kind="rumour"), "kind")
    assert_nothing_saved(entry, cases=1)


def test_full_clean_names_an_unknown_kind_on_a_model_built_by_hand(entry):
    case = ThreatCase(entry=entry, title="X", kind="nope", status="active", opened_on=TODAY)
    refused(case.full_clean, "kind")


@pytest.mark.parametrize("field", ["opened_on", "closed_on"])
def test_a_case_date_before_1900_is_refused(entry, field):
    data = {"opened_on": date(1899, 12, 31)}
    if field == "closed_on":
        data = {"status": "lost", "opened_on": date(1900, 1, 1), "closed_on": date(1899, 12, 31)}
    assert "1900" in refused(lambda: open_case(entry, **data), field)
    assert_nothing_saved(entry)


def test_a_case_opened_in_1900_is_accepted(entry):
    assert open_case(entry, opened_on=date(1900, 1, 1)).pk


def test_an_event_before_1900_is_refused(entry):
    case = open_case(entry, opened_on=date(1900, 1, 1))
    assert "1900" in refused(lambda: add_event(case, happened_on=date(1899, 6, 1)), "happened_on")


def test_an_event_more_than_ten_years_ahead_is_refused_and_ten_years_is_not(entry):
    case = open_case(entry)
    message = refused(lambda: add_event(case, happened_on=date(2036, 3, 17)), "happened_on")
    assert "10 years" in message
    assert add_event(case, kind="closure_date", happened_on=date(2036, 3, 16)).pk


def test_a_case_opened_in_the_future_is_refused(entry):
    message = refused(lambda: open_case(entry, opened_on=TODAY + timedelta(days=1)), "opened_on")
    assert "future" in message
    assert_nothing_saved(entry)
    assert open_case(entry, opened_on=TODAY).pk


def test_a_case_closed_in_the_future_is_refused(entry):
    data = {"status": "saved", "closed_on": TODAY + timedelta(days=1)}
    refused(lambda: open_case(entry, **data), "closed_on")


def test_an_event_may_be_scheduled_in_the_future(entry):
    case = open_case(entry)
    assert add_event(case, kind="closure_date", happened_on=TODAY + timedelta(days=90)).pk


@pytest.mark.parametrize(
    "url", ["not a link", "javascript:alert(1)", "http://", "https://exa mple.org/x"]
)
def test_a_malformed_source_link_is_refused(entry, url):
    case = open_case(entry)
    refused(lambda: add_event(case, source_url=url), "source_url")
    assert_nothing_saved(entry, cases=1)


@pytest.mark.parametrize("url", ["council website", "javascript:alert(1)", "https://"])
def test_a_malformed_decider_link_is_refused(entry, url):
    refused(lambda: open_case(entry, decider_url=url), "decider_url")
    assert_nothing_saved(entry)


def test_a_note_of_2001_characters_is_refused_and_2000_accepted(entry):
    case = open_case(entry)
    refused(lambda: add_event(case, note="x" * 2001), "note")
    assert add_event(case, note="x" * 2000).pk


def test_a_summary_of_2001_characters_is_refused(entry):
    refused(lambda: open_case(entry, summary="x" * 2001), "summary")
    assert_nothing_saved(entry)


@pytest.mark.parametrize("title", ["", "   ", "\u200b"])
def test_a_case_needs_a_title_with_visible_text(entry, title):
    refused(lambda: open_case(entry, title=title), "title")
    assert_nothing_saved(entry)


def test_an_unknown_field_is_refused_before_anything_is_saved(entry):
    with pytest.raises(ValueError, match="created_by"):
        open_case(entry, created_by=None)
    assert_nothing_saved(entry)


def test_an_event_cannot_be_added_to_a_declined_case(entry, people):
    case = services.case_submit(entry=entry, author=people["resident"], data=case_data())
    services.contribution_review(item=case, moderator=people["moderator"], accept=False)
    with pytest.raises(ValidationError):
        services.event_submit(
            case=case,
            author=people["owner"],
            data={"kind": "announced", "happened_on": date(2026, 2, 1)},
        )
    assert ThreatEvent.objects.count() == 0


def test_an_event_pending_on_a_case_that_is_then_declined_is_declined_with_it(make_entry, people):
    entry = make_entry(name="Hall", author=people["owner"])
    case = services.case_create(
        entry=entry,
        author=people["owner"],
        data={"title": "Sale", "kind": "disposal", "opened_on": date(2026, 1, 5)},
        review=ThreatCase.Review.PENDING,
    )
    event = services.event_create(
        case=case,
        author=people["resident"],
        data={"kind": "announced", "happened_on": date(2026, 1, 6)},
        review=ThreatEvent.Review.PENDING,
    )
    services.contribution_review(item=case, moderator=people["moderator"], accept=False)
    event.refresh_from_db()
    assert event.review == ThreatEvent.Review.DECLINED


def test_an_event_of_a_declined_case_cannot_be_accepted(make_entry, people):
    entry = make_entry(name="Baths", author=people["owner"])
    case = services.case_create(
        entry=entry,
        author=people["owner"],
        data={"title": "Sale", "kind": "disposal", "opened_on": date(2026, 1, 5)},
        review=ThreatCase.Review.DECLINED,
    )
    event = ThreatEvent.objects.create(
        case=case, kind="announced", happened_on=date(2026, 1, 6), review="pending"
    )
    with pytest.raises(ValidationError, match="case was declined"):
        services.contribution_review(item=event, moderator=people["moderator"], accept=True)
    event.refresh_from_db()
    assert event.review == ThreatEvent.Review.PENDING


def test_a_case_closes_before_an_event_still_to_come_which_is_set_aside(make_entry, people):
    entry = make_entry(name="Lido", author=people["owner"])
    today = timezone.localdate()
    case = services.case_create(
        entry=entry,
        author=people["owner"],
        data={"title": "Closure", "kind": "closure", "opened_on": today - timedelta(days=20)},
    )
    due = services.event_create(
        case=case,
        author=people["owner"],
        data={"kind": "consultation_closes", "happened_on": today + timedelta(days=4)},
    )
    case = services.case_update(
        case=case, editor=people["owner"], data={"status": "withdrawn", "closed_on": today}
    )
    due.refresh_from_db()
    assert case.status == "withdrawn" and due.review == ThreatEvent.Review.DECLINED
    assert due.history.first().history_change_reason.startswith("Set aside")


def test_a_case_cannot_close_before_an_event_that_has_happened(make_entry, people):
    entry = make_entry(name="Baths", author=people["owner"])
    today = timezone.localdate()
    case = services.case_create(
        entry=entry,
        author=people["owner"],
        data={"title": "Sale", "kind": "disposal", "opened_on": today - timedelta(days=20)},
    )
    services.event_create(
        case=case,
        author=people["owner"],
        data={"kind": "decision", "happened_on": today - timedelta(days=2)},
    )
    with pytest.raises(ValidationError) as caught:
        services.case_update(
            case=case,
            editor=people["owner"],
            data={"status": "lost", "closed_on": today - timedelta(days=5)},
        )
    assert "after this closing date" in caught.value.message_dict["closed_on"][0]


@pytest.mark.parametrize("name", ["summary", "decider_name"])
def test_a_summary_or_who_decides_of_only_invisible_characters_is_refused(make_entry, name):
    entry = make_entry(name="Invisible")
    data = {
        "title": "Sale",
        "kind": "disposal",
        "opened_on": date(2026, 1, 5),
        name: "\u200b\u200d",
    }
    with pytest.raises(ValidationError) as caught:
        services.case_create(entry=entry, author=None, data=data)
    assert "shows nothing" in caught.value.message_dict[name][0]
    assert not ThreatCase.objects.filter(entry=entry).exists()
