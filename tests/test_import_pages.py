"""The import pages: who may open them, each step of a run (upload, mapping, progress,
report, result), problems shown next to their fields, CSRF, the progress JSON and a source's
CSV download. The dry run and the apply are the back end's real jobs, run inline here."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.models import OrmQ

from mapapp.models import ImportRun, ImportSource
from mapapp.services import imports as service

CSV = (
    b"Name,Town,lat,lon,Type\n"
    b"Easton Community Garden,Bristol,51.4600,-2.5700,commoning\n"
    b"Totterdown Timebank,Bristol,51.4400,-2.5800,reciprocal-working\n"
)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def upload(client, content=CSV, name="groups.csv", **fields):
    data = {"source_name": "Bristol Mutual Aid", "licence": "CC-BY-4.0", "encoding": ""}
    data.update(fields)
    return client.post("/imports/", {**data, "upload": SimpleUploadedFile(name, content)})


@pytest.fixture
def run(people, category):
    """A run uploaded by the trusted contributor, at the mapping step."""
    return service.import_upload(
        user=people["trusted"],
        upload=SimpleUploadedFile("groups.csv", CSV),
        filename="groups.csv",
        source_name="Bristol Mutual Aid",
        licence="CC-BY-4.0",
    )


def mapping_form(run, **extra):
    """The mapping form's fields as a person would set them for CSV."""
    targets = {"Name": "name", "Town": "locality", "lat": "latitude", "lon": "longitude"}
    targets["Type"] = "category"
    data = {f"column_{i}": targets.get(c, "") for i, c in enumerate(run.preview["columns"])}
    return {**data, "id_column": "", "category": "", **extra}


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/imports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/imports/")


@pytest.mark.parametrize("role", ["resident", "owner"])
def test_a_signed_in_person_who_is_not_trusted_gets_a_403_saying_who_may_import(client_for, role):
    response = client_for(role).get("/imports/")
    assert response.status_code == 403
    assert "trusted contributors and moderators" in response.content.decode()


@pytest.mark.parametrize("role", ["trusted", "moderator"])
def test_trusted_contributors_and_moderators_see_the_upload_form(client_for, role):
    page = client_for(role).get("/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "No imports yet" in html and "No list has been imported yet" in html
    assert "no-store" in page["Cache-Control"]


def test_the_navigation_links_imports_only_for_those_who_may_import(client_for, category):
    assert 'href="/imports/"' in client_for("trusted").get("/entries/").content.decode()
    assert 'href="/imports/"' not in client_for("resident").get("/entries/").content.decode()
    assert 'href="/imports/"' in client_for("moderator").get("/moderation/").content.decode()


def test_an_upload_shows_the_mapping_step_with_a_preview_and_guessed_fields(client_for, category):
    client = client_for("trusted")
    response = upload(client)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Easton Community Garden" in html and "Totterdown Timebank" in html
    assert '<option value="name" selected>' in html  # guessed from the header "Name"
    assert '<option value="latitude" selected>' in html
    assert ImportSource.objects.get().licence == "CC-BY-4.0"


def test_a_new_source_without_a_licence_is_refused_with_the_message_by_the_field(
    client_for, category
):
    response = upload(client_for("trusted"), licence="")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_licence_error"' in html
    assert "Give the licence the list is published under" in html
    assert not ImportRun.objects.exists() and not ImportSource.objects.exists()


def test_a_file_of_a_format_we_cannot_read_is_refused_by_the_file_field(client_for, category):
    response = upload(client_for("trusted"), content=b"%PDF-1.4", name="groups.pdf")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_upload_error"' in html and "cannot read .pdf files" in html
    assert not ImportRun.objects.exists()


def test_an_upload_without_a_file_names_the_file_field(client_for, category):
    response = client_for("trusted").post("/imports/", {"source_name": "X", "licence": "CC0"})
    assert response.status_code == 400
    assert 'id="id_upload_error"' in response.content.decode()


def test_a_mapping_without_a_name_column_is_refused_with_the_reason_and_nothing_queued(
    client_for, run
):
    data = mapping_form(run, column_0="")
    response = client_for("trusted").post(f"/imports/{run.pk}/", data)
    assert response.status_code == 400
    assert "Map a column to name" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED and not OrmQ.objects.exists()


def test_an_accepted_mapping_queues_the_dry_run_and_shows_a_progress_bar(client_for, run):
    client = client_for("trusted")
    response = client.post(f"/imports/{run.pk}/", mapping_form(run))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PLANNING and OrmQ.objects.count() == 1
    html = client.get(f"/imports/{run.pk}/").content.decode()
    assert '<progress id="import-progress"' in html
    assert f'data-progress-url="/imports/{run.pk}/progress.json"' in html
    assert "mapapp/js/imports" in html
    assert f'href="/imports/{run.pk}/">Check again</a>' in html  # without JavaScript


def test_the_progress_json_reports_status_and_counts_and_is_never_cached(client_for, run):
    client = client_for("trusted")
    client.post(f"/imports/{run.pk}/", mapping_form(run))
    response = client.get(f"/imports/{run.pk}/progress.json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "planning"
    assert set(body) == {"status", "done", "total", "percent", "message"}
    assert "no-store" in response["Cache-Control"]


def test_the_publish_choice_is_offered_only_to_those_who_may_publish(client_for, run):
    assert 'name="publish"' not in client_for("trusted").get(f"/imports/{run.pk}/").content.decode()
    assert 'name="publish"' in client_for("moderator").get(f"/imports/{run.pk}/").content.decode()


def test_a_trusted_contributor_cannot_open_another_importers_run(people, run, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("other-trusted", "o@private.example", "pw")
    other.groups.add(Group.objects.get(name="Trusted contributors"))
    client = Client()
    client.force_login(other)
    for url in (f"/imports/{run.pk}/", f"/imports/{run.pk}/progress.json"):
        assert client.get(url).status_code == 404
    assert client.post(f"/imports/{run.pk}/abandon/").status_code == 404
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED


def test_moderators_see_every_run_without_the_uploaders_email(client_for, run):
    client = client_for("moderator")
    assert client.get(f"/imports/{run.pk}/").status_code == 200
    html = client.get("/imports/").content.decode()
    assert "groups.csv" in html and "another importer" in html
    assert "@private.example" not in html and "trusted" not in html.split("<main")[1]


def test_posts_without_a_csrf_token_are_refused(people, run):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["trusted"])
    assert client.post(f"/imports/{run.pk}/abandon/").status_code == 403
    assert client.post(f"/imports/{run.pk}/", mapping_form(run)).status_code == 403
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED


def test_abandoning_a_run_deletes_its_file_and_says_so(
    client_for, run, settings, django_capture_on_commit_callbacks
):
    stored = settings.IMPORT_DIR / run.stored_file
    assert stored.exists()
    client = client_for("trusted")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{run.pk}/abandon/", follow=True)
    assert "Abandoned: nothing was imported" in response.content.decode()
    assert not stored.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.ABANDONED


def test_confirming_a_run_that_is_not_planned_is_refused_with_a_message(client_for, run):
    response = client_for("trusted").post(f"/imports/{run.pk}/confirm/", follow=True)
    assert "Only a planned import can be confirmed" in response.content.decode()
    assert ImportRun.objects.get().status == ImportRun.Status.UPLOADED


def test_the_pages_answer_get_only_where_they_only_read(client_for, run):
    client = client_for("trusted")
    assert client.get(f"/imports/{run.pk}/confirm/").status_code == 405
    assert client.post(f"/imports/{run.pk}/progress.json").status_code == 405


@pytest.fixture
def jobs_inline(monkeypatch):
    """Jobs run as they are queued, in this process (django-q2's sync mode)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def planned(client, run, **extra):
    response = client.post(f"/imports/{run.pk}/", mapping_form(run, **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PLANNED, run.error
    return run


def test_the_dry_run_report_lists_each_row_with_counts_and_confirm_and_abandon(
    client_for, run, jobs_inline
):
    client = client_for("trusted")
    planned(client, run)
    html = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Dry run: what confirming would do" in html
    assert "Create: 2" in html and "Easton Community Garden" in html
    assert f'action="/imports/{run.pk}/confirm/"' in html
    assert f'action="/imports/{run.pk}/abandon/"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2


def test_a_rejected_row_shows_its_problem_by_field_and_the_filter_keeps_only_rejects(
    client_for, people, category, jobs_inline
):
    content = CSV + b"Nowhere Group,,,,commoning\n" + b",Bristol,51.45,-2.59,no-such-kind\n"
    run = service.import_upload(
        user=people["trusted"],
        upload=SimpleUploadedFile("groups.csv", content),
        filename="groups.csv",
        source_name="Mixed list",
        licence="CC0-1.0",
    )
    client = client_for("trusted")
    planned(client, run)
    html = client.get(f"/imports/{run.pk}/?action=reject").content.decode()
    assert "Rows to reject" in html
    assert "Unknown category &#x27;no-such-kind&#x27;" in html
    assert "<dt>Category</dt>" in html
    assert "Easton Community Garden" not in html  # a row to create, filtered out


def test_a_likely_duplicate_links_to_the_existing_entry(client_for, run, make_entry, jobs_inline):
    existing = make_entry(name="Easton Community Garden", lon=-2.5701, lat=51.4601)
    client = client_for("trusted")
    planned(client, run)
    html = client.get(f"/imports/{run.pk}/?action=create").content.decode()
    assert f'href="/entries/{existing.slug}/"' in html


def test_confirming_applies_the_import_and_the_entries_wait_for_review(
    client_for, run, jobs_inline
):
    from mapapp.models import Entry

    client = client_for("trusted")
    planned(client, run)
    response = client.post(f"/imports/{run.pk}/confirm/", follow=True)
    html = response.content.decode()
    assert ImportRun.objects.get().status == ImportRun.Status.APPLIED
    assert "Imported" in html and "waiting for review" in html
    names = set(Entry.objects.filter(status=Entry.Status.PENDING).values_list("name", flat=True))
    assert names == {"Easton Community Garden", "Totterdown Timebank"}


def test_the_source_page_shows_once_imported_and_its_export_downloads_for_importers(
    client_for, run, jobs_inline
):
    client = client_for("trusted")
    planned(client, run)
    client.post(f"/imports/{run.pk}/confirm/")
    slug = ImportSource.objects.get().slug
    response = client.get(f"/imports/sources/{slug}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Easton Community Garden" in body
    assert "no-store" in response["Cache-Control"]
    assert client_for("resident").get(f"/imports/sources/{slug}/export.csv").status_code == 403


def test_the_report_pages_its_rows_fifty_at_a_time_and_keeps_the_filter_in_its_links(
    client_for, people, category, jobs_inline
):
    lines = [f"Garden {n},Bristol,{51.40 + n / 1000:.4f},-2.5700,commoning" for n in range(55)]
    lines += [f"Nowhere {n},,,,commoning" for n in range(5)]
    content = b"Name,Town,lat,lon,Type\n" + "\n".join(lines).encode() + b"\n"
    run = service.import_upload(
        user=people["trusted"],
        upload=SimpleUploadedFile("g.csv", content),
        filename="g.csv",
        source_name="Sixty",
        licence="CC0-1.0",
    )
    client = client_for("trusted")
    planned(client, run)
    first = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Every row (60)" in first
    assert first.count('<tr class="action-') == 50
    assert "Garden 0<" in first and "Garden 49<" in first and "Garden 50<" not in first
    assert 'href="?page=2#rows-title"' in first
    second = client.get(f"/imports/{run.pk}/?page=2").content.decode()
    assert second.count('<tr class="action-') == 10
    assert "Garden 50<" in second and "Nowhere 4<" in second
    rejects = client.get(f"/imports/{run.pk}/?action=reject").content.decode()
    assert "Rows to reject (5)" in rejects and "Reject: 5" in rejects
    assert rejects.count('<tr class="action-reject">') == 5 and "Garden" not in rejects
    creates = client.get(f"/imports/{run.pk}/?action=create&page=2").content.decode()
    assert creates.count('<tr class="action-create">') == 5
    assert 'href="?action=create&amp;page=1#rows-title"' in creates


def test_a_filter_no_row_has_says_so(client_for, run, jobs_inline):
    client = client_for("trusted")
    planned(client, run)
    html = client.get(f"/imports/{run.pk}/?action=archive").content.decode()
    assert "No rows to archive." in html


def test_an_applied_runs_page_still_lists_its_rows(client_for, run, jobs_inline):
    client = client_for("trusted")
    planned(client, run)
    client.post(f"/imports/{run.pk}/confirm/")
    html = client.get(f"/imports/{run.pk}/?action=create").content.decode()
    assert "Imported" in html and "Rows to create (2)" in html
    assert "Totterdown Timebank" in html
