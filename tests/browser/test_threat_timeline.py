"""The entry page's timeline of threat cases in Chromium: it reads without JavaScript, the
next deadline's link lands on its case, and it and the threat forms are axe clean."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mapapp import services
from mapapp.models import DeadlineRule
from tests.browser.conftest import LIVE, open_session, signed_in, violations

pytestmark = LIVE


@pytest.fixture
def threatened(live, make_entry, people):
    """A library with an active case (a consultation closing in 9 days, a passed FOI answer)
    and an old saved case, so the page is long enough for its anchor to scroll."""
    ensure_rules()
    today = timezone.localdate()
    entry = make_entry(
        name="Riverside Library",
        author=people["owner"],
        description="A branch library.\n" * 40,
    )
    old = services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Sale of the reading room",
            "kind": "disposal",
            "status": "saved",
            "opened_on": today - timedelta(days=900),
            "closed_on": today - timedelta(days=700),
        },
    )
    case = services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Library closure",
            "kind": "closure",
            "opened_on": today - timedelta(days=40),
            "decider_name": "Riverside Borough Council",
            "decider_url": "https://council.example/",
        },
    )
    for kind, day, note in (
        ("foi_sent", today - timedelta(days=35), "Asked for the library's usage figures"),
        ("consultation_closes", today + timedelta(days=9), "Respond online"),
    ):
        services.event_create(
            case=case,
            author=None,
            data={
                "kind": kind,
                "happened_on": day,
                "note": note,
                "source_url": "https://council.example/news",
            },
        )
    return {"entry": entry, "case": case, "old": old}


def ensure_rules():
    """Seed the deadline rules again if an earlier transactional test flushed them."""
    if not DeadlineRule.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("mapapp.migrations.0008_threat_cases").seed_rules(apps, None)


def test_the_timeline_reads_without_javascript(browser, live, threatened):
    session = open_session(browser, javascript=False)
    page = session.page
    page.goto(f"{live.url}/entries/{threatened['entry'].slug}/")
    case = page.locator(f"#case-{threatened['case'].pk}")
    assert case.get_by_role("heading", name="Library closure").is_visible()
    events = case.locator("ol.events > li")
    assert events.count() == 2
    assert "Freedom-of-information request sent" in events.nth(0).inner_text()
    assert "Consultation closes" in events.nth(1).inner_text()
    assert case.get_by_role("link", name="source").count() == 2
    assert "Consultation closes in 9 days" in case.locator(".next-deadline").inner_text()
    assert "(in 9 days)" in case.locator(".deadline.is-next").inner_text()
    assert "passed" in case.locator(".deadline.is-past").first.inner_text()
    assert page.locator(f"#case-{threatened['old'].pk}").get_by_text("Saved").first.is_visible()
    session.context.close()


def test_the_next_deadline_link_lands_on_its_case(session, live, threatened):
    page = session.page
    page.goto(f"{live.url}/entries/{threatened['entry'].slug}/")
    page.get_by_role("link", name="Consultation closes in 9 days").click()
    case_id = f"case-{threatened['case'].pk}"
    page.wait_for_function(f"location.hash === '#{case_id}'")
    heading = page.locator(f"#{case_id} h3")
    box, height = heading.bounding_box(), page.viewport_size["height"]
    assert 0 <= box["y"] < height, box
    assert page.evaluate(f"document.getElementById('{case_id}').matches(':target')")


def test_the_timeline_and_the_threat_forms_are_axe_clean(browser, live, threatened, people):
    session = signed_in(browser, live, people["owner"])
    page = session.page
    entry, case = threatened["entry"], threatened["case"]
    for path in (
        f"/entries/{entry.slug}/",
        f"/entries/{entry.slug}/cases/new/",
        f"/entries/{entry.slug}/cases/{case.pk}/edit/",
        f"/entries/{entry.slug}/cases/{case.pk}/events/new/",
    ):
        page.goto(f"{live.url}{path}")
        assert violations(page) == [], path
    assert page.get_by_role("heading", name="Add an event to “Library closure”").is_visible()
    page.get_by_label("Kind").select_option("decision")
    page.get_by_label("Date").fill((case.opened_on - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add the event").click()
    page.wait_for_load_state()
    assert "an event cannot come before it" in page.locator(".field-errors").inner_text()
    assert violations(page) == [], "the form with its errors"
    session.context.close()
