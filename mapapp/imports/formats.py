"""Reading an uploaded list into a Table: one reader a format, one shape for all of them.

Every reader yields rows as {column: text} in the file's order, numbered as a person counts
them in their sheet (the header is row 1 of a CSV), with the row's geometry as a GeoJSON
mapping where the format carries one. A problem with the whole file raises ImportFileError
with a message for the person who uploaded it; a problem with one row is left to the mapping
step, which reports it against that row.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

# The longest cell we read; a longer one makes its row a rejected row, not the file.
CELL_MAX_CHARS = 100_000


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the uploader."""


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    geometry: dict | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Table:
    format: str
    columns: list[str]
    rows: Iterator[Row]
    encoding: str = ""


ENCODINGS = {"utf-8": "utf-8-sig", "windows-1252": "cp1252", "latin-1": "latin-1"}


def detect_encoding(sample: bytes) -> str:
    """utf-8 when the sample decodes as UTF-8 (with or without BOM), else windows-1252."""
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "windows-1252"
    return "utf-8"


def read_csv(stream, *, encoding=None) -> Table:
    """A CSV table; encoding is one of ENCODINGS or None to detect it from the first 64 KiB."""
    sample = stream.read(65536)
    stream.seek(0)
    encoding = encoding or detect_encoding(sample)
    if encoding not in ENCODINGS:
        choices = ", ".join(ENCODINGS)
        raise ImportFileError(f"Unknown encoding {encoding!r}: choose one of {choices}.")
    text = io.TextIOWrapper(stream, encoding=ENCODINGS[encoding], errors="strict", newline="")
    try:
        dialect = csv.Sniffer().sniff(sample.decode(ENCODINGS[encoding], "replace")[:8192], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty: it has no header row.") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"The file is not {encoding} text; choose its encoding.") from None
    columns = [name.strip() for name in header]
    return Table("csv", columns, _csv_rows(reader, columns, encoding), encoding)


def _csv_rows(reader, columns, encoding):
    number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise ImportFileError(
                f"Row {number + 1} is not {encoding} text; choose the file's encoding."
            ) from None
        number += 1
        if not any(value.strip() for value in values):
            continue
        yield Row(number, dict(zip(columns, values, strict=False)))


READERS = {"csv": read_csv}


def read_table(stream, *, filename, encoding=None) -> Table:
    """The Table in stream (a binary file), read by the reader its name's extension names."""
    kind = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    reader = READERS.get(kind)
    if reader is None:
        raise ImportFileError(
            f"Commons Map cannot read .{kind} files: upload one of {', '.join(READERS)}."
        )
    return reader(stream, encoding=encoding) if kind == "csv" else reader(stream)
