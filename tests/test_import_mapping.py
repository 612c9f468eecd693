"""Mapping a list's columns to entry fields: guessed from common header names, checked before
the dry run, and each row validated by the entry's own rules."""

import pytest
from django.core.exceptions import ValidationError

from mapapp.imports.formats import Row
from mapapp.imports.locate import Locator
from mapapp.imports.mapping import TARGETS, Mapper, check_mapping, guess_id_column, guess_mapping
from mapapp.models import EDITABLE_FIELDS, ImportSource
from mapapp.services import imports
from tests.importing import GARDENS_MAPPING, fixture, upload

COLUMNS = ["id", "Name", "lat", "lon", "Town", "Category"]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def problems_of(mapping, **options):
    with pytest.raises(ValidationError) as caught:
        check_mapping(mapping, columns=options.pop("columns", COLUMNS), **options)
    return caught.value.message_dict["mapping"]


def test_the_targets_are_the_editable_fields_tags_and_the_location_sources():
    assert set(TARGETS) == (set(EDITABLE_FIELDS) - {"location"}) | {
        "tags", "longitude", "latitude", "geometry", "place"
    }  # fmt: skip


def test_common_header_names_are_guessed():
    columns = ["Title", "Y", "lng", "City", "ZIP", "Homepage", "E-mail", "Telephone",
               "Description", "Categories", "Tags", "Notes"]  # fmt: skip
    assert guess_mapping(columns) == {
        "Title": "name", "Y": "latitude", "lng": "longitude", "City": "locality",
        "ZIP": "postcode", "Homepage": "website", "E-mail": "email", "Telephone": "phone",
        "Description": "description", "Categories": "category", "Tags": "tags",
    }  # fmt: skip


def test_only_the_first_column_of_a_field_is_guessed():
    assert guess_mapping(["name", "Name", "lat", "latitude"]) == {"name": "name", "lat": "latitude"}


def test_an_id_column_is_guessed_by_its_name():
    assert guess_id_column(["Name", "Ref", "id"]) == "Ref"
    assert guess_id_column(["Name"]) == ""


def test_a_mapping_without_a_name_column_is_refused():
    assert "Map a column to name: every entry needs one." in problems_of(
        {"lat": "latitude", "lon": "longitude", "Category": "category"}
    )


def test_a_mapping_without_a_location_is_refused():
    [problem] = problems_of({"Name": "name", "Category": "category"})
    assert problem.startswith("Map a location")


def test_half_a_coordinate_pair_is_refused():
    [problem] = problems_of({"Name": "name", "lat": "latitude", "Category": "category"})
    assert problem == "Map a column to longitude too: coordinates come in pairs."


def test_an_unknown_column_and_an_unknown_field_are_named():
    problems = problems_of({"Name": "name", "Town": "locality", "Colour": "name", "id": "colour"},
                           category=object())  # fmt: skip
    assert any("Column 'Colour' is not in the file" in p for p in problems)
    assert any("'colour' is not a field" in p for p in problems)
    assert any("'Name' and 'Colour' all map to name" in p for p in problems)


def test_a_mapping_needs_a_category_column_or_a_category_for_every_row():
    [problem] = problems_of({"Name": "name", "Town": "locality"})
    assert "Choose a category" in problem
    assert check_mapping({"Name": "name", "Town": "locality"}, columns=COLUMNS, category=object())


def test_several_columns_may_give_tags():
    mapping = {
        "Name": "name",
        "Town": "place",
        "lat": "tags",
        "lon": "tags",
        "Category": "category",
    }
    assert check_mapping(mapping, columns=COLUMNS) == mapping


def test_a_row_is_validated_by_the_entrys_own_rules(category):
    mapping = {"Name": "name", "Mail": "email", "lon": "longitude", "lat": "latitude"}
    mapper = Mapper(mapping=mapping, category=category)
    cells = {"Name": "x" * 201, "Mail": "not an address", "lon": "-2.5", "lat": "51.4"}
    mapped = mapper.map_row(Row(2, cells), Locator())
    assert set(mapped.problems) == {"name", "email"}
    assert "at most 200 characters" in mapped.problems["name"][0]


def test_a_category_is_matched_by_slug_or_name_in_any_case(category):
    mapper = Mapper(mapping={"Name": "name", "Category": "category", "Town": "place"})
    for text in ("commoning", "COMMONING", "Commoning", "Community organising"):
        mapped = mapper.map_row(Row(2, {"Name": "A", "Category": text, "Town": "Leeds"}), Locator())
        assert mapped.ok, mapped.problems


def test_a_fixed_category_applies_to_rows_without_one(category):
    mapper = Mapper(mapping={"Name": "name", "Town": "place"}, category=category)
    mapped = mapper.map_row(Row(2, {"Name": "A", "Town": "Leeds"}), Locator())
    assert mapped.data["category"] == category


def test_a_geometry_column_may_hold_wkt_or_geojson_in_longitude_and_latitude(category):
    mapper = Mapper(mapping={"Name": "name", "Where": "geometry"}, category=category)
    for text in ("POINT(-2.5 51.4)", "SRID=4326;POINT(-2.5 51.4)",
                 '{"type": "Point", "coordinates": [-2.5, 51.4]}'):  # fmt: skip
        mapped = mapper.map_row(Row(2, {"Name": "A", "Where": text}), Locator())
        assert (mapped.data["location"].x, mapped.data["location"].y) == (-2.5, 51.4), text


def test_a_geometry_in_another_reference_system_is_refused(category):
    mapper = Mapper(mapping={"Name": "name", "Where": "geometry"}, category=category)
    for text in ("SRID=27700;POINT(358000 173000)",
                 '{"type": "Point", "coordinates": [1, 2], "crs": {"type": "name"}}'):  # fmt: skip
        mapped = mapper.map_row(Row(2, {"Name": "A", "Where": text}), Locator())
        assert "geometry" in mapped.problems, text


def test_the_rows_own_geometry_places_it_when_no_column_does(category):
    mapper = Mapper(mapping={"Name": "name"}, category=category)
    row = Row(2, {"Name": "A"}, geometry={"type": "Point", "coordinates": [-2.5, 51.4]})
    assert mapper.map_row(row, Locator()).data["location"].x == -2.5


def test_too_many_tags_are_a_problem_of_the_row(category):
    mapper = Mapper(mapping={"Name": "name", "Tags": "tags", "Town": "place"}, category=category)
    tags = ";".join(f"t{n}" for n in range(11))
    mapped = mapper.map_row(Row(2, {"Name": "A", "Tags": tags, "Town": "Leeds"}), Locator())
    assert mapped.problems["tags"] == ["11 tags: an entry carries at most 10."]


def test_mapping_a_run_keeps_the_mapping_on_its_source_for_the_next_upload(people, category):
    moderator = people["moderator"]
    run = upload(moderator, fixture("pipeline-gardens.csv"))
    imports.import_map(run=run, user=moderator, mapping=GARDENS_MAPPING, id_column="id",
                       category="commoning")  # fmt: skip
    source = ImportSource.objects.get()
    assert (source.mapping, source.id_column, source.category) == (GARDENS_MAPPING, "id", category)
    again = upload(moderator, fixture("pipeline-gardens.csv"), source=source)
    assert (again.mapping, again.id_column) == (GARDENS_MAPPING, "id")


def test_an_upload_is_offered_a_guessed_mapping(people, category):
    run = upload(people["moderator"], fixture("pipeline-gardens.csv"))
    assert run.mapping == {"Name": "name", "lat": "latitude", "lon": "longitude",
                           "Town": "locality", "Category": "category", "Website": "website",
                           "Tags": "tags"}  # fmt: skip
    assert run.id_column == "id"


def test_mapping_with_an_unknown_category_is_refused_naming_the_choices(people, category):
    moderator = people["moderator"]
    run = upload(moderator, fixture("pipeline-gardens.csv"))
    with pytest.raises(ValidationError) as caught:
        imports.import_map(run=run, user=moderator, mapping=GARDENS_MAPPING, category="gardens")
    assert "No category 'gardens'" in caught.value.message_dict["category"][0]
