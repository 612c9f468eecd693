"""The threats page and the map's threat filters in real Chromium: the chart draws, the filters
narrow markers, at-risk markers stand out and the legend says how; all of it without
JavaScript where the page allows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mapapp import services
from mapapp.models import ThreatCase
from tests.browser.conftest import LIVE, open_session, violations

pytestmark = LIVE

LEEDS = "#14/53.80000/-1.55000"


@pytest.fixture
def threatened(demo):
    """The demo's library at risk with a consultation closing in 5 days; the garden's sale
    under way; a timebank case saved."""
    today = timezone.localdate()
    library = demo["library"].cases.get()
    services.event_create(
        case=library,
        author=None,
        data={"kind": "consultation_closes", "happened_on": today + timedelta(days=5)},
    )
    services.case_create(
        entry=demo["garden"],
        author=None,
        data={
            "title": "Council sells the garden site",
            "kind": ThreatCase.Kind.DISPOSAL,
            "opened_on": today - timedelta(days=10),
        },
    )
    services.case_create(
        entry=demo["timebank"],
        author=None,
        data={
            "title": "Funding cut reversed",
            "kind": ThreatCase.Kind.FUNDING_CUT,
            "status": ThreatCase.Status.SAVED,
            "opened_on": today - timedelta(days=100),
            "closed_on": today - timedelta(days=2),
        },
    )
    return demo


def test_the_threats_page_lists_cases_by_deadline_and_draws_its_chart(session, live, threatened):
    page = session.page
    page.goto(f"{live.url}/threats/")
    names = page.locator(".case-card h3").all_text_contents()
    assert names == ["Save Leeds Library", "Bristol Community Garden", "Bristol Timebank"]
    assert "Consultation closes in 5 days" in page.locator(".deadline").first.text_content()
    chart = page.get_by_role("img", name="Threat cases opened, saved and lost per month")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert page.locator("svg.chart rect.bar").count() >= 2
    table = page.locator("table.chart-table")
    assert table.locator("tbody tr").count() == 24
    assert not session.errors


def test_the_threats_page_filters_without_javascript(browser, live, threatened):
    session = open_session(browser, javascript=False)
    page = session.page
    try:
        page.goto(f"{live.url}/threats/")
        page.get_by_label("Sale or disposal").check()
        page.get_by_role("button", name="Show cases").click()
        page.wait_for_url("**/threats/?*")
        assert page.locator(".case-card h3").all_text_contents() == ["Bristol Community Garden"]
        assert page.locator("svg.chart").count() == 1  # the chart is drawn by the server
        page.get_by_label("Next deadline within (days)").fill("soon")
        page.get_by_role("button", name="Show cases").click()
        assert "deadline_within must be a whole number" in page.locator("main").text_content()
    finally:
        session.context.close()


def test_the_maps_case_kind_filter_narrows_the_markers(session, live, threatened):
    page = session.page
    page.goto(f"{live.url}/#6/54.2/-2.8")
    session.wait_ready()
    assert session.feature_count() == 4
    page.get_by_label("Kind of threat").select_option("disposal")
    page.wait_for_function("document.body.dataset.featureCount === '1'")
    assert page.locator(".entry-name").all_text_contents() == ["Bristol Community Garden"]
    assert "case_kind=disposal" in page.url
    page.get_by_label("Kind of threat").select_option("")
    page.get_by_label("Case status").select_option("saved")
    page.wait_for_function("location.search.includes('case_status=saved')")
    session.wait_ready()
    assert page.locator(".entry-name").all_text_contents() == ["Bristol Timebank"]


def test_the_maps_deadline_filter_keeps_entries_with_a_deadline_that_soon(
    session, live, threatened
):
    page = session.page
    page.goto(f"{live.url}/?deadline_within=3#6/54.2/-2.8")
    session.wait_ready()
    assert session.feature_count() == 0
    assert page.get_by_label("Next deadline within (days)").input_value() == "3"
    page.get_by_label("Next deadline within (days)").fill("7")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("location.search.includes('deadline_within=7')")
    session.wait_ready()
    assert page.locator(".entry-name").all_text_contents() == ["Save Leeds Library"]


def test_markers_at_risk_are_ringed_and_the_legend_says_so(session, live, threatened):
    page = session.page
    page.goto(f"{live.url}/{LEEDS}")
    session.wait_ready()
    marker = page.locator(".leaflet-marker-icon .cm-dot.cm-at-risk")
    assert marker.count() == 1
    assert page.locator(".leaflet-marker-icon").first.get_attribute("title") == (
        "Save Leeds Library (at risk)"
    )
    legend = page.locator(".map-legend")
    assert legend.is_visible()
    assert "Ringed: at risk, a threat case is active" in legend.text_content()
    # The ring is drawn: the at-risk dot's shadow has more rings than a plain dot's.
    shadow = marker.evaluate("dot => getComputedStyle(dot).boxShadow")
    assert shadow.count("rgb") >= 3


def test_the_legends_link_opens_the_threats_page_for_the_view_and_filters(
    session, live, threatened
):
    page = session.page
    page.goto(f"{live.url}/?case_kind=closure&q=library{LEEDS}")
    session.wait_ready()
    link = page.get_by_role("link", name="Threat cases in this view")
    href = link.get_attribute("href")
    assert href.startswith("/threats/?case_kind=closure&bbox=") and "q=" not in href
    link.click()
    page.wait_for_url("**/threats/?*")
    assert page.locator("h1").text_content() == "Commons under threat in this map view"
    assert page.locator(".case-card h3").all_text_contents() == ["Save Leeds Library"]


def test_the_threats_page_has_no_serious_accessibility_violations(session, live, threatened):
    session.page.goto(f"{live.url}/threats/?kind=doom")
    assert violations(session.page) == []
