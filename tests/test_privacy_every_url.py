"""Every URL the project answers, fetched as an anonymous visitor and as a signed-in resident
who owns nothing: no response reveals a withheld exact location (any version), its street
address or postcode, an unpublished entry, private moderation text or anyone's account.

The URLs come from walking the resolver, so a new page, API endpoint or OGC resource is
covered the day it is added; a URL argument of a kind the walk has no samples for fails the
test until someone teaches it one."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone
from django.utils.http import int_to_base36

from mapapp import services
from mapapp.models import Category, ChangeRequest, ModerationDecision, Report
from mapapp.services import follows
from tests import urlwalk
from tests.conftest import ensure_categories
from tests.test_privacy_sweep import fragments, revealed, unzipped

APPROXIMATE = {"at": (-2.123456, 51.654321), "moved": (-2.131313, 51.646464)}
AREA = {"at": (-1.876543, 52.345678), "moved": (-1.882468, 52.351357)}
SUGGESTED = {"approximate": (-2.117711, 51.659922), "area": (-1.871122, 52.341133)}
# The inward halves of the withheld postcodes (the public sees only "BS5").
INWARD_CODES = ["9QQ", "7XY"]
PRIVATE_TEXT = [
    "9 Hidden Yard",
    "14 Secret Mews",
    *INWARD_CODES,
    "Zebulon Pending Orchard",
    "Quillon Rejected Barn",
    "pending-only-spam",
    "Checked with qx7 by phone",
    "Spam from a qx7 sockpuppet",
    "Reporter hb9 says it is behind the chapel",
    "Proposer jw5 walked past it",
    "Proposer jw5 heard it at the meeting",
    "Rumoured sale from jw5",
    "Proposer jw5 case awaiting review",
    "Zebulon orchard case",
]
ACCOUNTS = ["owner-qx7", "mod-vk2", "proposer-jw5", "reporter-hb9"]
# Each door's formats, on every URL of the door; list queries on each URL without arguments.
FORMATS = {
    "/api/": ["", "?format=json", "?format=geojson", "?format=csv"],
    "/ogc/": ["", "?f=json", "?f=geojson", "?f=html"],
    # The area feed's box holds both withheld entries.
    "/feeds/": ["", "?bbox=-2.2,51.6,-1.8,52.4"],
}
LIST_QUERIES = [
    "?q=Zebulon",
    "?near=-2.12,51.65&radius=2000",
    "?bbox=-2.2,51.6,-1.8,52.4&limit=1000",
]
ACTIONS = ["publish", "reject", "archive", "apply", "decline", "resolve", "dismiss", "accept"]


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type") == "application/zip":
        content = unzipped(content).encode()
    content = content.decode("utf-8", "replace")
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{headers}\n\n{content}"


def account(django_user_model, name, email_domain="private.example", group=None):
    user = django_user_model.objects.create_user(
        name, f"{name}@{email_domain}", "correct-horse-battery"
    )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def withheld_entry(name, precision, spot, *, owner, moderator, proposer, reporter):
    """A published entry with a withheld location, moved once, suggested, reported."""
    commoning = Category.objects.get(slug="commoning")
    entry = services.entry_submit(
        author=owner,
        data={
            "name": name,
            "category": commoning,
            "location": Point(*spot["at"], srid=4326),
            "precision": precision,
            "address": "9 Hidden Yard",
            "postcode": "BS5 9QQ",
            "locality": "Easton",
        },
        tag_names=["shelter"],
    )
    services.entry_moderate(
        entry=entry,
        moderator=moderator,
        action=ModerationDecision.Action.PUBLISH,
        reason="Checked with qx7 by phone",
    )
    entry.refresh_from_db()
    entry = services.entry_edit(
        entry=entry,
        editor=owner,
        data={
            "location": Point(*spot["moved"], srid=4326),
            "address": "14 Secret Mews",
            "postcode": "BS5 7XY",
        },
        expected_version=entry.version,
    )
    services.change_request_create(
        entry=entry,
        proposer=proposer,
        message="Proposer jw5 walked past it",
        changes={"location": list(SUGGESTED[precision])},
    )
    services.report_create(
        entry=entry,
        reporter=reporter,
        kind="wrong",
        message="Reporter hb9 says it is behind the chapel",
    )
    return entry


def threat_cases(public, unpublished, people):
    """A public case with a deadline on a withheld entry, a case awaiting review on it and a
    case of an unpublished entry: only the first may show, and nobody's name with it."""
    opened = timezone.localdate() - timedelta(days=30)
    owner = people["owner"]
    data = {"title": "Shelter lease ends", "kind": "closure", "opened_on": opened}
    case = services.case_create(entry=public, author=owner, data=data)
    closes = {"kind": "consultation_closes", "happened_on": opened + timedelta(days=40)}
    services.event_create(case=case, author=owner, data=closes)
    data = {"title": "Proposer jw5 case awaiting review", "kind": "other", "opened_on": opened}
    services.case_submit(entry=public, author=people["proposer"], data=data)
    data = {"title": "Zebulon orchard case", "kind": "disposal", "opened_on": opened}
    services.case_create(entry=unpublished, author=owner, data=data)


def submitted(name, lon, *, author, **extra):
    """An entry submitted for review (pending) in Bristol at the given longitude."""
    data = {
        "name": name,
        "category": Category.objects.get(slug="commoning"),
        "location": Point(lon, 51.45, srid=4326),
    }
    return services.entry_submit(author=author, data=data, **extra)


@pytest.fixture
def world(db, django_user_model):
    ensure_categories()
    people = {
        "owner": account(django_user_model, "owner-qx7"),
        "moderator": account(django_user_model, "mod-vk2", group="Moderators"),
        "proposer": account(django_user_model, "proposer-jw5"),
        "reporter": account(django_user_model, "reporter-hb9"),
        "resident": account(django_user_model, "walker-rz3", email_domain="viewer.example"),
    }
    roles = {k: people[k] for k in ("owner", "moderator", "proposer", "reporter")}
    withheld = [
        withheld_entry("Shelter Approximate", "approximate", APPROXIMATE, **roles),
        withheld_entry("Shelter Area", "area", AREA, **roles),
    ]
    cases = [threatened(entry, **roles) for entry in withheld]
    pending = submitted(
        "Zebulon Pending Orchard", -2.5, author=people["owner"], tag_names=["pending-only-spam"]
    )
    anonymous_pending = submitted(
        "Shed", -2.51, author=None, contact_email="anon-submitter@private.example"
    )
    threat_cases(withheld[0], pending, people)
    rejected = submitted("Quillon Rejected Barn", -2.52, author=people["owner"])
    services.entry_moderate(
        entry=rejected,
        moderator=people["moderator"],
        action=ModerationDecision.Action.REJECT,
        reason="Spam from a qx7 sockpuppet",
    )
    return {
        "people": people,
        "withheld": withheld,
        "unpublished": [pending, anonymous_pending, rejected],
        "cases": [item for ids in cases for item in ids],
    }


def threatened(entry, *, owner, proposer, **roles):
    """The owner's public case on entry with an event, and the proposer's case and event
    awaiting review: their ids, for the walk."""
    day = timezone.localdate()
    case = services.case_submit(
        entry=entry,
        author=owner,
        data={"title": "Closure", "kind": "closure", "opened_on": day - timedelta(days=9)},
    )
    event = services.event_submit(
        case=case, author=owner, data={"kind": "announced", "happened_on": day}
    )
    waiting = services.event_submit(
        case=case,
        author=proposer,
        data={
            "kind": "decision",
            "happened_on": day,
            "note": "Proposer jw5 heard it at the meeting",
        },
    )
    rumour = services.case_submit(
        entry=entry,
        author=proposer,
        data={"title": "Rumoured sale from jw5", "kind": "disposal", "opened_on": day},
    )
    return [case.pk, event.pk, waiting.pk, rumour.pk]


def secrets(world):
    """Everything no visitor may read, with the versions of each withheld location."""
    found = set(PRIVATE_TEXT) | set(ACCOUNTS) | {"@private.example"}
    for entry in world["withheld"]:
        points = {(r.location.x, r.location.y) for r in entry.history.all()}
        assert len(points) == 2, "the fixture moves each withheld entry once"
        for lon, lat in points | {SUGGESTED[entry.precision]}:
            found |= fragments(lon) | fragments(lat)
        public = fragments(entry.public_point.x) | fragments(entry.public_point.y)
        # The test means nothing if a public point shares digits with a secret one.
        assert not public & found, f"fixture: {entry.precision} public point overlaps a secret"
    return found


def samples_for(world):
    entries = world["withheld"] + world["unpublished"]
    slugs = [e.slug for e in entries] + ["no-such-entry"]
    versions = {1}
    for entry in world["withheld"]:
        versions |= set(entry.history.values_list("history_id", flat=True))
    decided = {1}
    for model in (ChangeRequest, Report):
        decided |= set(model.objects.values_list("pk", flat=True))
    decided |= set(world["cases"])
    objects = sorted({1} | {e.pk for e in world["withheld"]} | {world["people"]["owner"].pk})
    return {
        "slug": slugs,
        "int": sorted(versions | decided),
        "collection_id": ["entries", "threats", "no-such-collection"],
        "category": ["commoning", "no-such-category"],
        "feature_id": slugs + [e.pk for e in entries] + world["cases"],
        "action": ACTIONS,
        "history_id": sorted(versions),
        "pk": sorted(decided),
        "event_id": sorted(decided),
        "id": objects,
        "object_id": objects,
        "content_type_id": [1],
        "uidb36": [int_to_base36(world["people"]["owner"].pk)],
        "key": ["set-by-email-6f1"],
        # An unsubscribe link's token: the owner's real one (its page only asks) and a forged one.
        "token": [follows.unsubscribe_token(world["people"]["owner"]), "not-a-token"],
        "app_label": ["mapapp", "auth"],
        "url": ["no-such-page/"],
        "rest": ["no-such-resource"],
    }


def every_url(world):
    """(URL, pattern) pairs: each pattern with all its samples, in each format of its door."""
    samples = samples_for(world)
    for parts, pattern in urlwalk.url_patterns():
        urls = urlwalk.urls_for(parts, samples)
        door = next((d for d in FORMATS if urls[0].startswith(d)), None)
        queries = FORMATS.get(door, [""])
        if not urlwalk.has_arguments(parts) and not urls[0].startswith("/admin/"):
            queries = queries + LIST_QUERIES
        for url in urls:
            for query in queries:
                yield url + query, pattern


def extra_requests(world):
    """Requests the GET walk cannot make: error pages, the add form's duplicate check and a
    suggested move (so the walk sees what a suggester sees afterwards)."""
    probe = {"name": "Zebulon Orchard Probe", "category": "commoning", "precision": "exact"}
    probes = [{**probe, "longitude": "-2.5", "latitude": "51.45"}]
    for entry in world["withheld"]:
        x, y = entry.public_point.x, entry.public_point.y
        probes.append(
            {**probe, "name": f"{entry.name} Probe", "longitude": f"{x}", "latitude": f"{y}"}
        )
    for data in probes:
        yield "post", "/entries/new/", {**data, "threat": "none", "preview": "1"}, 200
    for entry in world["withheld"]:
        yield "get", f"/entries/{entry.slug}/suggest/", None, 200
        # The viewer suggests a move; what they see afterwards is walked below.
        suggestion = {
            "message": "Walker thinks it moved",
            "version": entry.version,
            "name": entry.name,
            "category": "commoning",
            "longitude": f"{entry.public_point.x + 0.001:.6f}",
            "latitude": f"{entry.public_point.y:.6f}",
            "precision": entry.precision,
            "threat": "none",
        }
        yield "post", f"/entries/{entry.slug}/suggest/", suggestion, 302
    for path in ("/no-such-page/", "/api/v1/no-such-thing/", "/ogc/no-such-thing"):
        yield "get", path, None, 404


def test_the_walk_covers_every_pattern_with_a_url_that_reaches_it(world):
    missed = urlwalk.unreached(every_url(world), urlwalk.url_patterns())
    assert not missed, f"no sample URL reaches {missed}"


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_no_url_reveals_a_withheld_location_an_unpublished_entry_or_an_account(world, viewer):
    forbidden = secrets(world)
    client = Client()
    if viewer == "resident":
        client.force_login(world["people"]["resident"])
    leaks, fetched = [], 0
    requests = [("get", url, None, None) for url, _ in every_url(world)]
    for method, url, data, expected in [*extra_requests(world), *requests]:
        try:
            response = getattr(client, method)(url, data) if data else client.get(url)
        except Exception as error:  # a 500 is a finding too; say where
            raise AssertionError(f"{method.upper()} {url} as {viewer} raised {error!r}") from error
        assert expected in (None, response.status_code), (url, response.status_code)
        body = body_of(response)
        fetched += 1
        found = revealed(body, forbidden, words=INWARD_CODES)
        if found:
            leaks.append((url, response.status_code, found))
    assert fetched > 300, f"only {fetched} requests: the walk is broken"
    if viewer == "resident":
        assert "_auth_user_id" in client.session, "a URL of the walk signed the resident out"
    assert not leaks, "\n".join(f"{url} ({status}): {found}" for url, status, found in leaks)


def test_the_csrf_failure_page_reveals_nothing(world):
    forbidden = secrets(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"]["resident"])
    response = client.post("/entries/new/", {"name": "x"})
    assert response.status_code == 403
    assert not revealed(body_of(response), forbidden, words=INWARD_CODES)
