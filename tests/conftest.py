import itertools
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from mapapp import services
from mapapp.models import Category, DeadlineRule, Entry, ThreatCase

_names = itertools.count(1)


def ensure_categories():
    """Seed the categories, and the deadline rules, again if a transactional test flushed
    them."""
    from importlib import import_module

    from django.apps import apps

    if not Category.objects.exists():
        import_module("mapapp.migrations.0002_seed_categories").seed(apps, None)
    if not DeadlineRule.objects.exists():
        import_module("mapapp.migrations.0008_threat_cases").seed_rules(apps, None)


@pytest.fixture
def category(db):
    ensure_categories()
    return Category.objects.get(slug="commoning")


def open_case_for_threat(entry, threat, note=""):
    """The case that gives entry the threat asked for (threat is derived from cases): an
    active one for at risk, a lost one for lost."""
    lost = threat == Entry.Threat.LOST
    today = timezone.localdate()
    services.case_create(
        entry=entry,
        author=None,
        data={
            "title": note or "Under threat",
            "summary": note,
            "kind": ThreatCase.Kind.CLOSURE,
            "status": ThreatCase.Status.LOST if lost else ThreatCase.Status.ACTIVE,
            "opened_on": today - timedelta(days=30),
            "closed_on": today if lost else None,
        },
    )
    entry.refresh_from_db()


@pytest.fixture
def make_entry(db):
    """Create an entry through the services, with sensible defaults for anything not given."""

    ensure_categories()

    def make(lon=-2.5879, lat=51.4545, tags=(), author=None, category_slug="commoning", **fields):
        threat = fields.pop("threat", Entry.Threat.NONE)
        note = fields.pop("threat_note", "")
        data = {
            "name": f"Test entry {next(_names)}",
            "category": Category.objects.get(slug=category_slug),
            "location": Point(lon, lat, srid=4326),
            "status": Entry.Status.PUBLISHED,
            **fields,
        }
        entry = services.entry_create(author=author, data=data, tag_names=tags)
        if threat != Entry.Threat.NONE:
            open_case_for_threat(entry, threat, note)
        return entry

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Real hashing is slow by design; tests need accounts, not brute-force resistance."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Throttle counters live in the cache (the database's, as in production); each test starts
    with none. Tests without database access cannot touch it, so there is nothing to clear."""
    from django.core.cache import cache

    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
    elif "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    cache.clear()


@pytest.fixture
def api(client):
    """GET helper returning (status, parsed JSON or None, response)."""
    import json

    def get(path, params=None, **headers):
        response = client.get(path, params or {}, headers=headers)
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = None
        return response.status_code, body, response

    return get


@pytest.fixture
def people(db, django_user_model):
    """One account per role; `client_for(role)` signs a fresh client in as that role."""
    from django.contrib.auth.models import Group

    def make(name, group=None, **extra):
        user = django_user_model.objects.create_user(
            name, f"{name}@private.example", "correct-horse-battery", **extra
        )
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        return user

    return {
        "resident": make("resident"),
        "owner": make("owner"),
        "trusted": make("trusted", "Trusted contributors"),
        "moderator": make("moderator", "Moderators"),
        "superuser": make("superuser", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def client_for(people):
    from django.test import Client

    def make(role):
        client = Client()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return make


ENTRY_FORM = {
    "name": "Hulme Community Garden",
    "category": "commoning",
    "summary": "Growing food together",
    "description": "Raised beds and a pond.",
    "tags": "food, growing",
    "longitude": "-2.2426",
    "latitude": "53.4668",
    "precision": "exact",
    "threat": "none",
}


@pytest.fixture
def entry_form():
    return dict(ENTRY_FORM)
