"""The Table every reader yields, and the rules every reader applies to a header and a row."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson

# The longest cell we read; a longer one makes its row a rejected row, not the file.
CELL_MAX_CHARS = 100_000


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the uploader."""


class SheetError(ImportFileError):
    """The sheet asked for (or, none asked for, the first) cannot be read: the message names
    it and the sheets there are."""


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
    # A workbook's sheet read, and its visible sheets in their order.
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)


def header_columns(values) -> list[str]:
    """The column names of a header row; empty or repeated names refuse the file."""
    names = [text(value) for value in values]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise ImportFileError("The file has no header row naming its columns.")
    empty = [str(position) for position, name in enumerate(names, 1) if not name]
    if empty:
        raise ImportFileError(
            f"The header row has no name for column {', '.join(empty)}: name every column."
        )
    if any("\x00" in name for name in names):
        raise ImportFileError("The header row contains a NUL character: it is not a text header.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        quoted = ", ".join(f'"{name}"' for name in repeated)
        raise ImportFileError(
            f"The header row names {quoted} more than once: give each column its own name."
        )
    return names


def row_from_values(number, columns, values, geometry=None) -> Row:
    """The Row of one line of a sheet, its values in the order of columns."""
    row = row_from_cells(number, dict(zip(columns, values, strict=False)), geometry)
    extra = [position for position, value in enumerate(values, 1) if text(value)]
    if extra and extra[-1] > len(columns):
        row.problems.append(
            f"the row has a value in column {extra[-1]}, but the header names only "
            f"{len(columns)} columns"
        )
    return row


def row_from_cells(number, cells, geometry=None) -> Row:
    """The Row of {column: value}, every value as stripped text; too long or NUL cells noted."""
    row = Row(number, {}, geometry)
    for column, value in cells.items():
        cell = text(value)
        if len(cell) > CELL_MAX_CHARS:
            row.problems.append(
                f"cell in column {column} is {len(cell):,} characters, more than {CELL_MAX_CHARS:,}"
            )
            cell = ""
        elif "\x00" in cell:
            row.problems.append(f"cell in column {column} contains a NUL character")
            cell = cell.replace("\x00", "")
        row.cells[column] = cell
    return row


def text(value) -> str:
    """A cell's value as a person reads it: ISO dates, whole numbers without '.0', lists by ';'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ";".join(filter(None, (text(item) for item in value)))
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)
