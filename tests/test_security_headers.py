"""Every response carries the Content-Security-Policy; pages with forms or tokens are not stored."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

NO_STORE = "no-store"


def csp_of(response):
    return response.get("Content-Security-Policy", "")


def assert_strict_policy(response):
    policy = csp_of(response)
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/admin/login/"],
)
def test_password_pages_have_the_policy_and_are_never_stored(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert_strict_policy(response)
    assert NO_STORE in response["Cache-Control"]


def test_the_api_docs_run_their_script_from_a_file_under_the_policy(db):
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200 and "<script>" not in page.content.decode()
    assert_strict_policy(page)
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_forbidden_and_csrf_failure_pages_have_the_policy(client_for, people):
    forbidden = client_for("resident").get("/moderation/")
    assert forbidden.status_code == 403
    assert_strict_policy(forbidden)
    csrf = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    assert csrf.status_code == 403 and "CSRF" in csrf.content.decode()
    assert_strict_policy(csrf)


def test_the_not_found_page_has_the_policy(db):
    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404
    assert_strict_policy(missing)


def test_an_allauth_limit_page_has_the_policy(db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client = Client()
    client.post("/accounts/login/", {"login": "a@private.example", "password": "x"})
    limited = client.post("/accounts/login/", {"login": "a@private.example", "password": "x"})
    assert limited.status_code == 429
    assert_strict_policy(limited)


def test_entry_forms_and_personal_pages_are_never_stored(client_for, people, make_entry):
    entry = make_entry(author=people["owner"])
    for path in (
        "/entries/new/",
        f"/entries/{entry.slug}/report/",
        f"/entries/{entry.slug}/suggest/",
    ):
        assert NO_STORE in Client().get(path)["Cache-Control"], path
    owner = client_for("owner")
    for path in ("/account/", "/my/entries/", f"/entries/{entry.slug}/edit/"):
        response = owner.get(path)
        assert response.status_code == 200 and NO_STORE in response["Cache-Control"], path
    assert NO_STORE in client_for("moderator").get("/admin/").get("Cache-Control", "")


def test_public_pages_and_the_api_stay_cacheable(make_entry):
    entry = make_entry()
    client = Client()
    for path in ("/", "/entries/", f"/entries/{entry.slug}/", "/api/v1/entries/"):
        response = client.get(path)
        assert response.status_code == 200
        assert NO_STORE not in response.get("Cache-Control", ""), path
        assert csp_of(response), path


def test_check_deploy_is_clean_with_the_documented_production_settings():
    """README's production settings: DEBUG off, a real key and hosts; HTTPS on by default."""
    root = Path(__file__).resolve().parent.parent
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HTTPS", "HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="commons.example.org"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
