"""Read supplier-style table files (CSV or XLSX) into raw rows, exactly as received.

A :class:`RawFile` keeps every data row as a JSON object ``original header -> original cell
text`` with its spreadsheet row number (header = row 1, first data row = row 2; blank rows are
skipped but still counted). CSV: UTF-8, UTF-8 with BOM, UTF-16 with BOM, else cp1252; CR, LF or
CRLF line ends; RFC 4180 quoting via the csv module. XLSX: first sheet, cells rendered as text
(integral numbers without ".0", dates as ISO). Anything malformed raises MalformedFileError.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl

CSV_SUFFIXES = frozenset({".csv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
RAW_ROWS_SCHEMA = pl.Schema({"source_row": pl.Int64, "payload": pl.String})


class MalformedFileError(ValueError):
    """A file cannot be read as a table; the message names the file, the row and the column."""

    def __init__(self, source_file: str, row: int, column: int | None, problem: str) -> None:
        self.source_file, self.row, self.column, self.problem = source_file, row, column, problem
        where = f"column {column}" if column is not None else "column unknown"
        super().__init__(f"{source_file}: row {row}, {where}: {problem}")


@dataclass(frozen=True)
class RawFile:
    """A table file as received: headers in file order and one payload per non-blank data row."""

    source_file: str
    headers: list[str]
    rows: pl.DataFrame  # source_row Int64, payload String (JSON object header -> cell text)
    encoding: str = ""  # utf-8 | utf-8-sig | utf-16 | cp1252 | xlsx


def read_table_file(path: Path | str) -> RawFile:
    """Read a CSV or XLSX (first sheet) file; raise MalformedFileError when it is not a table."""
    source_file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        records, encoding = _xlsx_records(Path(path), source_file), "xlsx"
    elif suffix in CSV_SUFFIXES:
        text, encoding = _decode(Path(path).read_bytes(), source_file)
        records = _csv_records(text, source_file)
    else:
        raise ValueError(f"{source_file}: unsupported file type {suffix!r} (expected CSV or XLSX)")
    headers, rows = _to_rows(records, source_file)
    return RawFile(source_file=source_file, headers=headers, rows=rows, encoding=encoding)


def raw_frame(raw_file: RawFile, load_id: str, contributor: str | None) -> pl.DataFrame:
    """Shape a RawFile as a raw.<source_type> frame (content_hash = sha256 of the payload)."""
    payloads = raw_file.rows["payload"].to_list()
    return pl.DataFrame(
        {
            "load_id": [load_id] * len(payloads),
            "source_file": [raw_file.source_file] * len(payloads),
            "source_row": raw_file.rows["source_row"],
            "contributor": [contributor] * len(payloads),
            "content_hash": [hashlib.sha256(p.encode("utf-8")).hexdigest() for p in payloads],
            "payload": payloads,
        },
        schema={
            "load_id": pl.String,
            "source_file": pl.String,
            "source_row": pl.Int64,
            "contributor": pl.String,
            "content_hash": pl.String,
            "payload": pl.String,
        },
    )


def _decode(data: bytes, source_file: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "utf-8-sig")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "utf-16")]
    else:
        candidates = [("utf-8", "utf-8"), ("cp1252", "cp1252")]
    error: UnicodeDecodeError | None = None
    for codec, label in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text:
            row, column = _position(text, text.index("\x00"))
            raise MalformedFileError(
                source_file, row, column, "NUL character: binary file or UTF-16 without a byte-order mark"
            )
        return text, label
    assert error is not None
    row, column = _position(data[: error.start].decode("latin-1"), error.start)
    raise MalformedFileError(
        source_file,
        row,
        column,
        f"cannot decode byte {error.object[error.start]:#04x} as {' or '.join(c for c, _ in candidates)}",
    )


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, character) of ``offset`` in ``text`` (CR, LF or CRLF line ends)."""
    lines = text[:offset].splitlines(keepends=True) or [""]
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return len(lines) + 1, 1
    return len(lines), len(last) + 1


def _csv_records(text: str, source_file: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number, lines_before = 0, 0
    try:
        for row_number, record in enumerate(reader, start=1):
            yield row_number, record
            lines_before = reader.line_num
    except csv.Error as exc:
        rest = "".join(text.splitlines(keepends=True)[lines_before:])
        raise MalformedFileError(
            source_file, row_number + 1, _bad_quote_column(rest), f"bad CSV quoting ({exc})"
        ) from exc


def _bad_quote_column(record: str) -> int | None:
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


def _xlsx_records(path: Path, source_file: str) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise MalformedFileError(source_file, 1, None, f"not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            cells = [cell for cell in row if getattr(cell, "row", None) is not None]
            if cells:
                yield cells[0].row, [_cell_text(cell.value) for cell in row]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Render a spreadsheet value as the text a user sees for a General-format cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _to_rows(records: Iterable[tuple[int, list[str]]], source_file: str) -> tuple[list[str], pl.DataFrame]:
    iterator = iter(records)
    headers = _read_header(iterator, source_file)
    width = len(headers)
    source_rows: list[int] = []
    payloads: list[str] = []
    for row_number, record in iterator:
        if all(not cell.strip() for cell in record):
            continue
        source_rows.append(row_number)
        cells = _fit_width(record, width, source_file, row_number)
        payloads.append(json.dumps(dict(zip(headers, cells, strict=True)), ensure_ascii=False))
    rows = pl.DataFrame({"source_row": source_rows, "payload": payloads}, schema=RAW_ROWS_SCHEMA)
    return headers, rows


def _fit_width(record: list[str], width: int, source_file: str, row_number: int) -> list[str]:
    """Pad short rows with empty cells; refuse rows with non-empty cells beyond the header."""
    if len(record) <= width:
        return record + [""] * (width - len(record))
    for offset, cell in enumerate(record[width:]):
        if cell.strip():
            raise MalformedFileError(
                source_file,
                row_number,
                width + offset + 1,
                f"row has {len(record)} cells but the header has {width} columns (unexpected value {cell!r})",
            )
    return record[:width]


def _read_header(records: Iterator[tuple[int, list[str]]], source_file: str) -> list[str]:
    first = next(records, None)
    if first is None or (
        all(not cell.strip() for cell in first[1])
        and all(not cell.strip() for _, record in records for cell in record)
    ):
        raise MalformedFileError(source_file, 1, 1, "file is empty: no header row")
    row_number, headers = first
    while headers and not headers[-1].strip():
        headers = headers[:-1]
    if row_number != 1 or not headers:
        raise MalformedFileError(source_file, 1, 1, "no header: the first row is blank")
    seen: dict[str, int] = {}
    for column, header in enumerate(headers, start=1):
        if not header.strip():
            raise MalformedFileError(source_file, 1, column, "header cell is empty")
        if header in seen:
            raise MalformedFileError(
                source_file, 1, column, f"duplicate header {header!r} (also column {seen[header]})"
            )
        seen[header] = column
    return headers
