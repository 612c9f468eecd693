"""/api/v1/threats/: public cases as GeoJSON at their entries' public points, filtered, paged,
downloaded; one case with its events and deadlines; the counts per month or year."""

import csv
import io
import json
from datetime import date

import pytest
import time_machine

from mapapp import services
from mapapp.models import ThreatCase, ThreatEvent

URL = "/api/v1/threats/"
TODAY = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.API_THROTTLE_ANON = None
    with time_machine.travel("2026-11-15 12:00:00Z", tick=False):
        yield


def open_case(entry, *, review=ThreatCase.Review.ACCEPTED, author=None, **fields):
    data = {
        "title": "Library to close",
        "kind": ThreatCase.Kind.CLOSURE,
        "opened_on": date(2026, 9, 1),
        **fields,
    }
    return services.case_create(entry=entry, author=author, data=data, review=review)


def add_event(case, kind, on, *, review=ThreatEvent.Review.ACCEPTED, author=None, **fields):
    data = {"kind": kind, "happened_on": on, **fields}
    return services.event_create(case=case, author=author, data=data, review=review)


def get(client, path=URL, **params):
    response = client.get(path, params)
    return response.status_code, response.json() if response.status_code != 304 else None


def entries_of(body):
    return [feature["properties"]["entry"] for feature in body["features"]]


def test_the_list_is_a_feature_collection_of_public_cases(client, make_entry):
    entry = make_entry(name="Easton Library", lon=-2.56, lat=51.46)
    case = open_case(entry, summary="The council plans to close it.", decider_name="Council")
    add_event(case, "announced", date(2026, 9, 1))
    status, body = get(client)
    assert status == 200 and body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 1
    (feature,) = body["features"]
    assert feature["id"] == case.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [-2.56, 51.46]}
    properties = feature["properties"]
    assert properties["title"] == "Library to close" and properties["kind"] == "closure"
    assert properties["status"] == "active" and properties["opened_on"] == "2026-09-01"
    assert properties["closed_on"] is None and properties["decider_name"] == "Council"
    assert properties["entry"] == entry.slug and properties["entry_name"] == "Easton Library"
    assert properties["entry_url"] == f"/entries/{entry.slug}/"
    assert properties["category"] == "commoning"
    assert properties["event_count"] == 1 and properties["next_deadline"] is None


def test_pending_cases_and_cases_of_unpublished_entries_are_not_listed(client, make_entry):
    open_case(make_entry(), review=ThreatCase.Review.PENDING)
    open_case(make_entry(status="pending"))
    assert get(client)[1]["features"] == []


def test_cases_are_ordered_by_next_deadline_with_days_to_go(client, make_entry):
    later = open_case(make_entry(name="Later"))
    add_event(later, "consultation_closes", date(2026, 12, 20))
    sooner = open_case(make_entry(name="Sooner"))
    add_event(sooner, "disposal_notice", date(2026, 10, 20))  # interim moratorium: 1 Dec
    none = open_case(make_entry(name="None"))
    body = get(client)[1]
    assert [f["id"] for f in body["features"]] == [sooner.pk, later.pk, none.pk]
    assert body["features"][0]["properties"]["next_deadline"] == {
        "name": "Interim moratorium ends",
        "due_on": "2026-12-01",
        "days": 16,
    }


def test_a_closed_case_has_no_next_deadline(client, make_entry):
    case = open_case(make_entry())
    add_event(case, "disposal_notice", date(2026, 10, 20))
    services.case_update(
        case=case,
        editor=_moderator(),
        data={"status": "saved", "closed_on": date(2026, 11, 1)},
    )
    assert get(client)[1]["features"][0]["properties"]["next_deadline"] is None


def _moderator():
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("mod-threats", "mod@private.example", "x")
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


@pytest.fixture
def several(make_entry):
    """Cases of each kind and status, in two places and two categories."""
    bristol = open_case(make_entry(name="Bristol Library", lon=-2.59, lat=51.45))
    add_event(bristol, "consultation_closes", date(2026, 11, 25))
    leeds = open_case(
        make_entry(name="Leeds Park", lon=-1.55, lat=53.8, category_slug="public-goods"),
        kind="disposal",
    )
    add_event(leeds, "disposal_notice", date(2026, 11, 1))  # interim moratorium: 13 Dec
    open_case(
        make_entry(name="Saved Hall", lon=-1.5, lat=53.79),
        kind="funding_cut",
        status="saved",
        closed_on=date(2026, 10, 1),
    )
    return {"bristol": bristol, "leeds": leeds}


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"status": "active"}, ["bristol-library", "leeds-park"]),
        ({"status": "saved,lost"}, ["saved-hall"]),
        ({"case_status": "saved"}, ["saved-hall"]),
        ({"kind": "disposal"}, ["leeds-park"]),
        ({"case_kind": "closure,funding_cut"}, ["bristol-library", "saved-hall"]),
        ({"deadline_within": "14"}, ["bristol-library"]),
        ({"deadline_within": "30"}, ["bristol-library", "leeds-park"]),
        ({"deadline_before": "2026-12-13"}, ["bristol-library", "leeds-park"]),
        ({"bbox": "-1.6,53.7,-1.4,53.9"}, ["leeds-park", "saved-hall"]),
        ({"category": "public-goods"}, ["leeds-park"]),
        ({"bbox": "-1.6,53.7,-1.4,53.9", "status": "active"}, ["leeds-park"]),
    ],
)
def test_filters_select_cases(client, several, params, expected):
    status, body = get(client, **params)
    assert status == 200, body
    assert sorted(entries_of(body)) == expected


@pytest.mark.parametrize(
    "params,named",
    [
        ({"kind": "meteor"}, "kind"),
        ({"status": "doomed"}, "status"),
        ({"case_kind": ""}, "case_kind"),
        ({"deadline_within": "-1"}, "deadline_within"),
        ({"deadline_within": "soon"}, "deadline_within"),
        ({"deadline_within": "99999"}, "deadline_within"),
        ({"deadline_before": "2020-01-01"}, "deadline_before"),
        ({"deadline_before": "next week"}, "deadline_before"),
        ({"deadline_within": "3", "deadline_before": "2026-12-01"}, "deadline_within"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "0,0,200,1"}, "bbox"),
        ({"category": "no-such-category"}, "category"),
        ({"kind": "closure", "case_kind": "closure"}, "case_kind"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"format": "xml"}, "format"),
        ({"q": "library"}, "unknown"),
        ({"threat": "at_risk"}, "unknown"),
        ({"ordering": "name"}, "unknown"),
    ],
)
def test_each_bad_parameter_gets_a_400_naming_it(client, db, params, named):
    status, body = get(client, **params)
    assert status == 400 and named in body, body
    assert all(isinstance(m, str) for m in body[named])


def test_pages_carry_counts_and_next_and_prev_links(client, make_entry):
    for n in range(5):
        open_case(make_entry(name=f"Entry {n}"), opened_on=date(2026, 9, n + 1))
    body = get(client, limit=2, offset=2)[1]
    assert body["numberMatched"] == 5 and body["numberReturned"] == 2
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert "offset=4" in links["next"] and "offset=0" in links["prev"]
    last = get(client, limit=2, offset=4)[1]
    assert last["numberReturned"] == 1 and "next" not in {x["rel"] for x in last["links"]}
    assert get(client, limit=2, offset=10)[1]["numberMatched"] == 5


def test_a_cases_detail_has_its_accepted_events_and_every_deadline(client, make_entry):
    case = open_case(make_entry())
    add_event(case, "disposal_notice", date(2026, 10, 20), source_url="https://council.example/n")
    add_event(case, "campaign_action", date(2026, 10, 25), review=ThreatEvent.Review.PENDING)
    status, feature = get(client, f"{URL}{case.pk}/")
    assert status == 200 and feature["id"] == case.pk
    (event,) = feature["properties"]["events"]
    assert event["kind"] == "disposal_notice" and event["happened_on"] == "2026-10-20"
    assert event["source_url"] == "https://council.example/n"
    deadlines = feature["properties"]["deadlines"]
    assert [d["name"] for d in deadlines] == [
        "Interim moratorium ends",
        "Full moratorium ends",
        "Protected period ends",
    ]
    first = deadlines[0]
    assert first["due_on"] == "2026-12-01" and first["days"] == 16
    assert first["countdown"] == "in 16 days" and first["legal_basis"].startswith("Localism")
    assert first["source_url"].startswith("https://www.legislation.gov.uk/")
    assert first["explanation"]
    assert {link["rel"] for link in feature["links"]} == {"self", "alternate"}


def test_a_cases_events_are_listed_oldest_first(client, make_entry):
    case = open_case(make_entry())
    add_event(case, "consultation_opens", date(2026, 10, 1))
    add_event(case, "announced", date(2026, 9, 2))
    add_event(case, "decision", date(2026, 10, 9), review=ThreatEvent.Review.DECLINED)
    status, events = get(client, f"{URL}{case.pk}/events/")
    assert status == 200
    assert [e["kind"] for e in events] == ["announced", "consultation_opens"]


def test_one_event_is_read_by_its_id_under_its_case(client, make_entry):
    case = open_case(make_entry())
    shown = add_event(case, "announced", date(2026, 9, 2), note="Budget papers")
    declined = add_event(case, "decision", date(2026, 10, 9), review=ThreatEvent.Review.DECLINED)
    other = open_case(make_entry())
    status, event = get(client, f"{URL}{case.pk}/events/{shown.pk}/")
    assert status == 200
    assert event == {
        "id": shown.pk,
        "case": case.pk,
        "kind": "announced",
        "happened_on": "2026-09-02",
        "source_url": "",
        "note": "Budget papers",
    }
    for path in (f"{URL}{case.pk}/events/{declined.pk}/", f"{URL}{other.pk}/events/{shown.pk}/"):
        assert get(client, path)[0] == 404, path


def test_cases_that_are_not_public_are_not_found(client, make_entry):
    pending = open_case(make_entry(), review=ThreatCase.Review.PENDING)
    hidden = open_case(make_entry(status="pending"))
    for case_id in (pending.pk, hidden.pk, 999999, 10**30):
        for path in (f"{URL}{case_id}/", f"{URL}{case_id}/events/"):
            status, body = get(client, path)
            assert status == 404, (path, body)
    assert get(client, f"{URL}{pending.pk}/", extra="1")[0] in (400, 404)


def test_stats_count_cases_and_events_per_month_and_year(client, make_entry):
    lost = open_case(
        make_entry(), opened_on=date(2025, 12, 3), status="lost", closed_on=date(2026, 2, 1)
    )
    add_event(lost, "announced", date(2025, 12, 3))
    active = open_case(make_entry(), opened_on=date(2026, 2, 10))
    add_event(active, "consultation_closes", date(2026, 12, 20))  # not happened yet
    status, months = get(client, f"{URL}stats/", interval="month")
    assert status == 200
    assert months == [
        {"period": "2025-12", "opened": 1, "saved": 0, "lost": 0, "withdrawn": 0, "events": 1},
        {"period": "2026-02", "opened": 1, "saved": 0, "lost": 1, "withdrawn": 0, "events": 0},
    ]
    years = get(client, f"{URL}stats/", interval="year")[1]
    assert [(y["period"], y["opened"], y["lost"]) for y in years] == [
        ("2025", 1, 0),
        ("2026", 1, 1),
    ]
    assert get(client, f"{URL}stats/")[1] == months
    assert get(client, f"{URL}stats/", status="lost")[1][0]["opened"] == 1


@pytest.mark.parametrize(
    "params,named",
    [
        ({"interval": "week"}, "interval"),
        ({"interval": ""}, "interval"),
        ({"kind": "meteor"}, "kind"),
        ({"limit": "3"}, "unknown"),
    ],
)
def test_bad_stats_parameters_get_a_400_naming_them(client, db, params, named):
    status, body = get(client, f"{URL}stats/", **params)
    assert status == 400 and named in body, body


def test_the_csv_download_has_iso_dates_and_neutralised_formulas(client, make_entry):
    case = open_case(
        make_entry(name="Hall", lon=-2.5, lat=51.5),
        title='=HYPERLINK("http://evil.example")',
        status="saved",
        closed_on=date(2026, 10, 2),
    )
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    (row,) = rows
    assert row["id"] == str(case.pk) and row["title"].startswith("'=")
    assert row["opened_on"] == "2026-09-01" and row["closed_on"] == "2026-10-02"
    assert row["longitude"] == "-2.5" and row["latitude"] == "51.5"
    assert row["entry"] == "hall" and row["next_deadline_on"] == ""


def test_the_geojson_download_is_an_attachment_of_every_match(client, make_entry, settings):
    settings.API_DEFAULT_LIMIT = 1
    for n in range(3):
        case = open_case(make_entry(name=f"Entry {n}"))
        add_event(case, "consultation_closes", date(2026, 12, n + 1))
    response = client.get(URL, {"format": "geojson", "status": "active"})
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"].startswith('attachment; filename="commons-map-threats')
    body = json.loads(b"".join(response.streaming_content))
    assert len(body["features"]) == 3
    assert body["features"][0]["properties"]["next_deadline"]["due_on"] == "2026-12-01"


def test_a_withheld_location_is_shown_only_at_the_public_point(client, make_entry):
    entry = make_entry(lon=-2.123456, lat=51.654321, precision="area")
    case = open_case(entry)
    add_event(case, "announced", date(2026, 9, 2))
    entry.refresh_from_db()
    public = [round(entry.public_point.x, 6), round(entry.public_point.y, 6)]
    assert public != [-2.123456, 51.654321]
    bodies = [
        client.get(URL).content,
        client.get(f"{URL}{case.pk}/").content,
        client.get(f"{URL}{case.pk}/events/").content,
        b"".join(client.get(URL, {"format": "csv"}).streaming_content),
        b"".join(client.get(URL, {"format": "geojson"}).streaming_content),
    ]
    for body in bodies:
        assert b"2.123456" not in body and b"51.654321" not in body
        assert b"2.12345" not in body
    assert json.loads(bodies[0])["features"][0]["geometry"]["coordinates"] == public


def test_no_contributors_data_is_on_any_threats_answer(client, make_entry, people):
    owner = people["owner"]
    entry = make_entry(author=owner)
    case = open_case(entry, author=owner)
    add_event(case, "announced", date(2026, 9, 2), author=people["resident"])
    bodies = [
        client.get(URL).content,
        client.get(f"{URL}{case.pk}/").content,
        client.get(f"{URL}{case.pk}/events/").content,
        client.get(f"{URL}stats/").content,
        b"".join(client.get(URL, {"format": "csv"}).streaming_content),
        b"".join(client.get(URL, {"format": "geojson"}).streaming_content),
    ]
    for body in bodies:
        text = body.decode()
        assert "private.example" not in text and "created_by" not in text
        assert "owner" not in text and "resident" not in text


def test_a_repeated_request_with_its_etag_is_not_modified(client, make_entry):
    case = open_case(make_entry())
    for path in (URL, f"{URL}{case.pk}/", f"{URL}{case.pk}/events/", f"{URL}stats/"):
        first = client.get(path)
        assert first.status_code == 200 and first["ETag"]
        again = client.get(path, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304, path


def test_last_modified_moves_on_each_day_as_countdowns_do(client, make_entry):
    case = open_case(make_entry())
    add_event(case, "consultation_closes", date(2026, 12, 20))
    first = client.get(URL)
    with time_machine.travel("2026-11-16 09:00:00Z", tick=False):
        again = client.get(URL, headers={"If-Modified-Since": first["Last-Modified"]})
        assert again.status_code == 200
        assert again.json()["features"][0]["properties"]["next_deadline"]["days"] == 34


def test_the_schema_documents_every_threats_parameter_with_enums_from_the_choices(client, db):
    from mapapp.api.params import THREAT_LIST_PARAMS, THREAT_STATS_PARAMS

    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    operation = paths["/api/v1/threats/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    # kind and status stand for case_kind and case_status too (their descriptions say so).
    assert set(params) == THREAT_LIST_PARAMS - {"case_kind", "case_status"}
    assert sorted(params["kind"]["schema"]["items"]["enum"]) == sorted(ThreatCase.Kind.values)
    assert sorted(params["status"]["schema"]["items"]["enum"]) == sorted(ThreatCase.Status.values)
    stats = {p["name"] for p in paths["/api/v1/threats/stats/"]["get"]["parameters"]}
    assert stats == THREAT_STATS_PARAMS - {"case_kind", "case_status"}
    for path, method in [
        ("/api/v1/threats/{id}/", "get"),
        ("/api/v1/threats/{id}/", "patch"),
        ("/api/v1/threats/{id}/events/", "get"),
        ("/api/v1/threats/{id}/events/", "post"),
        ("/api/v1/entries/{slug}/cases/", "post"),
    ]:
        assert method in paths[path], (path, method)
    case_body = schema["components"]["schemas"]["CaseWrite"]
    assert case_body["additionalProperties"] is False
    assert set(case_body["properties"]) == set(services.CASE_FIELDS)
    event_body = schema["components"]["schemas"]["EventWrite"]
    assert set(event_body["properties"]) == set(services.EVENT_FIELDS)
