"""Decode a CSV file's bytes and split the text into records with the csv module (the reference).

Encodings, tried in order: UTF-8 with BOM, UTF-16 with BOM, else UTF-8 then cp1252. Line ends CR,
LF or CRLF; RFC 4180 quoting, strictly. Anything unreadable raises MalformedFileError naming the
row and the character position (bytes undecodable: ``undecodable_encoding``; a NUL character:
``binary_content``; broken quoting: ``bad_quoting``).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from connectors.file_errors import MalformedFileError


def decode(data: bytes, source_file: str) -> tuple[str, str]:
    """(text, encoding label) of a CSV file's bytes; label: utf-8 | utf-8-sig | utf-16 | cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    error: UnicodeDecodeError | None = None
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text:
            row, column = position(text, text.index("\x00"))
            raise MalformedFileError(
                source_file,
                row,
                column,
                "NUL character: binary file or UTF-16 without a byte-order mark",
                "binary_content",
            )
        return text, codec
    assert error is not None
    row, column = position(data[: error.start].decode("latin-1"), error.start)
    raise MalformedFileError(
        source_file,
        row,
        column,
        f"cannot decode byte {error.object[error.start]:#04x} as {' or '.join(candidates)}",
        "undecodable_encoding",
    )


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
