"""Choosing a sheet of a workbook with several: the readers read the one named (else the first
visible), the upload and the command take a name, the source remembers it, and the mapping
step offers the sheets and previews the one chosen; a missing, hidden or empty sheet is
refused naming it and the sheets there are."""

import importlib.util
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mapapp.imports.formats import ImportFileError, SheetError, read_table
from mapapp.models import Entry, ImportRun
from mapapp.services import imports
from tests.importing import FIXTURES, fixture, planned, upload
from tests.test_import_command import run_command

WORKBOOKS = ["xlsx-two-sheets.xlsx", "ods-two-sheets.ods"]
GARDENS_MAPPING = {"Name": "name", "lat": "latitude", "lon": "longitude", "Town": "locality"}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def read(data, filename, **options):
    table = read_table(io.BytesIO(data), filename=filename, **options)
    table.rows = list(table.rows)
    return table


def generator():
    """The fixture generator, for workbooks a test needs and the fixtures do not hold."""
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workbook(kind, tmp_path, sheets, hidden=()):
    """An xlsx or ods of sheets [(name, rows)], those named in hidden hidden; its bytes."""
    path = tmp_path / f"book.{kind}"
    if kind == "ods":
        generator().write_ods_tables(path, sheets, hidden=hidden)
        return path.read_bytes()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("name", WORKBOOKS)
def test_the_first_sheet_is_read_unless_another_is_named_and_every_sheet_is_listed(name):
    first = read(fixture(name), name)
    assert (first.sheet, first.sheets) == ("Read me", ["Read me", "Gardens"])
    assert first.columns == ["About this list"]
    gardens = read(fixture(name), name, sheet="Gardens")
    assert gardens.sheet == "Gardens" and gardens.columns == ["id", "Name", "lat", "lon", "Town"]
    assert [row.cells["Name"] for row in gardens.rows] == [
        "Kirkstall Community Orchard",
        "Chapeltown Growing Space",
    ]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_a_sheet_not_there_is_refused_naming_it_and_the_sheets_there_are(name):
    with pytest.raises(SheetError) as refused:
        read(fixture(name), name, sheet="Garden")
    assert str(refused.value) == (
        "The workbook has no sheet named 'Garden'; its sheets are Read me, Gardens."
    )
    assert isinstance(refused.value, ImportFileError)


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_hidden_sheet_is_not_offered_and_naming_it_says_it_is_hidden(kind, tmp_path):
    data = workbook(kind, tmp_path, [("Lookups", [["code"], ["x"]]), ("List", [["name"], ["A"]])],
                    hidden={"Lookups"})  # fmt: skip
    table = read(data, f"b.{kind}")
    assert (table.sheet, table.sheets) == ("List", ["List"])
    with pytest.raises(SheetError, match="The sheet 'Lookups' is hidden in the workbook: show it"):
        read(data, f"b.{kind}", sheet="Lookups")


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_an_empty_sheet_is_refused_naming_it_and_the_other_sheets(kind, tmp_path):
    data = workbook(kind, tmp_path, [("Blank", []), ("List", [["name"], ["A"]])])
    with pytest.raises(SheetError) as refused:
        read(data, f"b.{kind}")
    assert str(refused.value) == (
        "The sheet 'Blank' is empty: it has no header row. Choose another of its sheets: List."
    )
    assert read(data, f"b.{kind}", sheet="List").columns == ["name"]


def test_a_workbook_with_every_sheet_hidden_is_refused(tmp_path):
    # (openpyxl will not save such a workbook, so an ODS stands for both.)
    data = workbook("ods", tmp_path, [("A", [["name"]]), ("B", [["name"]])], hidden={"A", "B"})
    with pytest.raises(SheetError, match="Every sheet of the workbook is hidden"):
        read(data, "b.ods")


def test_naming_a_sheet_of_a_csv_is_refused():
    with pytest.raises(SheetError, match="is a CSV file, which has no sheets"):
        read(b"name\nA\n", "a.csv", sheet="Sheet1")


@pytest.mark.parametrize("name", WORKBOOKS)
def test_an_upload_of_a_workbook_previews_its_first_sheet_and_lists_its_sheets(moderator, name):
    run = upload(moderator, fixture(name), filename=name)
    assert run.sheet == "Read me"
    assert run.preview["sheets"] == ["Read me", "Gardens"]
    assert run.preview["columns"] == ["About this list"]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_a_sheet_named_on_upload_is_planned_and_remembered_by_the_source(moderator, name):
    run = planned(moderator, fixture(name), GARDENS_MAPPING, filename=name, sheet="Gardens",
                  category="commoning")  # fmt: skip
    assert run.status == ImportRun.Status.PLANNED, run.error
    assert run.sheet == "Gardens" and run.report["counts"]["create"] == 2
    imports.import_confirm(run=run, user=moderator, inline=True)
    assert Entry.objects.filter(name="Kirkstall Community Orchard").exists()
    # The next upload of the source reads the same sheet without being told.
    again = upload(moderator, fixture(name), filename=name, source=run.source)
    assert again.sheet == "Gardens" and again.preview["columns"][0] == "id"


def test_a_remembered_sheet_the_next_file_lacks_falls_back_to_its_first(moderator, tmp_path):
    run = upload(moderator, fixture("xlsx-two-sheets.xlsx"), filename="a.xlsx", sheet="Gardens")
    run.source.refresh_from_db()
    other = workbook("xlsx", tmp_path, [("Sheet1", [["name"], ["A"]])])
    again = upload(moderator, other, filename="b.xlsx", source=run.source)
    assert again.sheet == "Sheet1" and "sheets" not in again.preview


def test_an_upload_naming_a_missing_sheet_is_refused_on_the_sheet_field(moderator):
    with pytest.raises(ValidationError) as refused:
        upload(moderator, fixture("ods-two-sheets.ods"), filename="g.ods", sheet="Nope")
    assert refused.value.message_dict == {
        "sheet": ["The workbook has no sheet named 'Nope'; its sheets are Read me, Gardens."]
    }
    assert not ImportRun.objects.exists()


def test_choosing_another_sheet_re_previews_it_and_guesses_its_mapping(moderator):
    run = upload(moderator, fixture("xlsx-two-sheets.xlsx"), filename="g.xlsx")
    chosen = imports.import_choose_sheet(run=run, user=moderator, sheet="Gardens")
    assert chosen.sheet == "Gardens" and chosen.status == ImportRun.Status.UPLOADED
    assert chosen.preview["columns"] == ["id", "Name", "lat", "lon", "Town"]
    assert chosen.preview["rows"][0][1] == "Kirkstall Community Orchard"
    assert chosen.preview["sheets"] == ["Read me", "Gardens"]
    assert chosen.mapping["Name"] == "name" and chosen.id_column == "id"


def test_choosing_a_sheet_after_the_dry_run_is_refused(moderator):
    run = planned(moderator, fixture("xlsx-two-sheets.xlsx"), GARDENS_MAPPING, filename="g.xlsx",
                  sheet="Gardens", category="commoning")  # fmt: skip
    with pytest.raises(ValidationError, match="the sheet can be chosen only before its dry run"):
        imports.import_choose_sheet(run=run, user=moderator, sheet="Read me")
    run.refresh_from_db()
    assert run.sheet == "Gardens" and run.status == ImportRun.Status.PLANNED


def test_the_mapping_step_offers_the_sheets_and_a_post_shows_the_chosen_one(client_for):
    client = client_for("trusted")
    data = {"source_name": "Leeds gardens", "licence": "CC-BY-4.0", "encoding": "", "sheet": ""}
    upload_file = SimpleUploadedFile("gardens.ods", fixture("ods-two-sheets.ods"))
    response = client.post("/imports/", {**data, "upload": upload_file})
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert f'action="/imports/{run.pk}/sheet/"' in page
    assert '<option value="Gardens">Gardens</option>' in page
    assert '<option value="Read me" selected>Read me</option>' in page
    response = client.post(f"/imports/{run.pk}/sheet/", {"sheet": "Gardens"}, follow=True)
    html = response.content.decode()
    assert "Showing the sheet &#x27;Gardens&#x27;" in html
    assert '<th scope="col">Town</th>' in html and "Kirkstall Community Orchard" in html
    assert '<option value="Gardens" selected>Gardens</option>' in html


def test_a_sheet_chosen_that_is_not_there_is_shown_by_the_select_with_a_400(client_for):
    client = client_for("trusted")
    data = {"source_name": "Leeds gardens", "licence": "CC-BY-4.0", "encoding": ""}
    upload_file = SimpleUploadedFile("gardens.xlsx", fixture("xlsx-two-sheets.xlsx"))
    client.post("/imports/", {**data, "upload": upload_file})
    run = ImportRun.objects.get()
    response = client.post(f"/imports/{run.pk}/sheet/", {"sheet": "Allotments"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "no sheet named &#x27;Allotments&#x27;; its sheets are Read me, Gardens." in html
    assert ImportRun.objects.get().sheet == "Read me"


def test_the_upload_form_names_the_missing_sheet_by_its_field(client_for):
    client = client_for("trusted")
    data = {"source_name": "Leeds gardens", "licence": "CC-BY-4.0", "sheet": "Nope"}
    upload_file = SimpleUploadedFile("gardens.xlsx", fixture("xlsx-two-sheets.xlsx"))
    response = client.post("/imports/", {**data, "upload": upload_file})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_sheet_error"' in html
    assert "no sheet named &#x27;Nope&#x27;" in html


def test_a_workbook_of_one_sheet_offers_no_choice(client_for):
    client = client_for("trusted")
    data = {"source_name": "Groups", "licence": "CC-BY-4.0"}
    upload_file = SimpleUploadedFile("groups.ods", fixture("ods-groups.ods"))
    client.post("/imports/", {**data, "upload": upload_file})
    run = ImportRun.objects.get()
    assert "sheets" not in run.preview
    assert "/sheet/" not in client.get(f"/imports/{run.pk}/").content.decode()


def test_the_command_reads_the_sheet_it_is_given(moderator):
    out = run_command(str(FIXTURES / "xlsx-two-sheets.xlsx"), "--source", "Leeds gardens",
                      "--licence", "CC-BY-4.0", "--user", "moderator", "--sheet", "Gardens",
                      "--category", "commoning", "--yes")  # fmt: skip
    assert "Read the sheet 'Gardens' of Read me, Gardens (choose with --sheet)." in out
    assert "Applied: 2 create." in out
    assert ImportRun.objects.get().sheet == "Gardens"


def test_the_command_names_a_missing_sheet(moderator):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="sheet: The workbook has no sheet named 'Nope'"):
        run_command(str(FIXTURES / "ods-two-sheets.ods"), "--source", "Leeds gardens",
                    "--licence", "CC-BY-4.0", "--user", "moderator", "--sheet", "Nope")  # fmt: skip


def test_a_remembered_sheet_now_empty_falls_back_to_the_first_visible_one(moderator, tmp_path):
    run = upload(moderator, fixture("xlsx-two-sheets.xlsx"), filename="a.xlsx", sheet="Gardens")
    other = workbook("xlsx", tmp_path, [("List", [["name"], ["A"]]), ("Gardens", [])])
    again = upload(moderator, other, filename="b.xlsx", source=run.source)
    assert again.sheet == "List"


def test_a_sheet_with_the_sources_columns_keeps_the_sources_mapping(moderator):
    first = planned(moderator, fixture("ods-two-sheets.ods"), GARDENS_MAPPING, filename="g.ods",
                    sheet="Gardens", id_column="", category="commoning")  # fmt: skip
    again = upload(moderator, fixture("ods-two-sheets.ods"), filename="g.ods", sheet="Read me",
                   source=first.source)  # fmt: skip
    chosen = imports.import_choose_sheet(run=again, user=moderator, sheet="Gardens")
    assert chosen.mapping == GARDENS_MAPPING and chosen.id_column == ""


def test_a_sheet_named_longer_than_a_run_keeps_is_refused_on_upload_or_never_offered(
    moderator, tmp_path
):
    long_name = "L" * 300
    first = workbook("ods", tmp_path, [(long_name, [["Name"], ["A"]]), ("List", [["Name"], ["B"]])])
    with pytest.raises(ValidationError) as refused:
        upload(moderator, first, filename="g.ods")
    [message] = refused.value.message_dict["sheet"]
    assert "has a name of 300 characters: rename it to at most 200" in message
    assert long_name not in message
    sheets = [("List", [["Name"], ["B"]]), (long_name, [["Name"], ["A"]]), ("More", [["Name"]])]
    run = upload(moderator, workbook("ods", tmp_path, sheets), filename="g.ods")
    assert run.sheet == "List" and run.preview["sheets"] == ["List", "More"]
    with pytest.raises(ValidationError, match="has a name of 300 characters"):
        imports.import_choose_sheet(run=run, user=moderator, sheet=long_name)
    assert ImportRun.objects.get(pk=run.pk).sheet == "List"


def test_sheets_that_differ_only_by_their_spaces_are_each_chosen_as_named(moderator, tmp_path):
    sheets = [("Notes", [["Note"], ["x"]]), ("Gardens", [["Name"], ["A"], ["B"]])]
    sheets += [("Gardens ", [["Name"], ["C"]]), (" ", [["Name"], ["D"]])]
    run = upload(moderator, workbook("ods", tmp_path, sheets), filename="g.ods")
    assert run.preview["sheets"] == ["Notes", "Gardens", "Gardens ", " "]
    for name, first in (("Gardens ", "C"), (" ", "D"), ("Gardens", "A")):
        chosen = imports.import_choose_sheet(run=run, user=moderator, sheet=name)
        assert (chosen.sheet, chosen.preview["rows"][0][0]) == (name, first)
