"""The list page (/entries/) and the map page filter entries by their threat cases: kind,
status and "next deadline within N days", in the parser's words; entries at risk say when
their next deadline falls."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from mapapp.models import ThreatCase
from tests.test_threats_page import build_cases


@pytest.fixture
def cases(make_entry, django_user_model):
    with time_machine.travel(datetime(2026, 6, 15, 11, tzinfo=UTC), tick=False):
        yield build_cases(make_entry, django_user_model)


def listed(client, **params):
    response = client.get("/entries/", params)
    names = [entry.name for entry in response.context["page"].object_list]
    return response, names


def test_the_list_has_a_control_for_every_case_kind_and_status(client, db):
    body = client.get("/entries/").content.decode()
    for kind in ThreatCase.Kind.values:
        assert f'name="case_kind" value="{kind}"' in body, kind
    for status in ThreatCase.Status.values:
        assert f'name="case_status" value="{status}"' in body, status
    assert '<label for="id_deadline_within">Next deadline within (days)</label>' in body


def test_the_list_selects_entries_by_their_cases_kind(client, cases):
    _, names = listed(client, case_kind="disposal")
    assert names == ["Leeds Miners Hall", "The Red Lion"]


def test_the_list_selects_entries_by_their_cases_status(client, cases):
    _, names = listed(client, case_status="saved,lost")
    assert names == ["Sefton Park Meadow", "The Red Lion"]


def test_the_list_selects_entries_with_a_deadline_within_n_days(client, cases):
    assert listed(client, deadline_within="10")[1] == ["Easton Library"]
    assert listed(client, deadline_within="40")[1] == ["Easton Library", "Leeds Miners Hall"]
    assert listed(client, deadline_within="5")[1] == []


def test_case_filters_combine_with_the_others(client, cases):
    _, names = listed(client, case_kind="disposal", category="convivial-spaces", case_status="lost")
    assert names == ["The Red Lion"]


def test_the_form_shows_the_case_filters_it_applied(client, cases):
    body = client.get("/entries/", {"case_kind": ["closure", "disposal"], "deadline_within": "9"})
    body = body.content.decode()
    for value in ("closure", "disposal"):
        assert re.search(rf'name="case_kind" value="{value}"[^>]*checked', body), value
    assert 'name="deadline_within" value="9"' in body


def test_deadline_before_has_no_control_and_is_carried_through_the_form(client, cases):
    body = client.get("/entries/", {"deadline_before": "2026-07-01"}).content.decode()
    assert 'type="hidden" name="deadline_before" value="2026-07-01"' in body


def test_a_bad_case_filter_is_a_400_shown_beside_its_control(client, cases):
    response = client.get("/entries/", {"deadline_within": "soon", "case_kind": "doom"})
    body = response.content.decode()
    assert response.status_code == 400
    start = body.index('<label for="id_deadline_within">')
    assert "deadline_within must be a whole number, not &#x27;soon&#x27;." in body[start:]
    start = body.index("<legend>Kind of threat</legend>")
    assert "Unknown case_kind: doom." in body[start : body.index("</fieldset>", start)]


def test_a_bad_deadline_before_is_named_above_the_form(client, cases):
    response = client.get("/entries/", {"deadline_before": "tomorrow"})
    assert response.status_code == 400
    assert "deadline_before must be a date as YYYY-MM-DD" in response.content.decode()


def test_an_entry_at_risk_says_when_its_next_deadline_falls(client, cases):
    body = client.get("/entries/").content.decode()
    library = body[body.index("Easton Library") :]
    library = library[: library.index("</li>")]
    assert "<strong>At risk</strong> · Consultation closes" in library
    assert '<time datetime="2026-06-24">in 9 days</time>' in library
    pub = body[body.index("The Red Lion") :]
    # Lost: no deadline follows, only when it was last verified.
    assert '<strong>Lost</strong> · <span class="freshness">' in pub[: pub.index("</li>")]


def test_the_maps_filters_have_the_case_controls_with_the_servers_choices(client, db):
    body = client.get("/").content.decode()
    form = body[body.index('<form id="filters"') : body.index("</form>")]
    for value, label in ThreatCase.Kind.choices:
        assert f'<option value="{value}">{label}</option>' in form, value
    for value, label in ThreatCase.Status.choices:
        assert f'<option value="{value}">{label}</option>' in form, value
    assert 'name="deadline_within"' in form


def test_the_maps_form_submits_its_case_filters_to_the_list_without_javascript(client, cases):
    """A form submitted as is sends its empty controls too: the list ignores them."""
    response = client.get(
        "/entries/",
        {"q": "", "tag": "", "case_kind": "closure", "case_status": "", "deadline_within": ""},
    )
    assert response.status_code == 200
    assert [e.name for e in response.context["page"].object_list] == ["Easton Library"]


@pytest.mark.parametrize("value", ["20261210", "2026-W50-1", "2026-12-1"])
def test_deadline_before_takes_only_a_date_written_yyyy_mm_dd(client, db, value):
    response = client.get("/threats/", {"deadline_before": value})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()
