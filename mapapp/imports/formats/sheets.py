"""Spreadsheets: XLSX through openpyxl, ODS through python-calamine, after their zip is vetted.

openpyxl streams an XLSX sheet in read-only mode, so rows come one at a time. No maintained
library streams ODS: odfpy and pyexcel-ods3 build the whole document tree in Python, while
python-calamine (Rust's calamine) holds only the sheet's cells, reads LibreOffice's and
Excel's ODS alike, and is released often, so it reads ODS here. Neither library is told to
compute anything: a formula's cached value is what the sheet showed when it was saved.

Both formats are zip archives that expand many times over, so zip_kind checks the archive's
declared sizes and then every member's real size and checksum before a library opens it, and
an ODS's cells are counted (a repeated cell can ask for billions) before calamine lays them out.
"""

import io
import zipfile
import zlib
from itertools import zip_longest

import openpyxl
import python_calamine
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from mapapp.models.imports import SHEET_MAX_CHARS

from .table import ImportFileError, SheetError, Table, header_columns, row_from_values

ZIP_MAX_MEMBERS = 1_000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
# Sheets' XML compresses well, but a member more than 100 times smaller than it expands to,
# past a megabyte, is built to exhaust memory rather than to hold a list.
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1024 * 1024
# The cells calamine lays out for an ODS (each sheet's box from A1 to its last used cell).
ODS_MAX_CELLS = 5_000_000

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error)


def zip_kind(stream) -> str:
    """'xlsx' or 'ods' for a zip that is a spreadsheet safe to open; any other zip is refused."""
    try:
        with zipfile.ZipFile(stream) as archive:
            _check_members(archive.infolist())
            kind = _spreadsheet_kind(archive)
            damaged = archive.testzip()
            if damaged:
                raise ImportFileError(f"The file is damaged: its part {damaged} does not unpack.")
            if kind == "ods":
                _check_ods(archive)
    except ZIP_ERRORS + (NotImplementedError,) as error:
        raise ImportFileError(
            f"The file is a damaged or truncated zip archive ({error}): export it again."
        ) from None
    finally:
        stream.seek(0)
    return kind


def _check_members(members):
    if len(members) > ZIP_MAX_MEMBERS:
        raise ImportFileError(
            f"The file holds {len(members):,} parts, more than {ZIP_MAX_MEMBERS:,}: it is not "
            "a spreadsheet Commons Map can read."
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise ImportFileError("The file is password-protected: save a copy without a password.")
    total = sum(member.file_size for member in members)
    if total > ZIP_MAX_TOTAL_BYTES:
        raise ImportFileError(
            f"The file expands to {total:,} bytes, more than {ZIP_MAX_TOTAL_BYTES:,}: "
            "split the list or export it as CSV."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FROM_BYTES and ratio > ZIP_MAX_RATIO:
            raise ImportFileError(
                f"The file's part {member.filename} expands {ratio:,.0f} times, more than "
                f"{ZIP_MAX_RATIO}: it looks built to exhaust memory, not to hold a list."
            )


def _spreadsheet_kind(archive):
    names = set(archive.namelist())
    if "mimetype" in names:
        mimetype = archive.read("mimetype").strip()
        if mimetype == ODS_MIMETYPE:
            return "ods"
        raise ImportFileError(
            f"The file is an OpenDocument {mimetype.decode('ascii', 'replace').split('.')[-1]}"
            " document, not a spreadsheet: upload the sheet as .ods, .xlsx or .csv."
        )
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "[Content_Types].xml" in names:
        raise ImportFileError(
            "The file is an Office document, but not an Excel workbook: upload .xlsx or .csv."
        )
    raise ImportFileError(
        "The file is a zip archive, not a spreadsheet or list Commons Map can read: "
        "upload the list itself."
    )


def _check_ods(archive):
    if b"encryption-data" in archive.read("META-INF/manifest.xml"):
        raise ImportFileError("The file is password-protected: save a copy without a password.")
    try:
        cells = _ods_cells(archive)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise ImportFileError(f"The spreadsheet's content cannot be read ({error}).") from None
    if cells > ODS_MAX_CELLS:
        raise ImportFileError(
            f"The spreadsheet spans {cells:,} cells, more than {ODS_MAX_CELLS:,}: delete the "
            "unused rows and columns, or export it as CSV."
        )


def _ods_cells(archive):
    """The cells of every sheet's box from A1 to its last non-empty cell, repeats counted."""
    total = width = height = rows = columns = row_width = 0
    repeat = 1
    stack = []
    with archive.open("content.xml") as content:
        for event, element in iterparse(content, events=("start", "end")):
            if event == "start":
                stack.append(element)
                if element.tag == TABLE + "table":
                    width = height = rows = 0
                elif element.tag == TABLE + "table-row":
                    repeat = int(element.get(TABLE + "number-rows-repeated", 1))
                    columns = row_width = 0
                continue
            stack.pop()
            if element.tag in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                columns += int(element.get(TABLE + "number-columns-repeated", 1))
                if element.get(OFFICE + "value-type") or len(element):
                    row_width = columns
            elif element.tag == TABLE + "table-row":
                rows += repeat
                if row_width:
                    width, height = max(width, row_width), rows
            elif element.tag == TABLE + "table":
                total += width * height
                if total > ODS_MAX_CELLS:
                    return total
            # Parsed parts are dropped as they end, so counting holds one row at a time.
            if stack:
                stack[-1].remove(element)
    return total


def read_xlsx(stream, *, sheet=None, **_options) -> Table:
    """The first visible sheet (or the one named sheet) of an XLSX workbook vetted by zip_kind."""
    data = stream.read()
    # data_only gives the value each formula had when the workbook was saved, never computing
    # one; a formula saved without a value (written by a program, not a person) reads as its
    # own text from a second pass over the same rows, so it stays text and is never evaluated.
    values, name, visible = _open_sheet(data, sheet, data_only=True)
    formulas, _name, _visible = _open_sheet(data, name, data_only=False)
    try:
        number, header = _xlsx_header(values, formulas, name, visible)
        columns = header_columns(header)
    except BaseException:
        values.parent.close()
        formulas.parent.close()
        raise
    rows = _xlsx_rows(values, formulas, number, columns)
    return Table("xlsx", columns, rows, sheet=name, sheets=visible)


def _open_sheet(data, name, *, data_only):
    """The worksheet to read, its name and the workbook's visible sheets' names."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises most exception types for a broken workbook
        raise ImportFileError(f"The workbook cannot be read ({error}).") from None
    try:
        sheets = [(ws.title, ws.sheet_state == "visible") for ws in workbook.worksheets]
        name, visible = choose_sheet(sheets, name)
    except SheetError:
        workbook.close()
        raise
    chosen = workbook[name]
    # A saved dimension can be wrong (programs write A1:A1); without it rows are read whole.
    chosen.reset_dimensions()
    return chosen, name, visible


def choose_sheet(sheets, name):
    """(the sheet to read, the visible sheets' names) of sheets, [(name, visible)]: the one
    named, else the first visible. SheetError says why there is none. A sheet whose name is
    longer than a run can keep (SHEET_MAX_CHARS) is never offered, and refused if it is the
    one to read."""
    if not sheets:
        raise SheetError("The workbook has no sheets.")
    shown_sheets = [title for title, shown in sheets if shown]
    too_long = name if name is not None else next(iter(shown_sheets), "")
    if len(too_long) > SHEET_MAX_CHARS:
        raise SheetError(
            f"The sheet {too_long[:40]!r}… has a name of {len(too_long):,} characters: rename it "
            f"to at most {SHEET_MAX_CHARS} in your spreadsheet program and upload it again."
        )
    visible = [title for title in shown_sheets if len(title) <= SHEET_MAX_CHARS]
    if name is None and not visible:
        raise SheetError("Every sheet of the workbook is hidden: show the one to import.")
    if name is None:
        return visible[0], visible
    if name not in {title for title, _shown in sheets}:
        raise SheetError(_no_sheet(name, visible))
    if name not in visible:
        raise SheetError(
            f"The sheet {name!r} is hidden in the workbook: show it in your spreadsheet program "
            f"and upload it again{_others(name, visible, ', or choose one of ')}."
        )
    return name, visible


def _no_sheet(name, names):
    if not names:
        return f"The workbook has no sheet named {name!r}, and no visible sheet."
    return f"The workbook has no sheet named {name!r}; its sheets are {', '.join(names)}."


def _others(name, names, lead):
    others = [other for other in names if other != name]
    return f"{lead}{', '.join(others)}" if others else ""


def _empty(name, names):
    return SheetError(
        f"The sheet {name!r} is empty: it has no header row"
        f"{_others(name, names, '. Choose another of its sheets: ')}."
    )


def _merged_rows(values, formulas, **bounds):
    rows = zip(values.iter_rows(**bounds), formulas.iter_rows(**bounds), strict=False)
    for number, (cached, written) in enumerate(rows, bounds.get("min_row", 1)):
        yield (
            number,
            [getattr(w, "text", w) if c is None else c for c, w in zip_longest(cached, written)],
        )


def _xlsx_header(values, formulas, name, visible):
    try:
        for number, cells in _merged_rows(values, formulas, values_only=True):
            if any(str(cell).strip() for cell in cells if cell is not None):
                return number, cells
    except Exception as error:  # a damaged sheet fails inside openpyxl's parser
        raise ImportFileError(f"The sheet {name!r} cannot be read ({error}).") from None
    raise _empty(name, visible)


def _xlsx_rows(values, formulas, number, columns):
    # Cells past the header's width are read up to one column, enough to notice a row that
    # has more values than names without walking to column XFD on every row.
    bounds = {"min_row": number + 1, "max_col": len(columns) + 1, "values_only": True}
    try:
        for number, cells in _merged_rows(values, formulas, **bounds):  # noqa: B020
            if any(str(cell).strip() for cell in cells if cell is not None):
                yield row_from_values(number, columns, cells)
    except ImportFileError:
        raise
    except Exception as error:  # a damaged sheet fails inside openpyxl's parser
        raise ImportFileError(f"Row {number + 1} of the sheet cannot be read ({error}).") from None
    finally:
        values.parent.close()
        formulas.parent.close()


def read_ods(stream, *, sheet=None, **_options) -> Table:
    """The first visible sheet (or the one named sheet) of an ODS spreadsheet vetted by
    zip_kind."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        sheets = [
            (meta.name, meta.visible == python_calamine.SheetVisibleEnum.Visible)
            for meta in workbook.sheets_metadata
        ]
        name, visible = choose_sheet(sheets, sheet)
        chosen = workbook.get_sheet_by_name(name)
        start = chosen.start
        rows = chosen.to_python(skip_empty_area=True) if start else []
    except ImportFileError:
        raise
    except (python_calamine.CalamineError, IndexError, ValueError) as error:
        raise ImportFileError(f"The spreadsheet cannot be read ({error}).") from None
    first = start[0] + 1 if start else 1
    numbered = enumerate(rows, first)
    for _number, cells in numbered:
        if any(str(cell).strip() for cell in cells):
            columns = header_columns(cells)
            return Table("ods", columns, _ods_rows(numbered, columns), sheet=name, sheets=visible)
    raise _empty(name, visible)


def _ods_rows(numbered, columns):
    for number, cells in numbered:
        if any(str(cell).strip() for cell in cells):
            yield row_from_values(number, columns, cells)
