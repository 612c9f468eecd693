"""Atom feeds (/feeds/…): valid Atom (RFC 4287's RELAX NG schema, tests/atom.rng, and
feedparser), newest first and bounded, public points and public fields only, a 400 naming each
bad parameter, and the pages that link them."""

import re
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from lxml import etree

from mapapp import services
from mapapp.models import Entry, ModerationDecision
from mapapp.reads import feeds
from mapapp.reads.filters import MAX_AREA_DEGREES
from tests.test_privacy_sweep import fragments

SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))
NS = {"atom": "http://www.w3.org/2005/Atom", "georss": "http://www.georss.org/georss"}
BRISTOL = "-2.7,51.3,-2.4,51.6"
LEEDS = (-1.55, 53.8)


def atom(client, url, **headers):
    """The feed at url, checked: 200, Atom's media type, valid against the schema, an author
    for every entry (the schema's Schematron rule), and readable by feedparser."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/atom+xml"), response["Content-Type"]
    tree = etree.fromstring(response.content)
    assert SCHEMA.validate(tree), (url, str(SCHEMA.error_log))
    assert tree.xpath("atom:author/atom:name", namespaces=NS), "the feed names its author"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return tree, parsed


def titles(parsed):
    return [item.title for item in parsed.entries]


def published_at(entry, minutes_ago):
    Entry.objects.filter(pk=entry.pk).update(
        published_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


@pytest.fixture
def bristol(make_entry):
    """Three entries in Bristol published an hour apart, one in Leeds, one in another
    category, one pending."""
    made = {}
    for age, name in enumerate(["Newest Garden", "Middle Garden", "Oldest Garden"]):
        made[name] = make_entry(name=name, lon=-2.59 + age / 100, lat=51.45)
        published_at(made[name], 60 * age)
    made["Leeds Garden"] = make_entry(name="Leeds Garden", lon=LEEDS[0], lat=LEEDS[1])
    made["Bristol Timebank"] = make_entry(
        name="Bristol Timebank", category_slug="reciprocal-working", lon=-2.6, lat=51.46
    )
    published_at(made["Bristol Timebank"], 30)
    make_entry(name="Pending Garden", status="pending")
    return made


def test_the_schema_refuses_what_is_not_atom():
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <updated>2026-01-01T00:00:00Z</updated><author><name>a</name></author></feed>"""
    assert not SCHEMA.validate(etree.fromstring(feed)), "a feed without an id is not Atom"
    with_id = feed.replace(b"<title>", b"<id>urn:x</id><title>")
    assert SCHEMA.validate(etree.fromstring(with_id))


def test_the_area_feed_lists_entries_published_in_the_box_newest_first(client, bristol):
    tree, parsed = atom(client, f"/feeds/area/?bbox={BRISTOL}")
    assert titles(parsed) == ["Newest Garden", "Bristol Timebank", "Middle Garden", "Oldest Garden"]
    assert parsed.feed.title == f"New on Commons Map in the area {BRISTOL}"
    assert parsed.feed.id == f"http://testserver/feeds/area/?bbox={BRISTOL}"
    assert parsed.feed.link == f"http://testserver/entries/?bbox={BRISTOL}"
    newest = parsed.entries[0]
    assert newest.link == f"http://testserver/entries/{bristol['Newest Garden'].slug}/"
    assert newest.tags[0].term == "Commoning"
    assert tree.xpath("georss:box", namespaces=NS), "the feed says which area it follows"


def test_the_category_feed_lists_that_category_only(client, bristol):
    _, parsed = atom(client, "/feeds/categories/reciprocal-working/")
    assert titles(parsed) == ["Bristol Timebank"]
    _, parsed = atom(client, "/feeds/categories/commoning/")
    # Leeds Garden was published last of all, outside Bristol.
    assert titles(parsed) == ["Leeds Garden", "Newest Garden", "Middle Garden", "Oldest Garden"]


def test_a_feed_holds_at_most_feed_length_items(client, bristol, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    _, parsed = atom(client, f"/feeds/area/?bbox={BRISTOL}")
    assert titles(parsed) == ["Newest Garden", "Bristol Timebank"]


def test_an_entry_feed_lists_its_edits_and_its_cases_events_newest_first(
    client, make_entry, people
):
    entry = make_entry(name="Corner Library", author=people["owner"], threat="at_risk")
    services.entry_edit(
        entry=entry, editor=people["owner"], data={"summary": "Books"}, expected_version=1
    )
    case = entry.cases.get()
    services.event_create(
        case=case,
        author=None,
        data={"kind": "announced", "happened_on": timezone.localdate(), "note": "Council vote"},
    )
    _, parsed = atom(client, f"/feeds/entries/{entry.slug}/")
    got = titles(parsed)
    assert got[0].startswith("Corner Library: Event “Announced”"), got
    assert "Corner Library: Changed Summary" in got
    assert got[-1] == "Corner Library: Created"
    updated = [item.updated_parsed for item in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert len({item.id for item in parsed.entries}) == len(got), "every item has its own id"


def test_an_archived_entry_feed_says_it_was_archived_and_nothing_more(client, make_entry, people):
    entry = make_entry(name="Closed Café", summary="Soup on Fridays")
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.ARCHIVE
    )
    _, parsed = atom(client, f"/feeds/entries/{entry.slug}/")
    assert titles(parsed) == ["Closed Café: Archived"]
    assert "Soup" not in str(parsed)


def test_unpublished_entries_have_no_feed(client, make_entry):
    for status in ("pending", "rejected"):
        entry = make_entry(name=f"Hidden {status}", status=status)
        response = client.get(f"/feeds/entries/{entry.slug}/")
        assert response.status_code == 404, status


def test_the_threats_feed_lists_active_cases_and_their_public_events(client, make_entry, people):
    active = make_entry(name="Threatened Hall", threat="at_risk", threat_note="Sale planned")
    make_entry(name="Lost Pool", threat="lost")
    services.event_create(
        case=active.cases.get(),
        author=None,
        data={"kind": "announced", "happened_on": timezone.localdate(), "note": "Notice posted"},
    )
    services.event_submit(
        case=active.cases.get(),
        author=people["resident"],
        data={"kind": "decision", "happened_on": timezone.localdate(), "note": "Unchecked rumour"},
    )
    _, parsed = atom(client, "/feeds/threats/")
    assert [t.split(":")[0] for t in titles(parsed)] == ["Threatened Hall", "Threatened Hall"]
    assert "Announced" in titles(parsed)[0] and parsed.entries[0].summary == "Notice posted"
    assert parsed.entries[1].title == "Threatened Hall: Sale planned"
    assert "Unchecked rumour" not in str(parsed) and "Lost Pool" not in str(parsed)


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_a_withheld_location_shows_only_its_public_point_in_every_feed(
    client, make_entry, people, precision
):
    lon, lat = -2.123456, 51.654321
    entry = make_entry(
        name="Quiet Shelter",
        lon=lon,
        lat=lat,
        precision=precision,
        address="9 Hidden Yard",
        postcode="BS5 9QQ",
        threat="at_risk",
        author=people["owner"],
    )
    entry.refresh_from_db()
    moved = (-2.131313, 51.646464)
    entry = services.entry_edit(
        entry=entry,
        editor=people["owner"],
        data={"location": Point(*moved, srid=4326)},
        expected_version=entry.version,
    )
    secrets = {"9 Hidden Yard", "9QQ"}
    for number in (lon, lat, *moved):
        secrets |= fragments(number)
    public = entry.public_point
    assert not secrets & (fragments(public.x) | fragments(public.y)), "the fixture is unlucky"
    for url in (
        "/feeds/area/?bbox=-3,51,-1,52",
        "/feeds/categories/commoning/",
        f"/feeds/entries/{entry.slug}/",
        "/feeds/threats/",
    ):
        tree, _ = atom(client, url)
        body = etree.tostring(tree).decode()
        assert not [secret for secret in secrets if secret in body], url
        points = tree.xpath("//atom:entry/georss:point/text()", namespaces=NS)
        assert points and set(points) == {f"{public.y:f} {public.x:f}"}, (url, points)


def test_item_text_is_escaped_and_no_contributor_is_named(client, make_entry, django_user_model):
    author = django_user_model.objects.create_user("zq-7731", "zq7731@private.example")
    services.profile_update(user=author, display_name="Zara Quill")
    entry = make_entry(name="Oven & <Co>", summary="<script>alert(1)</script>", author=author)
    services.entry_edit(entry=entry, editor=author, data={"website": "https://a.example"},
                        expected_version=1)  # fmt: skip
    for url in (f"/feeds/entries/{entry.slug}/", "/feeds/categories/commoning/"):
        response = client.get(url)
        body = response.content.decode()
        assert not [s for s in ("Zara Quill", "zq-7731", "@private.example") if s in body], url
        assert "<script" not in body and "&lt;script" not in body.replace("&amp;lt;", ""), url
    tree, _ = atom(client, "/feeds/categories/commoning/")
    summary = tree.xpath("//atom:entry/atom:summary", namespaces=NS)[0]
    assert summary.get("type") == "html"
    # One XML unescape leaves HTML that shows the text, never runs it.
    assert summary.text == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert tree.xpath("//atom:entry/atom:title/text()", namespaces=NS) == ["Oven & <Co>"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("", "bbox"),
        ("?bbox=", "bbox"),
        ("?bbox=1,2,3", "bbox"),
        ("?bbox=a,b,c,d", "bbox"),
        ("?bbox=nan,51,0,52", "bbox"),
        ("?bbox=-1e400,51,0,52", "bbox"),
        ("?bbox=-2,51,99999999999999999999,52", "bbox"),
        ("?bbox=0,51,-2,52", "bbox"),
        ("?bbox=-2,51,-1,52&bbox=-2,51,-1,52", "bbox"),
        (f"?bbox=-20,40,{MAX_AREA_DEGREES - 20 + 1},41", "bbox"),
        ("?bbox=-180,-90,180,90", "bbox"),
        ("?bbox=-2,51,-1,52&limit=10", "limit"),
        ("?bbox=-2,51%00,-1,52", "bbox"),
    ],
)
def test_a_bad_area_is_refused_with_a_message_naming_it(client, db, query, named):
    response = client.get(f"/feeds/area/{query}")
    assert response.status_code == 400, (query, response.status_code)
    assert response["Content-Type"].startswith("text/plain")
    assert named in response.content.decode(), response.content


def test_an_area_the_size_of_a_country_is_followed(client, bristol):
    atom(client, "/feeds/area/?bbox=-8.2,49.9,1.8,60.9")


@pytest.mark.parametrize(
    "url", ["/feeds/threats/?q=x", "/feeds/categories/commoning/?page=2", "/feeds/entries/x/?a=1"]
)
def test_the_feeds_without_parameters_refuse_any(client, db, url):
    response = client.get(url)
    assert response.status_code == 400 and "Unknown parameter" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/feeds/categories/no-such-category/", "/feeds/entries/no-such-entry/"]
)
def test_an_unknown_category_or_entry_is_a_404(client, db, url):
    assert client.get(url).status_code == 404


def test_a_reader_that_is_up_to_date_gets_a_304_until_something_is_published(client, make_entry):
    make_entry(name="First Garden")
    first = client.get("/feeds/categories/commoning/")
    assert first.status_code == 200 and first["ETag"] and "public" in first["Cache-Control"]
    again = client.get("/feeds/categories/commoning/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    make_entry(name="Second Garden")
    _, parsed = atom(client, "/feeds/categories/commoning/", if_none_match=first["ETag"])
    assert titles(parsed)[0] == "Second Garden"


def alternates(body):
    return re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" '
                      r'href="([^"]+)">', body)  # fmt: skip


def test_pages_link_their_feeds_in_the_head_and_for_people(client, make_entry):
    entry = make_entry(name="Linked Garden", threat="at_risk")
    threats = ("Commons under threat", "/feeds/threats/")
    category = ("New in Commoning", "/feeds/categories/commoning/")
    area = ("New in this area", "/feeds/area/?bbox=-3,51,-2,52")
    own = ("Changes to Linked Garden", f"/feeds/entries/{entry.slug}/")
    expected = {
        "/": [threats],
        "/entries/": [threats],
        "/entries/?category=commoning": [threats, category],
        "/entries/?bbox=-3,51,-2,52": [threats, area],
        "/entries/?bbox=-30,11,-2,52": [threats],  # wider than an area may be
        f"/entries/{entry.slug}/": [own],
        "/threats/": [threats],
    }
    for path, links in expected.items():
        body = client.get(path).content.decode()
        head = body[: body.index("</head>")]
        assert alternates(head) == links, path
        assert "Follow with a feed reader" in body, path
        for _, href in links:
            assert f'href="{href}"' in body[body.index("<body") :], (path, href)
            atom(client, href)
