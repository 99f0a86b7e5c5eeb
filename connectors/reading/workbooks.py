"""Read published reference workbooks whose header row is not the first row.

Government and NGO spreadsheets (the DOL List of Goods 2024 Excel, the Global Slavery Index data
workbook) often start with a title, a date line or notes, and may keep the table on a later sheet.
:func:`read_located_table` scans each sheet's first rows for the first row that a known layout's
required columns cover, takes it as the header and returns the rows below it as a
:class:`connectors.reading.files.RawFile`, exactly as received, with real spreadsheet row numbers (so a
quarantined row points at the row a person sees in Excel). CSV files go through
:func:`connectors.reading.files.read_table_file` unchanged (their header must be row 1).

These workbooks stay on openpyxl, cells rendered by the same ``cell_text``: they are small, and the fast
route of ``connectors.reading.xlsx_fast`` reads only sheets whose header is row 1.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from connectors.headers import normalise_header
from connectors.layouts import Layout, reference_layouts
from connectors.reading.file_shapes import missing_columns
from connectors.reading.files import (
    RAW_ROWS_SCHEMA,
    XLSX_SUFFIXES,
    MalformedFileError,
    RawFile,
    read_table_file,
    require_regular_file,
)
from connectors.reading.xlsx import cell_text, sheet_names

MAX_SCAN_ROWS = 30


def read_source_file(
    path: Path | str, source_type: str, encoding: str | None = None, sheet: str | None = None
) -> RawFile:
    """Read one received file as its source type reads it: reference workbooks may carry title rows
    above their header (located by the layouts), every other file has its header on row 1. A CSV is
    read in `encoding` when given; an XLSX from `sheet` when given, else from the first sheet whose
    header row has the source type's required columns and data below it (the first sheet when none
    has)."""
    if source_type.startswith("reference_") and sheet is None:
        return read_located_table(path, reference_layouts(source_type))
    if Path(path).suffix.lower() not in XLSX_SUFFIXES or sheet is not None:
        return read_table_file(path, encoding=encoding, sheet=sheet)
    try:
        first: RawFile | None = read_table_file(path)
    except MalformedFileError as error:
        first, first_error = None, error
    if first is not None and first.rows.height and not missing_columns(first.headers, source_type):
        return first
    names = sheet_names(Path(path), str(path))
    for name in names[1:]:
        try:
            other = read_table_file(path, sheet=name)
        except MalformedFileError:
            continue
        if other.rows.height and not missing_columns(other.headers, source_type):
            return other
    if first is None:
        raise first_error
    return dataclasses.replace(first, sheet=names[0]) if len(names) > 1 else first


def read_located_table(
    path: Path | str, layouts: Mapping[str, Layout], max_scan_rows: int = MAX_SCAN_ROWS
) -> RawFile:
    """Read the first table (any sheet) whose header row fits one of ``layouts``."""
    source_file = str(path)
    if Path(path).suffix.lower() not in XLSX_SUFFIXES:
        return read_table_file(path)
    require_regular_file(path)
    import openpyxl  # ~0.2 s to import: only once an XLSX file is read

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise MalformedFileError(source_file, 1, None, f"not a readable XLSX workbook ({exc})") from exc
    try:
        for sheet in workbook.worksheets:
            rows = _sheet_rows(sheet)
            for row_number, cells in rows:
                if row_number > max_scan_rows:
                    break
                if any(
                    layout.covers({normalise_header(c) for c in cells if c.strip()})
                    for layout in layouts.values()
                ):
                    return _table(source_file, _header(cells, source_file, row_number), rows)
    finally:
        workbook.close()
    known = ", ".join(sorted(layouts))
    raise MalformedFileError(source_file, 1, None, f"no sheet has a header row for any layout ({known})")


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of an openpyxl worksheet."""
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [cell_text(value) for value in values]


def _header(cells: list[str], source_file: str, row_number: int) -> list[str]:
    headers = list(cells)
    while headers and not headers[-1].strip():
        headers.pop()
    seen: dict[str, int] = {}
    for column, header in enumerate(headers, start=1):
        if not header.strip():
            raise MalformedFileError(source_file, row_number, column, "header cell is empty")
        if header in seen:
            raise MalformedFileError(source_file, row_number, column, f"duplicate header {header!r}")
        seen[header] = column
    return headers


def _table(source_file: str, headers: list[str], rows: Iterator[tuple[int, list[str]]]) -> RawFile:
    width, numbers, payloads = len(headers), [], []
    for row_number, cells in rows:
        if all(not cell.strip() for cell in cells):
            continue
        extra = next((i for i, cell in enumerate(cells[width:], start=width + 1) if cell.strip()), None)
        if extra is not None:
            raise MalformedFileError(source_file, row_number, extra, "cell beyond the header's last column")
        padded = (cells + [""] * width)[:width]
        numbers.append(row_number)
        payloads.append(json.dumps(dict(zip(headers, padded, strict=True)), ensure_ascii=False))
    frame = pl.DataFrame({"source_row": numbers, "payload": payloads}, schema=RAW_ROWS_SCHEMA)
    return RawFile(source_file=source_file, headers=headers, rows=frame, encoding="xlsx")
