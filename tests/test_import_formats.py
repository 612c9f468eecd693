"""Every format Commons Map imports reads to the same Table of text for the same list."""

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from mapapp.imports.formats import ImportFileError, read_table

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
COLUMNS = ["name", "category", "founded", "members", "website"]
GROUPS = [
    {
        "name": "Café Commun",
        "category": "convivial spaces",
        "founded": "2019-04-01",
        "members": "12",
        "website": "https://cafe.example",
    },
    {
        "name": "Library Defence “Save Our Shelves”",
        "category": "campaigns",
        "founded": "2021-11-15",
        "members": "240",
        "website": "",
    },
]


def read(name, **options):
    """The Table of a fixture, with its rows read into a list."""
    with open(FIXTURES / name, "rb") as stream:
        table = read_table(stream, filename=name, **options)
        table.rows = list(table.rows)
    return table


def read_bytes(data, filename, **options):
    table = read_table(io.BytesIO(data), filename=filename, **options)
    table.rows = list(table.rows)
    return table


@pytest.mark.parametrize(
    "name,kind",
    [
        ("csv-groups.csv", "csv"),
        ("csv-groups-bom.csv", "csv"),
        ("csv-groups-1252-semicolons.csv", "csv"),
        ("csv-groups-tabs.tsv", "csv"),
        ("xlsx-groups.xlsx", "xlsx"),
        ("ods-groups.ods", "ods"),
        ("geojson-groups.geojson", "geojson"),
    ],
)
def test_every_format_reads_the_same_list_to_the_same_columns_and_cells(name, kind):
    table = read(name)
    assert table.format == kind
    assert table.columns == COLUMNS
    assert [row.cells for row in table.rows] == GROUPS
    assert all(row.problems == [] for row in table.rows)


@pytest.mark.parametrize(
    "name,encoding",
    [
        ("csv-groups.csv", "utf-8"),
        ("csv-groups-bom.csv", "utf-8"),
        ("csv-groups-1252-semicolons.csv", "windows-1252"),
    ],
)
def test_a_csv_encoding_is_detected_and_reported(name, encoding):
    assert read(name).encoding == encoding


def test_a_chosen_encoding_is_used_as_chosen():
    table = read("csv-groups-1252-semicolons.csv", encoding="latin-1")
    assert table.encoding == "latin-1"
    # Latin-1 has no curly quotes: the same bytes read as control characters, not as text lost.
    assert table.rows[1].cells["name"] == "Library Defence \x93Save Our Shelves\x94"


def test_csv_rows_are_numbered_as_a_sheet_numbers_them():
    data = b'name,notes\nA,"two\nlines"\n\n,\nB,x\n'
    assert [row.number for row in read_bytes(data, "a.csv").rows] == [2, 5]


def test_cells_are_stripped_text_and_formulas_stay_text():
    data = b'name , website\n  A  ,"=HYPERLINK(""https://x.example"")"\n'
    table = read_bytes(data, "a.csv")
    assert table.columns == ["name", "website"]
    assert table.rows[0].cells == {"name": "A", "website": '=HYPERLINK("https://x.example")'}


def test_a_csv_of_100000_rows_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("name,category,notes\n")
        for number in range(100_000):
            out.write(f"Group {number},commoning,a community group numbered {number}\n")
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            count = sum(1 for _ in read_table(stream, filename="big.csv").rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 100_000
    # The file is about 6 MB; holding its rows would take far more than this.
    assert peak < 4 * 1024 * 1024


def test_reading_a_csv_leaves_the_callers_stream_open():
    stream = io.BytesIO(b"name\nA\n")
    list(read_table(stream, filename="a.csv").rows)
    assert not stream.closed and stream.seek(0) == 0


def test_the_xlsx_header_is_the_first_non_empty_row_and_rows_keep_sheet_numbers():
    table = read("xlsx-groups.xlsx")
    assert [row.number for row in table.rows] == [4, 5]


def test_the_ods_header_is_the_first_non_empty_row_and_rows_keep_sheet_numbers():
    table = read("ods-groups.ods")
    assert [row.number for row in table.rows] == [4, 5]


def test_another_sheet_is_read_when_named_and_a_formula_without_a_value_stays_its_text():
    table = read("xlsx-groups.xlsx", sheet="Links")
    assert table.columns == ["name", "link"]
    assert table.rows[0].cells["link"] == '=HYPERLINK("https://cafe.example","Café")'


@pytest.mark.parametrize("name", ["xlsx-groups.xlsx", "ods-groups.ods"])
def test_a_sheet_that_is_not_there_is_refused_with_the_sheets_named(name):
    with pytest.raises(ImportFileError, match="no sheet named 'Nope'; its sheets are Groups"):
        read(name, sheet="Nope")


def test_geojson_rows_keep_their_points():
    table = read("geojson-groups.geojson")
    assert [row.geometry for row in table.rows] == [
        {"type": "Point", "coordinates": [-0.1276, 51.5072]},
        {"type": "Point", "coordinates": [-2.2426, 53.4808]},
    ]


def test_geojson_columns_are_the_union_of_properties_in_first_seen_order():
    data = (
        b'{"type":"FeatureCollection","features":['
        b'{"type":"Feature","id":7,"geometry":null,"properties":{"b":1,"a":true}},'
        b'{"type":"Feature","geometry":null,"properties":{"c":[1,2],"a":null,"id":"x"}}]}'
    )
    table = read_bytes(data, "a.geojson")
    assert table.columns == ["b", "a", "c", "id"]
    assert [row.cells for row in table.rows] == [
        {"b": "1", "a": "TRUE", "c": "", "id": "7"},
        {"b": "", "a": "", "c": "1;2", "id": "x"},
    ]
    assert [row.geometry for row in table.rows] == [None, None]


def test_a_features_id_becomes_the_first_column_when_no_property_is_named_id():
    data = (
        b'{"type":"FeatureCollection","features":'
        b'[{"type":"Feature","id":"g1","properties":{"name":"A"},"geometry":null}]}'
    )
    table = read_bytes(data, "a.json")
    assert table.columns == ["id", "name"] and table.rows[0].cells == {"id": "g1", "name": "A"}


def test_a_umap_export_reads_features_from_every_layer_with_the_layers_name():
    table = read("umap-groups.umap")
    assert table.format == "umap"
    assert table.columns == [*COLUMNS, "layer"]
    assert [row.cells for row in table.rows] == [
        {**GROUPS[0], "layer": "Spaces"},
        {**GROUPS[1], "layer": "Campaigns"},
    ]
    assert [row.number for row in table.rows] == [1, 2]
    assert table.rows[1].geometry == {"type": "Point", "coordinates": [-2.2426, 53.4808]}


def test_a_single_umap_layer_is_read_as_umap_with_its_name():
    table = read("umap-layer.geojson")
    assert table.format == "umap"
    assert [row.cells for row in table.rows] == [{**GROUPS[1], "layer": "Campaigns"}]


def test_a_gogocarto_export_reads_to_flat_columns():
    table = read("gogocarto-elements.json")
    assert table.format == "gogocarto"
    assert table.columns[:11] == [
        "id",
        "name",
        "latitude",
        "longitude",
        "streetAddress",
        "addressLocality",
        "postalCode",
        "addressCountry",
        "customFormatedAddress",
        "categories",
        "description",
    ]
    first, second = table.rows
    assert first.cells["categories"] == "Repair café;Commoning"
    assert first.cells["latitude"] == "46.3252" and first.cells["postalCode"] == "79120"
    assert first.cells["openHours"] == '{"Sa":"09:00-12:00"}'
    assert first.geometry == {"type": "Point", "coordinates": [-0.0339, 46.3252]}
    assert second.cells["streetAddress"] == "" and second.cells["addressLocality"] == "Paris"


def test_openfairdb_entries_read_to_flat_columns_with_tags_joined():
    table = read("openfairdb-entries.json")
    assert table.format == "openfairdb"
    assert table.columns[:9] == [
        "id",
        "created",
        "version",
        "title",
        "description",
        "lat",
        "lng",
        "street",
        "zip",
    ]
    (entry,) = table.rows
    assert entry.cells["tags"] == "tauschring;zeitbank"
    assert entry.cells["email"] == "" and entry.cells["city"] == "Berlin"
    assert entry.geometry == {"type": "Point", "coordinates": [13.3694, 52.5251]}


def test_openfairdb_search_results_read_their_visible_and_invisible_entries():
    table = read("openfairdb-search.json")
    assert table.format == "openfairdb"
    (entry,) = table.rows
    assert entry.cells["title"] == "Tauschring Mitte"
    assert entry.cells["ratings"] == '{"total":0.5}'


def test_a_file_without_an_extension_is_read_by_its_content():
    data = (FIXTURES / "xlsx-groups.xlsx").read_bytes()
    assert read_bytes(data, "export").format == "xlsx"


def test_a_formula_saved_with_its_value_reads_as_that_value_never_recomputed():
    # As a spreadsheet program saves it: the formula and the value it showed.
    source = zipfile.ZipFile(FIXTURES / "xlsx-groups.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b'<c r="B2"><f>', b'<c r="B2" t="str"><f>')
                data = data.replace(b"<v></v>", b"<v>shown when saved</v>")
            copy.writestr(member, data)
    table = read_bytes(out.getvalue(), "saved.xlsx", sheet="Links")
    assert table.rows[0].cells["link"] == "shown when saved"
