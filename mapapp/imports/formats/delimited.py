"""CSV: streamed row by row through a bounded line reader, in the encoding chosen or detected."""

import codecs
import contextlib
import csv
import io
import re

from .table import ImportFileError, Table, header_columns, row_from_values

ENCODINGS = {"utf-8": "utf-8-sig", "windows-1252": "cp1252", "latin-1": "latin-1"}
# Other encodings a person could choose instead of the one that failed.
OTHER_ENCODING = {"utf-8": "windows-1252", "windows-1252": "latin-1", "latin-1": "utf-8"}

# The longest physical line we hold in memory. Uploads are bounded (IMPORT_MAX_UPLOAD_BYTES),
# so a 10 MB cell is read once and refused as a row problem; longer lines refuse the file
# before they are read whole.
LINE_MAX_CHARS = 16 * 1024 * 1024
DETECT_MAX_BYTES = 32 * 1024 * 1024
SNIFF_CHARS = 8192
DELIMITERS = ",;\t"

# The csv module's field limit is one value for the whole process: ours is the line bound,
# so a field is never what stops a line we were willing to read.
csv.field_size_limit(max(csv.field_size_limit(), LINE_MAX_CHARS))

# Undecodable bytes survive decoding as lone surrogates, so the row holding them can be named.
UNDECODED = re.compile("[\udc80-\udcff]")


def detect_encoding(stream) -> str:
    """utf-8 when the file decodes as UTF-8 (with or without BOM), else windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for _ in range(DETECT_MAX_BYTES // 65536):
            chunk = stream.read(65536)
            if not chunk:
                break
            decoder.decode(chunk, final=False)
    except UnicodeDecodeError:
        return "windows-1252"
    finally:
        stream.seek(0)
    return "utf-8"


def read_csv(stream, *, encoding=None, **_options) -> Table:
    """A CSV table; encoding is one of ENCODINGS or None to detect it."""
    if encoding is not None and encoding not in ENCODINGS:
        choices = ", ".join(ENCODINGS)
        raise ImportFileError(f"Unknown encoding {encoding!r}: choose one of {choices}.")
    encoding = encoding or detect_encoding(stream)
    text = io.TextIOWrapper(
        stream, encoding=ENCODINGS[encoding], errors="surrogateescape", newline=""
    )
    try:
        sample = text.read(SNIFF_CHARS)
        text.seek(0)
        reader = csv.reader(_bounded_lines(text), _dialect(sample))
        number, header = _first_row(reader, encoding)
    except csv.Error as error:
        _release(text)
        raise ImportFileError(f"The header row cannot be read as CSV: {error}.") from None
    except BaseException:
        _release(text)
        raise
    columns = header_columns(header)
    return Table("csv", columns, _csv_rows(text, reader, number, columns, encoding), encoding)


def _dialect(sample):
    try:
        return csv.Sniffer().sniff(sample, DELIMITERS)
    except csv.Error:
        # The sniffer wants rows of equal length; a header alone still shows its delimiter.
        header = sample.splitlines()[0] if sample else ""
        counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
        dialect = type("Sniffed", (csv.excel,), {})
        dialect.delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
        return dialect


def _bounded_lines(text):
    while line := text.readline(LINE_MAX_CHARS):
        if len(line) == LINE_MAX_CHARS and not line.endswith(("\n", "\r")):
            raise ImportFileError(
                f"The file has a line longer than {LINE_MAX_CHARS:,} characters: it is not a "
                "list Commons Map can read."
            )
        yield line


def _first_row(reader, encoding):
    for number, values in enumerate(reader, 1):
        _check_decoded(values, number, encoding)
        if any(value.strip() for value in values):
            return number, values
    raise ImportFileError("The file is empty: it has no header row.")


def _csv_rows(text, reader, number, columns, encoding):
    try:
        for values in reader:
            number += 1
            _check_decoded(values, number, encoding)
            if any(value.strip() for value in values):
                yield row_from_values(number, columns, values)
    except csv.Error as error:
        raise ImportFileError(f"Row {number + 1} cannot be read as CSV: {error}.") from None
    finally:
        _release(text)


def _check_decoded(values, number, encoding):
    if any(UNDECODED.search(value) for value in values):
        raise ImportFileError(
            f"Row {number} is not {encoding} text: choose the file's encoding "
            f"(perhaps {OTHER_ENCODING[encoding]})."
        )


def _release(text):
    # Hand the caller's stream back open: a TextIOWrapper closes what it wraps when collected.
    with contextlib.suppress(ValueError):
        text.detach()
