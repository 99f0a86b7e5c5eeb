"""Shared helpers for the connector tests: fixture paths, raw frames and file writers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from connectors.reading.files import raw_frame, read_table_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load_raw(path: Path, contributor: str = "Test Contributor", load_id: str = "load-1") -> pl.DataFrame:
    """Read a file and shape it as a raw.<source_type> frame."""
    return raw_frame(read_table_file(path), load_id, contributor)


def csv_text(rows: list[list[str]], line_end: str = "\r\n") -> str:
    """Render rows as CSV text with the given line terminator."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", line_end: str = "\r\n") -> Path:
    """Write rows as a CSV file in the given encoding and line ending."""
    path.write_bytes(csv_text(rows, line_end).encode(encoding))
    return path


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def raw_of() -> Callable[..., pl.DataFrame]:
    return load_raw


@pytest.fixture
def csv_writer() -> Callable[..., Path]:
    return write_csv
