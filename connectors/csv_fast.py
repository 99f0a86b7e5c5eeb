"""Read a "regular" CSV file with Polars' parser, giving exactly what the csv-module path gives.

Regular: valid UTF-8 without NUL, LF or CRLF line ends (no lone CR), and every physical line is a
complete record whose cells are either unquoted without any quote character or fully quoted with
doubled inner quotes, so no quoted cell spans lines; no row has a non-blank cell beyond the header
and no row has more cells than the header line. For such text the csv module and Polars split
records identically and record number = line number. Anything else gives None and the caller uses
the csv module (``connectors.csv_text``), which also produces the exact error for broken files.
Header problems raise here exactly as there (the header is checked by the same function).
"""

from __future__ import annotations

import csv

import polars as pl

from connectors.json_payload import payload_expr
from connectors.table_shape import RAW_ROWS_SCHEMA, read_header

_CELL = r'(?:"(?:[^"]|"")*"|[^",]*)'
REGULAR_LINE = rf"^{_CELL}(?:,{_CELL})*$"
BLANK = r"^[\s\x1c-\x1f]*$"  # exactly the characters Python's str.strip() removes
_MAY_ESCAPE = r'[\x00-\x1f\\]|""'  # a cell can only hold a quote as "" inside a quoted cell
_READ_OPTIONS = {"has_header": False, "infer_schema": False, "empty_string_is_null": False}


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
