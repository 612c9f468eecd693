"""Naughty strings through every query parameter and every form field: never a 5xx.

The parameters come from the code: the OpenAPI schema for the API and OGC (it describes both),
the filter form's fields for /entries/, each form's fields for the pages that post them. A
new parameter or field is fuzzed without anyone listing it here. Values are sent as raw
bytes (lone surrogates become the invalid UTF-8 a hostile client could send).
"""

from functools import cache
from urllib.parse import urlencode

import pytest
import yaml
from allauth.account.forms import LoginForm, SignupForm
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st

from mapapp.pages import forms, threat_forms
from tests.conftest import ENTRY_FORM
from tests.fuzzing import errors_name_fields, fuzz_settings, naughty_strings

SLUG = "fuzzed-garden"
# Answers a GET may give besides 200: not modified, a refusal, no such entry (a fuzzed
# feature id), or a refused format.
GET_STATUSES = {200, 304, 400, 404, 406}
# A value for each path parameter of the schema; a new one fails until it is given one here.
# A case id no case has: its parameters must be refused or ignored before any lookup fails.
PATH_SAMPLES = {
    "{slug}": SLUG,
    "{collectionId}": "entries",
    "{featureId}": SLUG,
    "{id}": "1",
    "{event_id}": "1",
    # A vector tile over Bristol at a zoom of single entries.
    "{z}": "14",
    "{x}": "8074",
    "{y}": "5451",
}
# The one key the API may use for a refusal besides the parameter names: never "query" (a NUL
# must be named by its parameter), never "path" or "body" (a GET query cannot be either).
GENERAL = {"unknown"}


def schema_endpoints():
    """(path, [query parameter names], door) for every GET operation the OpenAPI schema
    describes, the API's and OGC's, each answering in its own door's error shape."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    schema = yaml.safe_load(yaml.safe_dump(schema))  # plain dicts and strings
    endpoints = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        for placeholder, value in PATH_SAMPLES.items():
            path = path.replace(placeholder, value)
        assert "{" not in path, f"Give the path parameter of {path} a sample in PATH_SAMPLES."
        endpoints.append((path, names, "ogc" if path.startswith("/ogc/") else "api"))
    return endpoints


@cache
def get_endpoints():
    """Every public GET endpoint with the parameters its code reads."""
    entry_page = ["page", *forms.EntryFilterForm.base_fields]
    threats_page = ["page", "record", *forms.ThreatFilterForm.base_fields, "kind", "status"]
    return [
        *schema_endpoints(),
        ("/entries/", entry_page, "page"),
        ("/threats/", threats_page, "page"),
        (f"/entries/{SLUG}/", [], "page"),
        (f"/entries/{SLUG}/history/", [], "page"),
        ("/", ["category", "q"], "page"),
        ("/embed/", ["category", "q"], "page"),
    ]


def raw_query(params):
    return urlencode(params, doseq=True, encoding="utf-8", errors="surrogatepass")


@pytest.fixture
def fuzz_entry(make_entry, settings):
    settings.API_THROTTLE_ANON = "1000000/minute"
    settings.API_THROTTLE_DOWNLOADS = None
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 1_000_000
    settings.ACCOUNT_RATE_LIMITS = False
    entry = make_entry(name="Fuzzed Garden", tags=["food"], threat="at_risk")
    assert entry.slug == SLUG
    return entry


def assert_refusal_names(response, kind, names, known):
    """A 400 names the parameters sent (or others the endpoint knows, e.g. a missing one)."""
    if response.status_code != 400:
        return
    if kind == "page":
        form = response.context and response.context.get("form")
        if form is not None:
            assert set(form.errors) <= {*form.fields, "__all__"} and form.errors
        else:  # refused before any view: the message names the parameter
            assert any(name in response.content.decode() for name in names), response.content
        return
    body = response.json()
    if kind == "ogc" and "code" in body:
        assert any(name in body["description"] for name in names), body
    else:
        allowed = {*known, *GENERAL, *(n.replace("\x00", "%00") for n in names)}
        assert errors_name_fields(body, allowed), body


@given(data=st.data())
@fuzz_settings(120)
def test_every_query_parameter_of_every_get_endpoint_survives_naughty_strings(fuzz_entry, data):
    path, names, kind = data.draw(st.sampled_from(get_endpoints()), label="endpoint")
    # A name the endpoint does not know is fuzzed too: it must be refused by name.
    names = [*names, "no_such_parameter"]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3), label="names")
    params = [(name, data.draw(naughty_strings, label=name)) for name in chosen]
    if kind == "api" and data.draw(st.booleans(), label="as export"):
        params.append(("format", data.draw(st.sampled_from(["csv", "geojson"]))))
    response = Client(raise_request_exception=True).get(f"{path}?{raw_query(params)}")
    assert response.status_code in GET_STATUSES, (path, params, response.content[:300])
    assert_refusal_names(response, kind, chosen, names)


@cache
def form_targets():
    """(path, form fields, valid data, who posts) for every form a visitor can submit."""
    entry_fields = list(forms.NewEntryForm.base_fields)
    suggest = {**ENTRY_FORM, "message": "It moved", "version": "1", "name": "Fuzzed Garden 2"}
    return [
        ("/entries/new/", entry_fields, {**ENTRY_FORM, "confirm_new": "on"}, "anonymous"),
        (
            f"/entries/{SLUG}/suggest/",
            list(forms.SuggestChangeForm.base_fields),
            suggest,
            "anonymous",
        ),
        (
            f"/entries/{SLUG}/report/",
            list(forms.ReportForm.base_fields),
            {"kind": "closed", "message": "Gone"},
            "anonymous",
        ),
        (
            f"/entries/{SLUG}/edit/",
            list(forms.EditEntryForm.base_fields),
            {**ENTRY_FORM, "version": "1"},
            "moderator",
        ),
        (
            f"/entries/{SLUG}/cases/new/",
            list(threat_forms.CaseForm.base_fields),
            {"title": "Sale", "kind": "disposal", "status": "active", "opened_on": "2020-01-02"},
            "moderator",
        ),
        (
            # {case}: the fuzzed entry's case, known once the database is.
            f"/entries/{SLUG}/cases/{{case}}/events/new/",
            list(threat_forms.EventForm.base_fields),
            {"kind": "decision", "happened_on": timezone.localdate().isoformat()},
            "moderator",
        ),
        (
            "/accounts/signup/",
            list(SignupForm().fields),
            {
                "email": "new@example.org",
                "password1": "correct-horse-9",
                "password2": "correct-horse-9",
            },
            "anonymous",
        ),
        (
            "/accounts/login/",
            list(LoginForm().fields),
            {"login": "nobody@example.org", "password": "wrong-password"},
            "anonymous",
        ),
    ]


@given(data=st.data())
@fuzz_settings(80)
def test_every_field_of_every_form_survives_naughty_strings(fuzz_entry, people, data):
    path, fields, valid, who = data.draw(st.sampled_from(form_targets()), label="form")
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2), label="fields")
    post = {**valid, **{name: data.draw(naughty_strings, label=name) for name in chosen}}
    client = Client(raise_request_exception=True)
    if who != "anonymous":
        client.force_login(people[who])
    path = path.format(case=fuzz_entry.cases.earliest("pk").pk)
    response = client.post(
        path, data=raw_query(post), content_type="application/x-www-form-urlencoded"
    )
    # 409: the edit form's version is stale after an earlier example saved the entry.
    assert response.status_code in {200, 302, 400, 409}, (path, post, response.content[:300])
    if response.status_code == 400:
        form = response.context["form"]
        assert form.errors and set(form.errors) <= {*form.fields, "__all__"}, form.errors
