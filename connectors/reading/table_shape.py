"""Turn a table's records into a header and payload rows: the rules every file format shares.

Header = the first record, on row 1, trailing empty cells dropped, no empty or duplicate cell.
Data rows: blank rows are skipped but still counted in the row numbers; short rows are padded with
empty cells; a row with a non-empty cell beyond the header is refused (``ragged_row``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import polars as pl

from connectors.reading.errors import MalformedFileError

RAW_ROWS_SCHEMA = pl.Schema({"source_row": pl.Int64, "payload": pl.String})


def records_to_rows(
    records: Iterable[tuple[int, list[str]]], source_file: str
) -> tuple[list[str], pl.DataFrame]:
    """(headers, rows) from (row number, cells) records, one JSON payload per non-blank row."""
    iterator = iter(records)
    headers = read_header(iterator, source_file)
    width = len(headers)
    source_rows: list[int] = []
    payloads: list[str] = []
    for row_number, record in iterator:
        if all(not cell.strip() for cell in record):
            continue
        source_rows.append(row_number)
        cells = fit_width(record, width, source_file, row_number)
        payloads.append(json.dumps(dict(zip(headers, cells, strict=True)), ensure_ascii=False))
    rows = pl.DataFrame({"source_row": source_rows, "payload": payloads}, schema=RAW_ROWS_SCHEMA)
    return headers, rows


def fit_width(record: list[str], width: int, source_file: str, row_number: int) -> list[str]:
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
                "ragged_row",
            )
    return record[:width]


def read_header(records: Iterator[tuple[int, list[str]]], source_file: str) -> list[str]:
    """Consume and check the header record; raise MalformedFileError when there is no usable one."""
    first = next(records, None)
    if first is None or (
        all(not cell.strip() for cell in first[1])
        and all(not cell.strip() for _, record in records for cell in record)
    ):
        raise MalformedFileError(source_file, 1, 1, "file is empty: no header row", "empty_file")
    row_number, headers = first
    while headers and not headers[-1].strip():
        headers = headers[:-1]
    if row_number != 1 or not headers:
        raise MalformedFileError(source_file, 1, 1, "no header: the first row is blank", "header_missing")
    seen: dict[str, int] = {}
    for column, header in enumerate(headers, start=1):
        if not header.strip():
            raise MalformedFileError(source_file, 1, column, "header cell is empty", "empty_header")
        if header in seen:
            raise MalformedFileError(
                source_file,
                1,
                column,
                f"duplicate header {header!r} (also column {seen[header]})",
                "duplicate_header",
            )
        seen[header] = column
    return headers
