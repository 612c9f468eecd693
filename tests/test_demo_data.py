import pytest
from django.core.management import call_command

from mapapp.models import Category, Entry


def test_the_demo_loader_creates_about_sixty_published_entries_in_every_category(db):
    call_command("load_demo", verbosity=0)
    assert 50 <= Entry.objects.published().count() <= 70
    used = set(Entry.objects.values_list("category__slug", flat=True))
    assert used == set(Category.objects.values_list("slug", flat=True))


def test_the_demo_includes_withheld_locations_and_threatened_entries(db):
    call_command("load_demo", verbosity=0)
    assert Entry.objects.filter(precision="approximate").exists()
    assert Entry.objects.filter(precision="area").exists()
    assert Entry.objects.filter(threat="at_risk").exists()


def test_running_the_demo_loader_twice_adds_nothing(db):
    call_command("load_demo", verbosity=0)
    count = Entry.objects.count()
    call_command("load_demo", verbosity=0)
    assert Entry.objects.count() == count


def test_if_empty_leaves_a_database_with_entries_alone(make_entry):
    make_entry()
    call_command("load_demo", "--if-empty", verbosity=0)
    assert Entry.objects.count() == 1


# The demo's threat cases


def demo_deadlines_within(days):
    """{rule name} of the active demo cases' deadlines from today to days ahead."""
    from datetime import timedelta

    from django.utils import timezone

    from mapapp.models import CaseDeadline

    today = timezone.localdate()
    rows = CaseDeadline.objects.filter(
        case__status="active", due_on__gte=today, due_on__lte=today + timedelta(days=days)
    )
    return set(rows.values_list("rule__name", flat=True))


def test_the_demo_has_a_dozen_sourced_cases_across_kinds_and_categories(db):
    from mapapp.models import ThreatCase, ThreatEvent

    call_command("load_demo", verbosity=0)
    cases = ThreatCase.objects.public()
    assert cases.count() == 12
    assert set(cases.values_list("kind", flat=True)) >= {
        "closure",
        "disposal",
        "outsourcing",
        "funding_cut",
        "redevelopment",
    }
    assert len(set(cases.values_list("entry__category__slug", flat=True))) >= 5
    assert len(set(cases.values_list("entry__locality", flat=True))) >= 10
    assert all(c.decider_name and c.decider_url.startswith("https://example.org/") for c in cases)
    events = ThreatEvent.objects.public()
    assert events.count() >= 40
    assert all(e.source_url.startswith("https://example.org/") for e in events)
    assert all(case.events.count() >= 2 for case in cases)
    data = cases.filter(kind="outsourcing", summary__icontains="data")
    assert data.exists(), "one case is about privatising public data"


def test_the_demo_has_deadlines_coming_up_in_the_next_weeks(db):
    call_command("load_demo", verbosity=0)
    assert "Consultation closes" in demo_deadlines_within(7)
    soon = demo_deadlines_within(30)
    assert {
        "Interim moratorium ends",
        "Asset of Community Value listing expires",
        "Freedom-of-information answer due",
    } <= soon


def test_the_demo_has_a_recent_freedom_of_information_request(db):
    from datetime import timedelta

    from django.utils import timezone

    from mapapp.models import ThreatEvent

    call_command("load_demo", verbosity=0)
    since = timezone.localdate() - timedelta(days=14)
    assert ThreatEvent.objects.filter(kind="foi_sent", happened_on__gte=since).exists()


def test_the_demo_has_cases_saved_lost_and_withdrawn_and_entries_threat_follows(db):
    from mapapp.models import ThreatCase

    call_command("load_demo", verbosity=0)
    statuses = list(ThreatCase.objects.values_list("status", flat=True))
    assert statuses.count("active") >= 5
    assert statuses.count("saved") >= 2 and statuses.count("lost") >= 2
    assert statuses.count("withdrawn") == 1
    assert Entry.objects.get(name="Save Belfast Central Library").threat == "lost"
    assert Entry.objects.get(name="Glasgow Lido").threat == "at_risk"
    assert Entry.objects.get(name="Cardiff Timebank").threat == "none"
    assert Entry.objects.filter(threat="at_risk").count() == statuses.count("active")


def test_a_demo_case_sits_on_an_entry_whose_location_is_withheld(db):
    from mapapp.models import ThreatCase

    call_command("load_demo", verbosity=0)
    assert ThreatCase.objects.exclude(entry__precision="exact").exists()


def test_running_the_demo_loader_twice_adds_no_cases_or_events(db):
    from mapapp.models import CaseDeadline, ThreatCase, ThreatEvent

    call_command("load_demo", verbosity=0)
    counts = [m.objects.count() for m in (ThreatCase, ThreatEvent, CaseDeadline)]
    call_command("load_demo", verbosity=0)
    assert [m.objects.count() for m in (ThreatCase, ThreatEvent, CaseDeadline)] == counts


@pytest.mark.parametrize("day", ["2028-02-29", "2027-01-01", "2026-12-31"])
def test_the_demo_cases_load_whatever_the_date(db, time_machine, day):
    """Dates counted from today stay valid on a leap day and at the turn of a year."""
    from mapapp.models import ThreatCase

    time_machine.move_to(f"{day}T12:00:00+00:00", tick=False)
    call_command("load_demo", verbosity=0)
    assert ThreatCase.objects.count() == 12
