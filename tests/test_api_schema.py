"""The OpenAPI schema documents the API, and a real client (schemathesis) holds us to it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ST = Path(sys.executable).with_name("st")


def test_the_schema_documents_every_entry_parameter(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content) if response.content.startswith(b"{") else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    operation = schema["paths"]["/api/v1/entries/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {
        "bbox",
        "category",
        "tag",
        "threat",
        "q",
        "near",
        "radius",
        "updated_since",
        "ordering",
        "limit",
        "offset",
        "format",
        "case_kind",
        "case_status",
        "deadline_within",
        "deadline_before",
        "verified_within",
    }
    assert {"200", "304", "400", "429"} <= set(operation["responses"])
    assert "application/geo+json" in operation["responses"]["200"]["content"]


def test_the_schema_is_yaml_by_default_and_json_on_request(client, db):
    import yaml

    default = client.get("/api/v1/schema/")
    assert default["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(default.content)["openapi"].startswith("3.0")
    for request in (
        client.get("/api/v1/schema/", {"format": "json"}),
        client.get("/api/v1/schema/", headers={"Accept": "application/json"}),
    ):
        assert "json" in request["Content-Type"]
        assert json.loads(request.content)["openapi"].startswith("3.0")
    assert yaml.safe_load(client.get("/api/v1/schema/", {"format": "yaml"}).content)["paths"]


def test_an_unknown_schema_format_gets_a_400_naming_format(client, db):
    response = client.get("/api/v1/schema/", {"format": "xml"})
    assert response.status_code == 400 and "format" in json.loads(response.content)


def test_the_interactive_docs_are_served_from_our_own_static_files(client, db):
    body = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower() and "unpkg" not in body.lower()


def run_schemathesis(url, tmp_path, *extra):
    return subprocess.run(
        [
            str(ST),
            "run",
            url,
            "--checks",
            "all",
            # Valid-looking values can still name a category that does not exist, or pair
            # near with no radius: rejecting those with a 400 is right, so this check is off.
            "--exclude-checks",
            "positive_data_acceptance",
            # The coverage phase alone sends thousands of requests (minutes); examples and
            # fuzzing with a bounded number of cases keep the suite quick.
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "50",
            "--workers",
            "1",
            "--seed",
            "20261124",
            "--suppress-health-check",
            "all",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )


def seed_entries(make_entry):
    for n in range(12):
        entry = make_entry(
            name=f"Entry {n}",
            lon=-2.6 + n * 0.01,
            lat=51.45,
            tags=["parks"],
            precision=("exact", "approximate", "area")[n % 3],
        )
        if n % 3 == 0:
            seed_case(entry, lost=n % 2 == 1)


def seed_case(entry, lost):
    """A threat case with events and deadlines, so the threats endpoints answer features."""
    from datetime import timedelta

    from django.utils import timezone

    from mapapp import services

    today = timezone.localdate()
    case = services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Closure",
            "kind": "closure",
            "status": "lost" if lost else "active",
            "opened_on": today - timedelta(days=60),
            "closed_on": today if lost else None,
        },
    )
    for kind, days in (("disposal_notice", -30), ("consultation_closes", 0)):
        services.event_create(
            case=case, author=None, data={"kind": kind, "happened_on": today + timedelta(days)}
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_errors_or_schema_violations(
    live_server, make_entry, settings, tmp_path
):
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_DOWNLOADS = None
    seed_entries(make_entry)
    result = run_schemathesis(f"{live_server.url}/api/v1/schema/", tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Tested: 31" in result.stdout, result.stdout[-3000:]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_with_a_moderators_token_finds_no_errors(
    live_server, make_entry, settings, tmp_path, people
):
    from rest_framework.authtoken.models import Token

    settings.API_THROTTLE_ANON = settings.API_THROTTLE_DOWNLOADS = None
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 10_000
    seed_entries(make_entry)
    key = Token.objects.create(user=people["moderator"]).key
    result = run_schemathesis(
        f"{live_server.url}/api/v1/schema/", tmp_path, "-H", f"Authorization: Token {key}"
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Tested: 31" in result.stdout, result.stdout[-3000:]


def test_reports_are_documented_as_open_to_anonymous_clients(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    report = schema["paths"]["/api/v1/entries/{slug}/reports/"]["post"]
    assert {} in report["security"] and {"tokenAuth": []} in report["security"]
    assert schema["paths"]["/api/v1/entries/"]["post"]["security"] == [{"tokenAuth": []}]
