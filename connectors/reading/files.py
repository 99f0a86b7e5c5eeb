"""Read supplier-style table files (CSV or XLSX) into raw rows, exactly as received.

A :class:`RawFile` keeps every data row as a JSON object ``original header -> original cell
text`` with its spreadsheet row number (header = row 1, first data row = row 2; blank rows are
skipped but still counted). CSV: UTF-8, UTF-8 with BOM, UTF-16 with BOM, else cp1252; CR, LF or
CRLF line ends; RFC 4180 quoting. Regular CSV files (the usual case) are split by Polars
(``connectors.reading.csv_files``), anything else by the csv module; both give identical rows. XLSX: first
sheet, cells rendered as text (integral numbers without ".0", dates as ISO), read by
``connectors.reading.xlsx`` (calamine when that is provably exact, else openpyxl). Anything malformed
raises MalformedFileError with a file-level reason code.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from connectors.ids import sha256_hex
from connectors.reading.csv_files import csv_records, decode, read_regular_csv
from connectors.reading.errors import MalformedFileError
from connectors.reading.table_shape import RAW_ROWS_SCHEMA, records_to_rows
from connectors.reading.xlsx import read_xlsx

__all__ = [
    "CSV_SUFFIXES",
    "RAW_ROWS_SCHEMA",
    "XLSX_SUFFIXES",
    "MalformedFileError",
    "RawFile",
    "raw_frame",
    "read_table_file",
]

CSV_SUFFIXES = frozenset({".csv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True)
class RawFile:
    """A table file as received: headers in file order and one payload per non-blank data row."""

    source_file: str
    headers: list[str]
    rows: pl.DataFrame  # source_row Int64, payload String (JSON object header -> cell text)
    encoding: str = ""  # utf-8 | utf-8-sig | utf-16 | cp1252 | gbk | big5 | ... | xlsx
    sheet: str = ""  # the worksheet read ("" = the first, or a CSV file)


def require_regular_file(path: Path | str) -> None:
    """Refuse anything but a regular file (after following symlinks) before opening it: a device such
    as /dev/zero would be read forever and a FIFO would block."""
    mode = os.stat(path).st_mode  # FileNotFoundError for a missing file, as opening would raise
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a device, pipe or socket"
        raise MalformedFileError(
            str(path), 1, None, f"not a regular file ({kind}); refusing to read it", "not_a_regular_file"
        )


def read_table_file(path: Path | str, encoding: str | None = None, sheet: str | None = None) -> RawFile:
    """Read a CSV (in `encoding` when given, else detected) or XLSX (the first sheet, or `sheet`) file;
    raise MalformedFileError when it is not a table."""
    source_file = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in XLSX_SUFFIXES and suffix not in CSV_SUFFIXES:
        raise MalformedFileError(
            source_file,
            1,
            None,
            f"unsupported file type {suffix!r} (expected CSV or XLSX)",
            "unsupported_file_type",
        )
    require_regular_file(path)
    if suffix in XLSX_SUFFIXES:
        headers, rows = read_xlsx(Path(path), source_file, sheet)
        return RawFile(source_file, headers, rows, encoding="xlsx", sheet=sheet or "")
    if sheet is not None:
        raise MalformedFileError(
            source_file, 1, None, "--sheet applies to XLSX workbooks only", "unknown_sheet"
        )
    headers, rows, encoding = _read_csv(Path(path).read_bytes(), source_file, encoding)
    return RawFile(source_file=source_file, headers=headers, rows=rows, encoding=encoding)


def _read_csv(
    data: bytes, source_file: str, declared: str | None = None
) -> tuple[list[str], pl.DataFrame, str]:
    """Split with Polars when the text is regular, else decode and split with the csv module."""
    try:
        plain = declared is None or codecs.lookup(declared).name == "utf-8"
    except LookupError:
        plain = False  # an unknown encoding name: decode() says so
    if plain and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        regular = read_regular_csv(data, source_file)  # None unless valid, regular UTF-8
        if regular is not None:
            return *regular, "utf-8"
    text, encoding = decode(data, source_file, declared)
    if encoding != "utf-8":
        regular = read_regular_csv(text.encode("utf-8"), source_file)
        if regular is not None:
            return *regular, encoding
    return *records_to_rows(csv_records(text, source_file), source_file), encoding


def raw_frame(raw_file: RawFile, load_id: str, contributor: str | None) -> pl.DataFrame:
    """Shape a RawFile as a raw.<source_type> frame (content_hash = sha256 of the payload)."""
    return raw_file.rows.select(
        pl.lit(load_id, pl.String).alias("load_id"),
        pl.lit(raw_file.source_file, pl.String).alias("source_file"),
        pl.col("source_row").cast(pl.Int64),
        pl.lit(contributor, pl.String).alias("contributor"),
        pl.lit(sha256_hex(raw_file.rows["payload"])).alias("content_hash"),
        pl.col("payload").cast(pl.String),
    )
