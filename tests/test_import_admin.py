"""The import models in the admin: moderators read sources, runs and records, may correct a
source's licence, and can neither add nor delete any of them by hand."""

import pytest
from django.urls import reverse

from mapapp.models import ImportedRecord, ImportRun, ImportSource
from tests.importing import applied, fixture, planned

GARDENS = fixture("pipeline-gardens.csv")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def staff_moderator(people, category):
    moderator = people["moderator"]
    moderator.is_staff = True
    moderator.save()
    return moderator


@pytest.fixture
def imported(staff_moderator):
    return applied(staff_moderator, planned(staff_moderator, GARDENS))


def test_a_moderator_lists_sources_with_their_record_counts(client, staff_moderator, imported):
    client.force_login(staff_moderator)
    response = client.get(reverse("admin:mapapp_importsource_changelist"))
    assert response.status_code == 200
    records = ImportedRecord.objects.filter(source=imported.source).count()
    assert records > 0
    row = response.context["cl"].result_list.get(pk=imported.source.pk)
    assert row.record_total == records
    assert "Gardens list" in response.content.decode()


def test_a_moderator_corrects_a_sources_licence_but_not_its_name(client, staff_moderator, imported):
    client.force_login(staff_moderator)
    url = reverse("admin:mapapp_importsource_change", args=[imported.source.pk])
    form = client.get(url).context["adminform"].form
    assert set(form.fields) == {"licence", "category"}
    response = client.post(url, {"licence": "ODbL-1.0", "category": "", "name": "Renamed"})
    assert response.status_code == 302
    source = ImportSource.objects.get(pk=imported.source.pk)
    assert (source.licence, source.name) == ("ODbL-1.0", "Gardens list")


def test_a_blank_licence_is_refused_with_a_message(client, staff_moderator, imported):
    client.force_login(staff_moderator)
    url = reverse("admin:mapapp_importsource_change", args=[imported.source.pk])
    response = client.post(url, {"licence": "", "category": ""})
    assert response.status_code == 200
    assert "licence" in response.context["adminform"].form.errors
    assert ImportSource.objects.get(pk=imported.source.pk).licence == "CC-BY-4.0"


def test_runs_and_records_are_read_only_with_a_link_to_the_runs_page(
    client, staff_moderator, imported
):
    client.force_login(staff_moderator)
    runs = client.get(reverse("admin:mapapp_importrun_changelist"))
    assert runs.status_code == 200
    assert reverse("import-run", args=[imported.pk]) in runs.content.decode()
    change = client.get(reverse("admin:mapapp_importrun_change", args=[imported.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    record = ImportedRecord.objects.filter(source=imported.source).first()
    page = client.get(reverse("admin:mapapp_importedrecord_change", args=[record.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    posted = client.post(
        reverse("admin:mapapp_importrun_change", args=[imported.pk]), {"status": "uploaded"}
    )
    assert posted.status_code == 403
    assert ImportRun.objects.get(pk=imported.pk).status == ImportRun.Status.APPLIED


@pytest.mark.parametrize("model", ["importsource", "importrun", "importedrecord"])
def test_nothing_of_an_import_is_added_or_deleted_by_hand(client, staff_moderator, imported, model):
    client.force_login(staff_moderator)
    pk = {
        "importsource": imported.source.pk,
        "importrun": imported.pk,
        "importedrecord": ImportedRecord.objects.filter(source=imported.source).first().pk,
    }[model]
    assert client.get(reverse(f"admin:mapapp_{model}_add")).status_code == 403
    assert (
        client.post(reverse(f"admin:mapapp_{model}_delete", args=[pk]), {"post": "yes"}).status_code
        == 403
    )
    assert ImportSource.objects.count() == 1 and ImportRun.objects.count() == 1


def test_staff_who_are_not_moderators_cannot_open_the_import_admin(client, people, imported):
    people["resident"].is_staff = True
    people["resident"].save()
    client.force_login(people["resident"])
    for model in ("importsource", "importrun", "importedrecord"):
        assert client.get(reverse(f"admin:mapapp_{model}_changelist")).status_code == 403
