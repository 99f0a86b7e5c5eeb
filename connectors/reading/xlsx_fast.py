"""The fast XLSX route: the first sheet through fastexcel (calamine), rendered with Polars.

:func:`read_xlsx_fast` gives exactly what the openpyxl route (``connectors.reading.xlsx``) gives, or
None, and the caller then takes the openpyxl route. How it stays exact:

* ``connectors.reading.xlsx_package`` first rules out the differences that cell values cannot show
  (which sheet is first, number formats classified differently, text calamine trims or unescapes) and
  gives openpyxl's read-only bounds (the sheet's ``<dimension>``), which calamine's range must respect.
* fastexcel loads the sheet with ``header_row=0, skip_rows=0``, which anchors calamine's range at sheet
  row 1 (calamine's ``HeaderRow::Row(0)``, even when the first rows are empty), so data row ``i`` is
  sheet row ``i + 2``; the first column must be column A (``ColumnInfo.absolute_index`` 0).
* Columns are typed over all their rows under ``dtype_coercion="strict"``, so no cell's type is lost.
  Cells fastexcel could not convert (error cells such as ``#N/A``, text such as ``N/A`` that it counts
  as null in a number or date column) are reported by ``to_arrow_with_errors`` and give None. When a
  column mixes types (numbers and text in "number of workers", say) the strict load raises; the sheet
  is then loaded as text, float, boolean and, where needed, datetime, and each cell's type is told from
  which loads could convert it (``connectors.reading.xlsx_render``), unless a style formats durations.
* Cells are rendered with ``cell_text``'s rules (``connectors.reading.xlsx_render``), which give None
  for the few values the two libraries read differently.
* The header comes from fastexcel's column names, trusted only when each was looked up from a text
  cell that openpyxl renders alike: numbers-as-names whose text ``cell_text`` would not reproduce,
  names fastexcel generated (empty or non-text header cells) or de-duplicated (``name_1``) give None.
* Any shape problem (header checks, a cell beyond the header) gives None, so the openpyxl route
  raises the one MalformedFileError both routes agree on.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from connectors.reading.csv_files import BLANK
from connectors.reading.errors import MalformedFileError
from connectors.reading.json_payload import payload_expr
from connectors.reading.table_shape import RAW_ROWS_SCHEMA, read_header
from connectors.reading.xlsx_package import Package, inspect_package
from connectors.reading.xlsx_render import DATETIME_TEXT, EXACT_INTEGERS, render_mixed, render_typed

_ALIAS = re.compile(r"(.+)_\d+")
Loaded = tuple[pl.DataFrame, list[fastexcel.ColumnInfo], int]


def read_xlsx_fast(path: Path, source_file: str) -> tuple[list[str], pl.DataFrame] | None:
    """(headers, rows) of the first sheet read by calamine, or None when the openpyxl route must read it."""
    package = inspect_package(path)
    if package is None:
        return None
    logging.getLogger("fastexcel.types.dtype").addFilter(_quiet_null_columns)
    loaded = _guarded(lambda: _load(path, package))
    if loaded is None:
        return None
    cells, columns, height = loaded
    if columns[0].absolute_index != 0:
        return None  # column A is empty: openpyxl's header starts with an empty cell
    if (package.max_row is not None and height + 1 > package.max_row) or (
        package.max_column is not None and len(columns) > package.max_column
    ):
        return None  # openpyxl's read-only mode would drop cells outside the sheet's <dimension>
    headers = _headers(columns, source_file)
    rows = _rows(headers, cells) if headers is not None else None
    return None if rows is None or headers is None else (headers, rows)


def _guarded(load: Callable[[], Loaded | None]) -> Loaded | None:
    """Run the loads; None on fastexcel's and Polars' errors (broken files, unconvertible values)."""
    try:
        return load()
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError):
        return None
    except BaseException as error:  # a Rust panic (pyo3's PanicException), e.g. on absurd date serials
        if type(error).__name__ != "PanicException":
            raise
        return None


def _load(path: Path, package: Package) -> Loaded | None:
    """The first sheet rendered as text columns c0, c1, ..., its columns and its data height: typed
    strictly in one load or, when a column mixes types, from up to four loads."""
    reader = fastexcel.read_excel(path)
    if reader.sheet_names[:1] != [package.first_sheet]:
        return None

    def load(**options: Any) -> fastexcel.ExcelSheet:
        return reader.load_sheet(0, header_row=0, skip_rows=0, **options)

    try:
        typed = _cells(load(dtype_coercion="strict", schema_sample_rows=None))
    except fastexcel.UnsupportedColumnTypeCombinationError:  # a column mixes types
        return None if package.has_durations else _load_mixed(load)
    if typed is None:
        return None
    cells, columns, height = typed
    rendered = render_typed(cells, [column.dtype for column in columns])
    return None if rendered is None else (rendered, columns, height)


def _load_mixed(load: Callable[..., fastexcel.ExcelSheet]) -> Loaded | None:
    """Columns that mix types, told apart cell by cell (``connectors.reading.xlsx_render``)."""
    loaded = _cells(load(dtypes="string"))
    if loaded is None:
        return None
    texts, columns, height = loaded
    floats = load(dtypes="float").to_polars()
    booleans = load(dtypes="boolean").to_polars()
    maybe_datetime = [
        index
        for index, name in enumerate(texts.columns)
        if (texts[name].str.contains(DATETIME_TEXT) & floats[name].is_null() & booleans[name].is_null()).any()
    ]
    datetimes = pl.DataFrame([pl.Series(name, [None] * height, pl.Datetime("ms")) for name in texts.columns])
    if maybe_datetime:
        found = load(dtypes="datetime", use_columns=maybe_datetime).to_polars()
        datetimes = datetimes.with_columns(found[name].cast(pl.Datetime("ms")) for name in found.columns)
    rendered = render_mixed(texts, floats, booleans, datetimes)
    return None if rendered is None else (rendered, columns, height)


def _cells(sheet: fastexcel.ExcelSheet) -> Loaded | None:
    """A loaded sheet's cells, columns and data height (the sheet, holding calamine's copy of the
    cells, can go once this returns); None when a cell could not be converted: error cells (#N/A), or
    text such as "N/A" that fastexcel counts as null in a column typed as numbers or dates."""
    batch, cell_errors = sheet.to_arrow_with_errors()
    columns = sheet.selected_columns
    if cell_errors is not None or not columns:
        return None
    return pl.DataFrame(batch), columns, sheet.height


def _quiet_null_columns(record: logging.LogRecord) -> bool:
    """Drop fastexcel's warning that an all-empty column is typed as text (expected here)."""
    return not record.getMessage().startswith("Could not determine dtype for column")


def _headers(columns: list[fastexcel.ColumnInfo], source_file: str) -> list[str] | None:
    """The header from fastexcel's column names when each was looked up from a cell that openpyxl
    renders alike; None otherwise, and when the header breaks a table rule."""
    names = [column.name for column in columns]
    for index, column in enumerate(columns):
        alias = _ALIAS.fullmatch(column.name)
        if column.column_name_from != "looked_up" or (alias and alias.group(1) in names[:index]):
            return None  # a non-text or empty header cell, or a duplicate fastexcel renamed
        if not _renders_alike(column.name):
            return None
    try:
        return read_header(iter([(1, names)]), source_file)
    except MalformedFileError:
        return None


def _renders_alike(name: str) -> bool:
    """False for a name that may be calamine's text of a number which openpyxl writes otherwise."""
    try:
        number = float(name)
    except ValueError:
        return True
    text = str(int(number)) if math.isfinite(number) and number.is_integer() else repr(number)
    return math.isfinite(number) and abs(number) < EXACT_INTEGERS and text == name


def _rows(headers: list[str], cells: pl.DataFrame) -> pl.DataFrame | None:
    """Payload rows (blank rows skipped, sheet row numbers kept); None when a cell lies beyond the header."""
    width = len(headers)
    blank_cells = [pl.col(name).str.contains(BLANK) for name in cells.columns]
    ragged = ~pl.all_horizontal(blank_cells[width:]) if cells.width > width else pl.lit(False)
    rows = cells.with_row_index("source_row", offset=2).select(
        pl.col("source_row").cast(pl.Int64),
        pl.all_horizontal(blank_cells).alias("blank"),
        ragged.alias("ragged"),
        payload_expr(headers, cells.columns[:width]).alias("payload"),
    )
    if rows["ragged"].any():
        return None
    return rows.filter(~pl.col("blank")).select(list(RAW_ROWS_SCHEMA)).cast(dict(RAW_ROWS_SCHEMA))  # type: ignore[arg-type]
