"""Uploading a list: kept privately under IMPORT_DIR (never served), previewed, refused with a
clear message (and nothing kept) when too large, unreadable or without a licence."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mapapp.imports import storage
from mapapp.models import ImportRun, ImportSource
from mapapp.services import imports
from tests.importing import fixture, upload


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def kept_files(settings):
    return (
        sorted(p.name for p in settings.IMPORT_DIR.glob("*"))
        if settings.IMPORT_DIR.exists()
        else []
    )


def refusal(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_an_upload_is_stored_privately_under_a_random_name_and_previewed(moderator, settings):
    run = upload(moderator, fixture("pipeline-gardens.csv"), filename="../../My gardens.csv")
    assert run.status == ImportRun.Status.UPLOADED
    assert run.original_filename == "../../My gardens.csv"
    path = storage.path_of(run.stored_file)
    assert path.parent == settings.IMPORT_DIR and path.suffix == ".csv"
    assert "gardens" not in path.name.lower()
    assert run.preview["columns"][:2] == ["id", "Name"]
    assert run.preview["rows"][0][:2] == ["g1", "Hulme Community Garden"]
    assert len(run.preview["rows"]) == 3
    assert (run.source.name, run.source.licence, run.source.slug) == (
        "Gardens list", "CC-BY-4.0", "gardens-list"
    )  # fmt: skip


def test_a_django_uploaded_file_is_read_in_chunks(moderator):
    file = SimpleUploadedFile("list.csv", fixture("pipeline-gardens.csv"))
    run = imports.import_upload(user=moderator, upload=file, filename=file.name,
                                source_name="Chunks", licence="ODbL-1.0")  # fmt: skip
    assert storage.path_of(run.stored_file).read_bytes() == fixture("pipeline-gardens.csv")


def test_a_file_over_the_size_limit_is_refused_and_not_kept(moderator, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    problems = refusal(lambda: upload(moderator, fixture("pipeline-gardens.csv")))
    assert problems["upload"] == ["The file is larger than 100 bytes: split it into parts."]
    assert kept_files(settings) == []
    assert not ImportSource.objects.exists()


def test_an_unreadable_file_is_refused_with_the_readers_message_and_not_kept(moderator, settings):
    problems = refusal(lambda: upload(moderator, b"", filename="empty.csv"))
    assert problems["upload"][0].startswith("The file is empty")
    problems = refusal(lambda: upload(moderator, b"x", filename="list.pdf"))
    assert "cannot read .pdf files" in problems["upload"][0]
    assert kept_files(settings) == []


def test_a_new_source_needs_a_name_and_a_licence(moderator, settings):
    problems = refusal(
        lambda: upload(moderator, fixture("pipeline-gardens.csv"), name="", licence="")
    )
    assert set(problems) == {"source_name", "licence"}
    assert kept_files(settings) == []


def test_a_source_name_already_taken_is_refused(moderator):
    upload(moderator, fixture("pipeline-gardens.csv"), name="Gardens list")
    problems = refusal(
        lambda: upload(moderator, fixture("pipeline-gardens.csv"), name="gardens LIST")
    )
    assert "choose it to import again" in problems["source_name"][0]


def test_an_upload_of_a_known_source_is_a_new_run_of_it(moderator):
    first = upload(moderator, fixture("pipeline-gardens.csv"))
    second = upload(moderator, fixture("pipeline-gardens.csv"), source=first.source, licence="")
    assert second.source == first.source and second.pk != first.pk
    assert ImportSource.objects.count() == 1


def test_progress_of_an_uploaded_run_asks_for_the_mapping(moderator):
    run = upload(moderator, fixture("pipeline-gardens.csv"))
    assert imports.import_progress(run) == {
        "status": "uploaded", "done": 0, "total": 0, "percent": 0,
        "message": "Choose which column holds what.",
    }  # fmt: skip
