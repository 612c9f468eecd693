"""Files that cannot be read are refused whole with a message; bad rows are marked, not fatal."""

import io
import zipfile
from pathlib import Path

import pytest

from mapapp.imports.formats import CELL_MAX_CHARS, ImportFileError, read_table

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
XLSX = (FIXTURES / "xlsx-groups.xlsx").read_bytes()
ODS = (FIXTURES / "ods-groups.ods").read_bytes()


def rows(data, filename, **options):
    return list(read_table(io.BytesIO(data), filename=filename, **options).rows)


def refused(data, filename, **options):
    """The message a file is refused with, whether at opening or while its rows are read."""
    with pytest.raises(ImportFileError) as caught:
        rows(data, filename, **options)
    return str(caught.value)


def zipped(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (b"name,lat\nA,1\n", "groups.xlsx", "named .xlsx but is a CSV file"),
        (XLSX, "groups.csv", "named .csv but is an Excel workbook (.xlsx)"),
        (ODS, "groups.xlsx", "named .xlsx but is an OpenDocument spreadsheet (.ods)"),
        (b'{"type":"FeatureCollection","features":[]}', "g.csv", "named .csv but is a JSON"),
        (b"name\nA\n", "groups.geojson", "named .geojson but is a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "groups.csv", "is a PNG image: it is not a"),
        (b"%PDF-1.7\n", "groups.csv", "is a PDF document"),
    ],
)
def test_a_file_whose_name_and_content_disagree_is_refused_naming_what_it_is(
    data, filename, message
):
    assert message in refused(data, filename)


def test_a_csv_that_starts_with_a_bracket_but_is_not_json_is_read_as_csv():
    assert rows(b"[name],notes\nA,x\n", "a.csv")[0].cells == {"[name]": "A", "notes": "x"}


@pytest.mark.parametrize("filename", ["groups.xls", "groups.docx", "groups.kml"])
def test_a_file_of_an_unknown_kind_is_refused_with_the_kinds_we_read(filename):
    assert "cannot read" in refused(b"name\nA\n", filename)


def test_an_old_xls_or_password_protected_workbook_is_refused_with_what_to_do():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert "old Excel workbook (.xls) or a password-protected one" in refused(data, "a.xlsx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    # 50 MB of zeros deflates to about 50 KB: a ratio of a thousand.
    bomb = zipped({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"\x00" * 50_000_000})
    assert len(bomb) < 100_000
    assert "expands 1,0" in refused(bomb, "bomb.xlsx")


def test_a_zip_that_expands_past_the_total_limit_is_refused():
    members = {f"xl/part{n}.xml": bytes(range(256)) * 4096 * 64 for n in range(4)}
    # Each part is 64 MiB of a repeating pattern: a ratio under the limit, a total over it.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert "expands to 268,435,456 bytes, more than 209,715,200" in refused(
        out.getvalue(), "big.xlsx"
    )


def test_a_zip_of_too_many_parts_is_refused():
    data = zipped({f"part{n}": b"" for n in range(1001)})
    assert "holds 1,001 parts, more than 1,000" in refused(data, "a.ods")


def test_a_truncated_workbook_is_refused_as_damaged():
    assert "damaged or truncated zip archive" in refused(XLSX[: len(XLSX) // 2], "a.xlsx")


def test_a_workbook_with_a_corrupted_part_is_refused_naming_the_part():
    damaged = bytearray(ODS)
    start = damaged.index(b"content.xml") + len(b"content.xml") + 20
    damaged[start : start + 8] = b"\xff" * 8
    message = refused(bytes(damaged), "a.ods")
    assert "damaged" in message


def test_a_zip_encrypted_with_a_password_is_refused():
    data = bytearray(zipped({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}))
    # zipfile cannot encrypt, so the first part's headers are marked encrypted by hand.
    data[6] |= 0x1
    data[data.index(b"PK\x01\x02") + 8] |= 0x1
    assert "password-protected" in refused(bytes(data), "a.xlsx")


def test_a_zip_that_is_not_a_spreadsheet_is_refused():
    data = zipped({"groups.csv": b"name\nA\n"})
    assert "is a zip archive, not a spreadsheet or list" in refused(data, "a.xlsx")


def test_an_opendocument_text_is_refused_as_not_a_spreadsheet():
    data = zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})
    assert "OpenDocument text document, not a spreadsheet" in refused(data, "a.ods")


def test_an_ods_whose_repeated_cells_would_fill_memory_is_refused():
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    )
    content = (
        f"<office:document-content {ns}><office:body><office:spreadsheet><table:table>"
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"/>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    data = zipped(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": b"<manifest/>",
            "content.xml": content.encode(),
        }
    )
    assert len(data) < 2_000
    assert "spans 16,384,000,000 cells, more than 5,000,000" in refused(data, "a.ods")


def test_garbage_bytes_are_refused_as_not_text():
    assert "holds NUL bytes, so it is not text" in refused(bytes(range(256)) * 4, "a.csv")


def test_a_cell_of_ten_megabytes_makes_its_row_a_problem_not_the_file():
    data = b"name,description\nA," + b"x" * 10_000_000 + b"\nB,short\n"
    first, second = rows(data, "a.csv")
    assert first.problems == [
        f"cell in column description is 10,000,000 characters, more than {CELL_MAX_CHARS:,}"
    ]
    assert first.cells["description"] == ""
    assert second.problems == [] and second.cells == {"name": "B", "description": "short"}


class EndlessLine(io.RawIOBase):
    """A gigabyte of one line, made as it is read, counting how much was read."""

    size = 1024**3

    def __init__(self):
        self.position = self.furthest = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.position = offset if whence == 0 else self.position + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        count = min(len(buffer), self.size - self.position)
        prefix = b"name,notes\n" if self.position == 0 else b""
        chunk = (prefix + b"x" * count)[:count]
        buffer[:count] = chunk
        self.position += count
        self.furthest = max(self.furthest, self.position)
        return count


def test_a_gigabyte_line_is_refused_without_being_read_whole():
    raw = EndlessLine()
    with pytest.raises(ImportFileError, match="a line longer than 16,777,216 characters"):
        list(read_table(io.BufferedReader(raw), filename="a.csv").rows)
    assert raw.furthest < 64 * 1024 * 1024


def test_nul_bytes_at_the_start_of_a_csv_refuse_it_as_not_text():
    assert "NUL bytes" in refused(b"name,notes\nA,\x00\n", "a.csv")


def test_a_nul_character_later_in_a_csv_makes_its_row_a_problem():
    data = b"name,notes\n" + b"A,fine\n" * 1000 + b"B,bad\x00cell\n"
    last = rows(data, "a.csv")[-1]
    assert last.number == 1002
    assert last.problems == ["cell in column notes contains a NUL character"]


@pytest.mark.parametrize(
    "header,message",
    [
        (b"name,lat,name\n", 'names "name" more than once'),
        (b"name,,lat\n", "no name for column 2"),
        (b"Name, lat ,lat\n", 'names "lat" more than once'),
    ],
)
def test_duplicate_or_empty_header_names_refuse_the_file_naming_them(header, message):
    assert message in refused(header + b"A,1,2\n", "a.csv")


def test_trailing_empty_header_cells_are_not_columns():
    assert rows(b"name,lat,,\nA,1,,\n", "a.csv")[0].cells == {"name": "A", "lat": "1"}


def test_a_value_under_no_header_name_makes_its_row_a_problem():
    (row,) = rows(b"name,lat\nA,1,surprise\n", "a.csv")
    assert row.problems == ["the row has a value in column 3, but the header names only 2 columns"]


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b",,\n,,\n"])
def test_an_empty_file_is_refused(data):
    assert "empty" in refused(data, "a.csv")


def test_undecodable_bytes_in_the_chosen_encoding_name_the_row_and_another_encoding():
    data = b"name\n" + b"A\n" * 5000 + "Caf\u00e9\n".encode("cp1252")
    message = refused(data, "a.csv", encoding="utf-8")
    assert message == (
        "Row 5002 is not utf-8 text: choose the file's encoding (perhaps windows-1252)."
    )


def test_an_unknown_encoding_is_refused_with_the_choices():
    assert "choose one of utf-8, windows-1252, latin-1" in refused(b"a\n", "a.csv", encoding="x")


def test_utf16_text_is_refused_with_what_to_save_instead():
    assert "UTF-16" in refused("name\nA\n".encode("utf-16"), "a.csv")


def test_deeply_nested_json_is_refused_not_a_crash():
    data = b"[" * 100_000 + b"]" * 100_000
    assert "more than 1,024 deep" in refused(data, "a.json")


def test_json_that_is_not_utf8_is_refused():
    data = '{"type":"FeatureCollection","features":[{"name":"Café"}]}'.encode("cp1252")
    assert "not UTF-8 text" in refused(data, "a.geojson")


def test_broken_json_is_refused_with_where():
    assert "not valid JSON" in refused(b'{"type": "FeatureCollection",', "a.geojson")


def test_json_of_another_shape_is_refused_naming_the_shapes_we_read():
    assert "not GeoJSON, a uMap export, a GoGoCarto" in refused(b'{"a": 1}', "a.json")


def test_geojson_in_another_coordinate_system_is_refused():
    data = (
        b'{"type":"FeatureCollection","crs":{"type":"name","properties":'
        b'{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[]}'
    )
    assert "in urn:ogc:def:crs:EPSG::27700: export it in WGS 84" in refused(data, "a.geojson")


@pytest.mark.parametrize(
    "geometry,problem",
    [
        (
            '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}',
            "only points can be imported; this is a Polygon",
        ),
        ('{"type":"LineString","coordinates":[[0,0],[1,1]]}', "this is a LineString"),
        ('{"type":"Point","coordinates":["0","1"]}', "not [longitude, latitude] numbers"),
        ('{"type":"Point"}', "not [longitude, latitude] numbers"),
        ('"nowhere"', "this is a broken geometry"),
    ],
)
def test_a_feature_that_is_not_a_point_is_a_row_problem(geometry, problem):
    data = (
        '{"type":"FeatureCollection","features":['
        f'{{"type":"Feature","properties":{{"name":"A"}},"geometry":{geometry}}},'
        '{"type":"Feature","properties":{"name":"B"},"geometry":null}]}'
    ).encode()
    first, second = rows(data, "a.geojson")
    assert len(first.problems) == 1 and problem in first.problems[0]
    assert first.geometry is None and first.cells == {"name": "A"}
    assert second.problems == [] and second.geometry is None


def test_a_feature_that_is_not_a_feature_is_a_row_problem():
    data = b'{"type":"FeatureCollection","features":[1,{"type":"Feature","properties":{}}]}'
    first, second = rows(data, "a.geojson")
    assert first.problems == ["this is not a GeoJSON Feature"] and second.problems == []


def test_a_cell_too_long_in_a_geojson_property_is_a_row_problem():
    long = "x" * (CELL_MAX_CHARS + 1)
    data = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,'
        f'"properties":{{"name":"{long}"}}}}]}}'
    ).encode()
    (row,) = rows(data, "a.geojson")
    assert row.problems == [
        f"cell in column name is {CELL_MAX_CHARS + 1:,} characters, more than {CELL_MAX_CHARS:,}"
    ]
