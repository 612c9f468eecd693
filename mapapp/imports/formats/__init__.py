"""Reading an uploaded list into a Table: one reader a format, one shape for all of them.

Every reader yields rows as {column: text} in the file's order, numbered as a person counts
them in their sheet (the header is row 1 of a CSV; features count from 1), with the row's
geometry as a GeoJSON mapping where the format carries one. A problem with the whole file
raises ImportFileError with a message for the person who uploaded it; a problem with one row
is written in that Row's problems, and the pipeline rejects that row with it.

The reader is chosen by what the file holds, read from its first bytes (a zip's parts, JSON's
shape), and the file's name must agree with it: a renamed file is refused, named for what it is.
"""

from .delimited import ENCODINGS, read_csv
from .lists import load_json, read_json
from .sheets import read_ods, read_xlsx, zip_kind
from .table import CELL_MAX_CHARS, ImportFileError, Row, SheetError, Table

__all__ = [
    "CELL_MAX_CHARS",
    "ENCODINGS",
    "READERS",
    "ImportFileError",
    "Row",
    "SheetError",
    "Table",
    "read_table",
]

# The formats whose files hold several sheets, one of which is read.
SHEETED = {"xlsx", "ods"}
READERS = {"csv": read_csv, "xlsx": read_xlsx, "ods": read_ods, "json": read_json}
EXTENSIONS = {
    "csv": "csv",
    "tsv": "csv",
    "txt": "csv",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "ods": "ods",
    "json": "json",
    "geojson": "json",
    "umap": "json",
}
DESCRIPTIONS = {
    "csv": "a CSV file",
    "xlsx": "an Excel workbook (.xlsx)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "json": "a JSON file",
}
NOT_A_LIST = "is not a spreadsheet or list Commons Map can read"
SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
}
# Compound files hold old .xls workbooks and every password-protected Office file.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(stream, *, filename, encoding=None, sheet=None) -> Table:
    """The Table in stream (a binary file): read by what it holds, if its name agrees; of a
    workbook, the sheet named sheet, else its first visible one."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    named = EXTENSIONS.get(extension)
    if extension and named is None:
        raise ImportFileError(
            f"Commons Map cannot read .{extension} files: upload one of "
            f"{', '.join('.' + name for name in EXTENSIONS)}."
        )
    found = content_format(stream)
    if found == "json" and named == "csv":
        found = _json_or_text(stream)
    if named and named != found:
        raise ImportFileError(
            f"This file is named .{extension} but is {DESCRIPTIONS[found]}: give it the name "
            "of what it is, or upload the file you meant."
        )
    if sheet is not None and found not in SHEETED:
        raise SheetError(
            f"This file is {DESCRIPTIONS[found]}, which has no sheets: leave the sheet empty."
        )
    return READERS[found](stream, encoding=encoding, sheet=sheet)


def content_format(stream) -> str:
    """csv, xlsx, ods or json, as the file's first bytes say; anything else is refused."""
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip():
        raise ImportFileError("The file is empty.")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return zip_kind(stream)
    if head.startswith(OLE):
        raise ImportFileError(
            "The file is an old Excel workbook (.xls) or a password-protected one: save it as "
            ".xlsx without a password, or as CSV."
        )
    for signature, what in SIGNATURES.items():
        if head.startswith(signature):
            raise ImportFileError(f"The file is {what}: it {NOT_A_LIST}.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("The file is UTF-16 text: save it as CSV UTF-8 and upload that.")
    if b"\x00" in head:
        raise ImportFileError(f"The file holds NUL bytes, so it is not text: it {NOT_A_LIST}.")
    if head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
        return "json"
    return "csv"


def _json_or_text(stream):
    # A CSV may begin with a bracket; it is JSON only if it parses as JSON.
    try:
        load_json(stream)
    except ImportFileError:
        return "csv"
    finally:
        stream.seek(0)
    return "json"
