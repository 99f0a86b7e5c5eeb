"""Shared fixtures for the data_contracts tests: an in-memory DuckDB and rows built from the
contracts' own ``examples`` (so every test row is, by construction, what the contract shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl
import pytest

from data_contracts import Contract

SCHEMAS = ("staged", "quarantine", "resolved", "published")

# Where one column's example contradicts another's under a cross-column rule, the base row
# takes this value instead (examples are per column; rules span columns).
EXAMPLE_OVERRIDES: dict[str, dict[str, Any]] = {
    "published.worker_voice_summary": {"suppression_reason": None},
}


def example_row(contract: Contract, **overrides: Any) -> dict[str, Any]:
    """One row of Python values taken from each column's first example."""
    row = {}
    for column in contract.columns:
        value = column.examples[0] if column.examples else None
        if column.physical_type == "DATE" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        elif column.physical_type == "TIMESTAMP" and isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, tuple):
            value = list(value)
        row[column.name] = value
    row.update(EXAMPLE_OVERRIDES.get(contract.qualified_name, {}))
    row.update(overrides)
    return row


def rows_frame(contract: Contract, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a frame with exactly the contract's schema."""
    return pl.DataFrame(rows, schema=contract.polars_schema(), orient="row")


def load_unconstrained(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Create ``name`` from ``frame`` without NOT NULL constraints, so bad rows can be stored."""
    con.register("incoming_rows", frame.to_arrow())
    schema, table = name.split(".")
    con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM incoming_rows')
    con.unregister("incoming_rows")


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    for schema in SCHEMAS:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield connection
    connection.close()


@pytest.fixture
def make_table(con) -> Callable[..., str]:
    """Store rows (example row + per-row overrides) for a contract; returns the table name."""

    def make(contract: Contract, *row_overrides: dict[str, Any], name: str | None = None) -> str:
        rows = [example_row(contract, **overrides) for overrides in row_overrides]
        target = name or contract.qualified_name
        load_unconstrained(con, target, rows_frame(contract, rows))
        return target

    return make


@pytest.fixture
def example() -> Callable[..., dict[str, Any]]:
    """``example(contract, **overrides)``: one contract-shaped row of Python values."""
    return example_row


@pytest.fixture
def to_frame() -> Callable[[Contract, list[dict[str, Any]]], pl.DataFrame]:
    """``to_frame(contract, rows)``: rows as a frame with the contract's schema."""
    return rows_frame
