"""Decode a CSV file's bytes and split it into records: with the csv module (the reference), or
with Polars when the text is "regular", which gives exactly what the csv-module path gives.

Encodings: see ``connectors.reading.encodings`` (BOM, UTF-8, UTF-16, then the legacy encodings
detected with charset-normalizer, refused when no reading is plausible). Line ends CR,
LF or CRLF; RFC 4180 quoting, strictly. Anything unreadable raises MalformedFileError naming the
row and the character position (bytes undecodable: ``undecodable_encoding``; a NUL character:
``binary_content``; broken quoting: ``bad_quoting``).

Regular (:func:`read_regular_csv`): valid UTF-8 without NUL, LF or CRLF line ends (no lone CR), and
every physical line is a complete record whose cells are either unquoted without any quote character
or fully quoted with doubled inner quotes, so no quoted cell spans lines; no row has a non-blank cell
beyond the header and no row has more cells than the header line. For such text the csv module and
Polars split records identically and record number = line number. Anything else gives None and the
caller uses the csv module (:func:`csv_records`), which also produces the exact error for broken
files. Header problems raise there exactly as here (the header is checked by the same function).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import polars as pl

from connectors.reading.encodings import decode_text
from connectors.reading.errors import MalformedFileError
from connectors.reading.json_payload import payload_expr
from connectors.reading.table_shape import RAW_ROWS_SCHEMA, read_header

_CELL = r'(?:"(?:[^"]|"")*"|[^",]*)'
REGULAR_LINE = rf"^{_CELL}(?:,{_CELL})*$"
BLANK = r"^[\s\x1c-\x1f]*$"  # exactly the characters Python's str.strip() removes
_MAY_ESCAPE = r'[\x00-\x1f\\]|""'  # a cell can only hold a quote as "" inside a quoted cell
_READ_OPTIONS = {"has_header": False, "infer_schema": False, "empty_string_is_null": False}


def decode(data: bytes, source_file: str, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding label) of a CSV file's bytes (``connectors.reading.encodings``); a NUL
    character refuses the file as binary."""
    text, label = decode_text(data, source_file, encoding)
    if "\x00" in text:
        row, column = position(text, text.index("\x00"))
        raise MalformedFileError(
            source_file,
            row,
            column,
            "NUL character: binary file or UTF-16 without a byte-order mark",
            "binary_content",
        )
    return text, label


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, character) of ``offset`` in ``text`` (CR, LF or CRLF line ends)."""
    lines = text[:offset].splitlines(keepends=True) or [""]
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return len(lines) + 1, 1
    return len(lines), len(last) + 1


def csv_records(text: str, source_file: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) for every record, blank ones included (header = record 1)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number, lines_before = 0, 0
    try:
        for row_number, record in enumerate(reader, start=1):
            yield row_number, record
            lines_before = reader.line_num
    except csv.Error as exc:
        rest = "".join(text.splitlines(keepends=True)[lines_before:])
        raise MalformedFileError(
            source_file, row_number + 1, bad_quote_column(rest), f"bad CSV quoting ({exc})", "bad_quoting"
        ) from exc


def bad_quote_column(record: str) -> int | None:
    """1-based column of the first quoting error in a CSV record (None when not found)."""
    column, in_quotes, at_cell_start, index = 1, False, True, 0
    while index < len(record):
        char = record[index]
        if in_quotes and char == '"' and record[index + 1 : index + 2] == '"':
            index += 1
        elif in_quotes and char == '"':
            in_quotes = False
            if record[index + 1 : index + 2] not in ("", ",", "\r", "\n"):
                return column
        elif not in_quotes and char == '"' and at_cell_start:
            in_quotes = True
        elif not in_quotes and char == ",":
            column, at_cell_start, index = column + 1, True, index + 1
            continue
        elif not in_quotes and char in "\r\n":
            return None
        at_cell_start = False
        index += 1
    return column if in_quotes else None


def read_regular_csv(data: bytes, source_file: str) -> tuple[list[str], pl.DataFrame] | None:
    """(headers, rows) of UTF-8 ``data`` (no BOM) when it is regular; None otherwise.

    Two streaming passes, so no whole table of cells is ever held: the lines (count, regularity,
    header, whether any cell may need JSON escaping), then the rows.
    """
    if not data or data.isspace() or b"\x00" in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    line = pl.first()
    lines = _collect(
        pl.scan_csv(data, quote_char=None, separator="\x00", **_READ_OPTIONS).select(
            pl.len().alias("count"),
            line.str.contains(REGULAR_LINE).all().alias("regular"),
            line.str.contains(_MAY_ESCAPE).any().alias("escapes"),
            line.first().alias("header"),
        )
    )
    if lines is None or lines["count"][0] == 0 or not lines["regular"][0]:
        return None  # not UTF-8 (the caller decodes cp1252 or reports the byte) or not regular
    header_record = next(csv.reader([lines["header"][0]]))
    if all(not cell.strip() for cell in header_record):
        return None  # blank first row: the csv-module path tells "empty" from "no header"
    headers = read_header(iter([(1, header_record)]), source_file)
    table = pl.scan_csv(data, quote_char='"', truncate_ragged_lines=False, **_READ_OPTIONS)
    columns = table.collect_schema().names()
    keep = columns[: len(headers)]
    if len(keep) < len(headers):
        return None
    plain = [] if lines["escapes"][0] else keep  # escaping every column costs ~15%: no extra pass
    rows = _collect(_rows_query(table, headers, columns, plain))
    if rows is None or rows.height != lines["count"][0] - 1 or rows["ragged"].any():
        return None  # a line with more cells than the header: let the csv module decide
    rows = rows.filter(~pl.col("blank")).select("source_row", "payload")
    return headers, rows.cast(dict(RAW_ROWS_SCHEMA))  # type: ignore[arg-type]


def _collect(query: pl.LazyFrame) -> pl.DataFrame | None:
    try:
        return query.collect(engine="streaming")
    except pl.exceptions.PolarsError:
        return None


def _rows_query(
    table: pl.LazyFrame, headers: list[str], columns: list[str], plain: list[str]
) -> pl.LazyFrame:
    """Every data line: its number, whether it is blank or ragged, and its payload."""
    width = len(headers)
    blank_cells = [pl.col(c).fill_null("").str.contains(BLANK) for c in columns]
    ragged = ~pl.all_horizontal(blank_cells[width:]) if columns[width:] else pl.lit(False)
    blank = pl.all_horizontal(blank_cells)
    return (
        table.with_row_index("source_row", offset=1)
        .slice(1)
        .select(
            pl.col("source_row").cast(pl.Int64),
            blank.alias("blank"),
            (ragged & ~blank).alias("ragged"),
            payload_expr(headers, columns[:width], fill_null=True, plain=plain).alias("payload"),
        )
    )
