"""Read the first sheet of an XLSX (or XLSM) workbook as header and payload rows, exactly as a user sees it.

Every cell is rendered as the text a General-format cell shows (:func:`cell_text`); data rows keep
their sheet row numbers (header = row 1; blank rows skipped but counted) and the table rules are
``connectors.reading.table_shape``'s. Two routes give identical results:

* the reference route, openpyxl in read-only mode, row by row (:func:`openpyxl_records`);
* the fast route, ``connectors.reading.xlsx_fast`` (fastexcel / calamine, columns rendered with Polars;
  figures in the README's Measured section), taken whenever it can prove it reads the sheet exactly as
  openpyxl does, and otherwise declining so the reference route reads it.

A file openpyxl cannot open raises MalformedFileError (``unreadable_workbook``); table problems (empty
sheet, bad header, a cell beyond the header) raise from the reference route only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from connectors.reading.errors import MalformedFileError
from connectors.reading.table_shape import records_to_rows
from connectors.reading.xlsx_fast import read_xlsx_fast


def read_xlsx(path: Path, source_file: str, sheet: str | None = None) -> tuple[list[str], pl.DataFrame]:
    """(headers, rows) of the workbook's first sheet (or the sheet named): the fast route when it is
    exact and the sheet is the first, else openpyxl."""
    if sheet is None:
        fast = read_xlsx_fast(path, source_file)
        if fast is not None:
            return fast
    return records_to_rows(openpyxl_records(path, source_file, sheet), source_file)


def _open(path: Path, source_file: str):
    import openpyxl  # ~0.2 s to import: only once an XLSX file is read

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise MalformedFileError(
            source_file, 1, None, f"not a readable XLSX workbook ({exc})", "unreadable_workbook"
        ) from exc


def sheet_names(path: Path, source_file: str) -> list[str]:
    """The workbook's worksheet names, in order."""
    workbook = _open(path, source_file)
    try:
        return [worksheet.title for worksheet in workbook.worksheets]
    finally:
        workbook.close()


def openpyxl_records(
    path: Path, source_file: str, sheet: str | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(sheet row number, cell texts) for each row that has cells of the first worksheet, or of the
    sheet named (``unknown_sheet`` when the workbook has none of that name) (openpyxl)."""
    workbook = _open(path, source_file)
    try:
        names = [worksheet.title for worksheet in workbook.worksheets]
        if sheet is not None and sheet not in names:
            raise MalformedFileError(
                source_file,
                1,
                None,
                f"no sheet named {sheet!r}; the workbook's sheets: {', '.join(names)}",
                "unknown_sheet",
            )
        worksheet = workbook.worksheets[names.index(sheet) if sheet is not None else 0]
        for row in worksheet.iter_rows():
            cells = [cell for cell in row if getattr(cell, "row", None) is not None]
            if cells:
                yield cells[0].row, [cell_text(cell.value) for cell in row]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
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
