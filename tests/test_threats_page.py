"""The threats page (/threats/): active cases by next deadline, the record of commons saved and
lost, the chart of cases per month and its table, its filters and what it never shows."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.http import QueryDict

from mapapp import services
from mapapp.models import ThreatCase
from mapapp.reads.filters import parse_filters
from mapapp.reads.threats import THREAT_ALIASES, THREAT_FILTERS, threat_stats

TODAY = date(2026, 6, 15)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 6, 15, 11, tzinfo=UTC), tick=False):
        yield


def days(n):
    return TODAY + timedelta(days=n)


def open_case(entry, author=None, events=(), **fields):
    """A case (active unless fields say otherwise) with its (kind, date) events."""
    data = {
        "title": f"{entry.name} threatened",
        "kind": ThreatCase.Kind.CLOSURE,
        "status": ThreatCase.Status.ACTIVE,
        "opened_on": days(-60),
        **fields,
    }
    case = services.case_create(entry=entry, author=author, data=data)
    for kind, on in events:
        services.event_create(case=case, author=author, data={"kind": kind, "happened_on": on})
    return case


@pytest.fixture
def cases(frozen, make_entry, django_user_model):
    return build_cases(make_entry, django_user_model)


def build_cases(make_entry, django_user_model):
    """Three active cases (deadlines in 9 days, in 32 days, none), one saved, one lost, and
    cases nobody may see: a pending one and one of an unpublished entry."""
    writer = django_user_model.objects.create_user(
        "casewriter-zq9", "casewriter-zq9@private.example", "correct-horse-battery"
    )
    library = make_entry(name="Easton Library", locality="Easton", lon=-2.56, lat=51.46)
    hall = make_entry(
        name="Leeds Miners Hall", category_slug="convivial-spaces", lon=-1.55, lat=53.8
    )
    pool = make_entry(name="Hulme Pool", category_slug="public-goods", lon=-2.24, lat=53.47)
    park = make_entry(name="Sefton Park Meadow", lon=-2.94, lat=53.38)
    pub = make_entry(name="The Red Lion", category_slug="convivial-spaces", lon=-1.9, lat=52.48)
    made = {
        "library": open_case(
            library, writer, events=[("consultation_closes", days(9))], opened_on=days(-20)
        ),
        "hall": open_case(
            hall, writer, events=[("disposal_notice", days(-10))], kind="disposal", title="Sale"
        ),
        "pool": open_case(pool, writer, kind="funding_cut", opened_on=days(-400)),
        "park": open_case(park, writer, kind="redevelopment", status="saved", closed_on=days(-40)),
        "pub": open_case(pub, writer, kind="disposal", status="lost", closed_on=days(-5)),
    }
    resident = django_user_model.objects.create_user("resident-kp4", "r@private.example", "x")
    services.case_submit(
        entry=pool,
        author=resident,
        data={"title": "Zorblax pending case", "kind": "other", "opened_on": days(-3)},
    )
    hidden = make_entry(name="Quillon Unpublished Barn", status="pending", lon=-2.5, lat=51.4)
    open_case(hidden, title="Quillon barn case")
    return made


def page(client, **params):
    response = client.get("/threats/", params)
    return response, response.content.decode()


def active_names(response):
    return [record.case.entry.name for record in response.context["page"].records]


def record_names(response):
    return [case.entry.name for case in response.context["record"].object_list]


def test_active_cases_are_ordered_by_their_next_deadline(client, cases):
    response, body = page(client)
    assert response.status_code == 200
    assert active_names(response) == ["Easton Library", "Leeds Miners Hall", "Hulme Pool"]
    assert "Consultation closes in 9 days" in body
    assert "Interim moratorium ends in 32 days" in body
    assert "No deadline coming up." in body


def test_each_case_links_to_its_place_on_the_entry_page_with_category_locality_and_kind(
    client, cases
):
    _, body = page(client)
    library = cases["library"]
    assert f'href="/entries/{library.entry.slug}/#case-{library.pk}"' in body
    assert "Commoning · Easton · Closure" in body
    assert "Sale or disposal" in body


def test_the_record_lists_commons_saved_and_lost_newest_first(client, cases):
    response, body = page(client)
    assert record_names(response) == ["The Red Lion", "Sefton Park Meadow"]
    assert "<strong>Lost</strong> on" in body and "<strong>Saved</strong> on" in body


def test_a_day_later_the_countdown_and_the_order_follow_the_clock(client, cases):
    with time_machine.travel(datetime(2026, 6, 24, 11, tzinfo=UTC), tick=False):
        _, body = page(client)
        assert "Consultation closes today" in body
    with time_machine.travel(datetime(2026, 6, 25, 11, tzinfo=UTC), tick=False):
        response, body = page(client)
        # The consultation closed yesterday: the hall's moratorium is now the soonest.
        assert active_names(response)[0] == "Leeds Miners Hall"
        assert "Consultation closes" not in body


def chart_bars(body):
    """{(YYYY-MM, series): value} drawn as bars of the SVG."""
    svg = body[body.index("<svg") : body.index("</svg>")]
    bars = {}
    for month, content in re.findall(r'data-period="([\d-]+)">(.*?)</g>', svg, re.S):
        for series, value in re.findall(r'data-series="(\w+)" data-value="(\d+)"', content):
            bars[(month, series)] = int(value)
    return bars


def chart_table(body):
    """{(YYYY-MM, series): value} of the table's non-zero cells."""
    table = body[body.index('<table class="table chart-table">') : body.index("</table>")]
    cells = {}
    for month, row in re.findall(r'<tr data-period="([\d-]+)">(.*?)</tr>', table, re.S):
        values = [int(v) for v in re.findall(r"<td>(\d+)</td>", row)]
        for series, value in zip(("opened", "saved", "lost"), values, strict=True):
            if value:
                cells[(month, series)] = value
    return cells


def test_the_charts_bars_and_its_table_give_the_numbers_of_threat_stats(client, cases):
    _, body = page(client)
    expected = {
        (row["period"].strftime("%Y-%m"), series): row[series]
        for row in threat_stats(parse_filters(QueryDict(), names=THREAT_FILTERS))
        for series in ("opened", "saved", "lost")
        if row[series] and row["period"] >= date(2024, 7, 1)
    }
    assert chart_bars(body) == chart_table(body) == expected
    # The hall, the park and the pub opened in April 2026, the library in May (when the park
    # was saved), the pub was lost in June; the pool opened in May 2025.
    assert expected[("2026-04", "opened")] == 3
    assert expected[("2026-05", "opened")] == 1
    assert expected[("2026-05", "saved")] == 1
    assert expected[("2026-06", "lost")] == 1
    assert expected[("2025-05", "opened")] == 1


def test_the_table_has_a_row_for_each_of_the_last_24_months_ending_this_month(client, cases):
    _, body = page(client)
    months = re.findall(r'<tr data-period="([\d-]+)">', body)
    assert len(months) == 24 and months[0] == "2024-07" and months[-1] == "2026-06"


def test_months_before_the_chart_are_summed_in_one_row(client, cases, make_entry):
    old = make_entry(name="Old Baths")
    open_case(old, opened_on=date(2019, 3, 1), status="saved", closed_on=date(2020, 1, 10))
    _, body = page(client)
    row = re.search(r'<tr class="earlier"><th scope="row">Before Jul 2024</th>(.*?)</tr>', body)
    assert re.findall(r"<td>(\d+)</td>", row[1]) == ["1", "1", "0"]


def test_the_chart_is_an_image_named_by_its_title_for_screen_readers(client, cases):
    _, body = page(client)
    svg = re.search(r"<svg [^>]*>", body)[0]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Threat cases opened, saved and lost per month' in body
    assert '<desc id="chart-desc">' in body
    assert "<caption>Threat cases per month, Jul 2024 to Jun 2026</caption>" in body


@pytest.mark.parametrize(
    "params,active,record",
    [
        ({"kind": "disposal"}, ["Leeds Miners Hall"], ["The Red Lion"]),
        ({"case_kind": "closure,funding_cut"}, ["Easton Library", "Hulme Pool"], []),
        ({"case_kind": ["closure", "redevelopment"]}, ["Easton Library"], ["Sefton Park Meadow"]),
        ({"status": "saved"}, [], ["Sefton Park Meadow"]),
        ({"case_status": "active"}, ["Easton Library", "Leeds Miners Hall", "Hulme Pool"], []),
        ({"deadline_within": "10"}, ["Easton Library"], []),
        ({"deadline_within": "40"}, ["Easton Library", "Leeds Miners Hall"], []),
        ({"deadline_before": "2026-06-20"}, [], []),
        ({"category": "convivial-spaces"}, ["Leeds Miners Hall"], ["The Red Lion"]),
        ({"bbox": "-3,53,-2,54"}, ["Hulme Pool"], ["Sefton Park Meadow"]),
    ],
)
def test_the_filters_narrow_both_lists(client, cases, params, active, record):
    response, _ = page(client, **params)
    assert response.status_code == 200
    assert active_names(response) == active
    assert record_names(response) == record


def test_the_filters_narrow_the_chart_too(client, cases):
    _, body = page(client, status="lost")
    assert set(chart_bars(body)) == {("2026-04", "opened"), ("2026-06", "lost")}


def test_a_map_view_says_so_and_links_to_the_whole_map(client, cases):
    _, body = page(client, bbox="-3,53,-2,54")
    assert "Commons under threat in this map view" in body
    assert 'type="hidden" name="bbox" value="-3,53,-2,54"' in body
    assert "See the whole map’s cases" in body


def test_the_form_shows_the_filters_it_applied_ticked(client, cases):
    _, body = page(client, kind="closure,disposal", status="active", deadline_within="30")
    for value in ("closure", "disposal"):
        assert re.search(rf'name="case_kind" value="{value}"[^>]*checked', body), value
    assert re.search(r'name="case_status" value="active"[^>]*checked', body)
    assert not re.search(r'name="case_status" value="lost"[^>]*checked', body)
    assert 'name="deadline_within" value="30"' in body


@pytest.mark.parametrize(
    "params,name,message",
    [
        ({"kind": "demolition"}, "kind", "Unknown kind: demolition"),
        ({"case_kind": "demolition"}, "case_kind", "Unknown case_kind: demolition"),
        ({"status": "doomed"}, "status", "Unknown status: doomed"),
        ({"deadline_within": "soon"}, "deadline_within", "deadline_within must be a whole"),
        ({"deadline_within": "-1"}, "deadline_within", "deadline_within must be at least 0"),
        ({"deadline_before": "2020-01-01"}, "deadline_before", "deadline_before must be from"),
        ({"bbox": "1,2,3"}, "bbox", "bbox needs 4 comma-separated numbers"),
        ({"category": "nope"}, "category", "Unknown category: nope"),
        (
            {"deadline_within": "3", "deadline_before": "2026-07-01"},
            "deadline_within",
            "Give deadline_within or deadline_before, not both.",
        ),
        ({"kind": "closure", "case_kind": "closure"}, "case_kind", "Give case_kind or its old"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(client, cases, params, name, message):
    response, body = page(client, **params)
    assert response.status_code == 400
    assert message in body
    assert name in message
    assert active_names(response) == [] and record_names(response) == []


def test_an_unknown_kind_is_shown_beside_the_kind_controls(client, cases):
    _, body = page(client, kind="demolition")
    start = body.index("<legend>Kind of threat</legend>")
    kinds = body[start : body.index("</fieldset>", start)]
    assert "Unknown kind: demolition" in kinds


def test_with_no_cases_the_page_explains_each_part_is_empty(client, frozen, db):
    response, body = page(client)
    assert response.status_code == 200
    assert "0 active cases" in body
    assert "No active cases match" in body
    assert "No closed cases match these filters yet." in body
    assert "nothing to chart" in body and "<svg" not in body


def test_only_public_cases_and_nobodys_identity_are_shown(client, cases):
    _, body = page(client)
    for secret in (
        "Zorblax",
        "Quillon",
        "casewriter-zq9",
        "resident-kp4",
        "@private.example",
    ):
        assert secret not in body, secret
    assert len(active_names(page(client)[0])) == 3


def test_a_pending_case_counts_nowhere_until_accepted(client, cases):
    pending = ThreatCase.objects.get(title="Zorblax pending case")
    _, body = page(client, kind="other")
    assert "0 active cases" in body and "nothing to chart" in body
    assert pending.review == ThreatCase.Review.PENDING


def test_long_lists_are_paged_keeping_the_filters(client, frozen, make_entry):
    for n in range(27):
        open_case(make_entry(name=f"Branch Library {n:02d}"), kind="closure")
    for n in range(26):
        open_case(make_entry(name=f"Lost Hall {n:02d}"), status="lost", closed_on=days(-n))
    response, body = page(client, kind="closure,disposal")
    assert len(response.context["page"].records) == 25
    assert 'href="?kind=closure%2Cdisposal&amp;page=2#active-title"' in body
    assert 'href="?kind=closure%2Cdisposal&amp;record=2#record-title"' in body
    second = client.get("/threats/", {"kind": "closure,disposal", "record": "2"})
    assert record_names(second) == ["Lost Hall 25"]
    assert len(second.context["page"].records) == 25


def test_every_page_links_to_the_threats_page(client, db):
    body = client.get("/privacy/").content.decode()
    assert '<a href="/threats/">Under threat</a>' in body


def test_the_threats_page_reads_the_threats_apis_filters():
    assert set(THREAT_FILTERS) == {"bbox", "category", "case_kind", "case_status"} | {
        "deadline_within",
        "deadline_before",
    }
    assert THREAT_ALIASES["kind"] == "case_kind"
