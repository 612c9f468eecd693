"""A source's entries exported in its own layout and imported again: nothing to change."""

import csv
import io

import pytest

from mapapp import services
from mapapp.imports.roundtrip import source_export
from mapapp.models import Entry
from tests.importing import applied, fixture, planned, rows

GARDENS = fixture("pipeline-gardens.csv")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def exported(source, **options):
    return b"".join(source_export(source, **options))


def table(content):
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_the_export_has_the_sources_columns_and_each_entrys_slug(moderator):
    source = applied(moderator, planned(moderator, GARDENS)).source
    exported_rows = table(exported(source))
    assert list(exported_rows[0]) == [
        "id", "Name", "lat", "lon", "Town", "Category", "Website", "Tags", "commons_map_id"
    ]  # fmt: skip
    hulme = Entry.objects.get(source_row_id="g1")
    assert exported_rows[0] | {"Tags": ""} == {
        "id": "g1", "Name": "Hulme Community Garden", "lat": "53.4668", "lon": "-2.2426",
        "Town": "Manchester", "Category": "commoning", "Website": "https://hulme.example",
        "Tags": "", "commons_map_id": hulme.slug,
    }  # fmt: skip
    assert sorted(exported_rows[0]["Tags"].split(";")) == ["food", "growing"]


def test_import_export_and_import_again_changes_nothing(moderator):
    source = applied(moderator, planned(moderator, GARDENS)).source
    versions = dict(Entry.objects.values_list("pk", "version"))
    again = planned(moderator, exported(source), source=source, filename="export.csv")
    assert again.report["counts"]["unchanged"] == 3
    assert sum(again.report["counts"].values()) == 3
    applied(moderator, again)
    assert dict(Entry.objects.values_list("pk", "version")) == versions


def test_rows_placed_by_town_and_identified_by_content_come_back_unchanged(moderator):
    mapping = {"Name": "name", "Town": "locality", "Category": "category"}
    text = (
        "Name,Town,Category\nTown garden,Bristol,commoning\nLeeds swap,Leeds,reciprocal-working\n"
    )
    source = applied(moderator, planned(moderator, text, mapping, id_column="")).source
    content = exported(source)
    assert "id" not in table(content)[0]
    again = planned(moderator, content, mapping, id_column="", source=source)
    assert [r["action"] for r in rows(again)] == ["unchanged", "unchanged"]


def test_an_entry_edited_on_commons_map_is_exported_as_it_now_is(moderator):
    source = applied(moderator, planned(moderator, GARDENS)).source
    hulme = Entry.objects.get(source_row_id="g1")
    services.entry_edit(entry=hulme, editor=moderator, data={"website": "https://new.example"},
                        expected_version=hulme.version)  # fmt: skip
    assert table(exported(source))[0]["Website"] == "https://new.example"


def test_formula_cells_are_quoted_in_the_export(moderator):
    text = GARDENS.replace(b"Hulme Community Garden", b"=SUM(A1)")
    source = applied(moderator, planned(moderator, text)).source
    assert table(exported(source))[0]["Name"] == "'=SUM(A1)"


def test_a_withheld_location_is_exported_as_its_public_point_to_someone_who_may_not_see_it(
    moderator, people
):
    mapping = {"Name": "name", "lat": "latitude", "lon": "longitude", "Category": "category",
               "Precision": "precision"}  # fmt: skip
    text = "id,Name,lat,lon,Category,Precision\np1,Hidden,53.4668,-2.2426,commoning,approximate\n"
    source = applied(moderator, planned(moderator, text, mapping)).source
    entry = Entry.objects.get()
    mine = table(exported(source, user=moderator))[0]
    theirs = table(exported(source, user=people["trusted"]))[0]
    assert (float(mine["lon"]), float(mine["lat"])) == (-2.2426, 53.4668)
    assert (float(theirs["lon"]), float(theirs["lat"])) == (
        entry.public_point.x,
        entry.public_point.y,
    )
