"""Polars schemas of the raw, staged and quarantine tables the connectors read and write.

Staged and quarantine schemas are derived from their data contracts (the single source of truth);
the raw layout is the connectors' own and is declared here.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from data_contracts import load_contract

STRING, INT, FLOAT, BOOL, DATE = pl.String, pl.Int64, pl.Float64, pl.Boolean, pl.Date
STRINGS = pl.List(pl.String)

RAW_SCHEMA = pl.Schema(
    {
        "load_id": STRING,
        "source_file": STRING,
        "source_row": INT,
        "contributor": STRING,
        "content_hash": STRING,
        "payload": STRING,
    }
)

STAGED_TABLES = (
    "facility_records",
    "audit_findings",
    "worker_voice_grievances",
    "worker_voice_surveys",
    "reference_dol_goods",
    "reference_entity_lists",
)
STAGED_SCHEMAS: dict[str, pl.Schema] = {
    table: load_contract(f"staged.{table}").polars_schema() for table in STAGED_TABLES
}
REJECTED_SCHEMA = load_contract("quarantine.rejected_rows").polars_schema()


def frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    """Build a staged table from row dicts with exactly the table's columns and dtypes."""
    schema = STAGED_SCHEMAS[table]
    columns = {name: _series(name, [row[name] for row in rows], dtype) for name, dtype in schema.items()}
    return pl.DataFrame(columns, schema=schema)


def _series(name: str, values: list[object], dtype: pl.DataType) -> pl.Series:
    """A typed column (lists of strings: see `string_lists`)."""
    if dtype == STRINGS:
        return string_lists(name, values)
    return pl.Series(name, values, dtype=dtype)


# Below this many rows a list column is built by Polars itself: Polars builds list columns row by row
# (~6 µs a row), Arrow in bulk, but pyarrow's first array imports pandas (~0.4 s), which a small load
# otherwise never needs. Both routes give the same column.
ARROW_LIST_ROWS = 20_000


def string_lists(name: str, values: list[list[str] | None]) -> pl.Series:
    """A List(String) column of Python lists (None stays null), built the faster way for its size."""
    if len(values) < ARROW_LIST_ROWS:
        return pl.Series(name, values, dtype=STRINGS)
    array = pa.array(values, type=pa.list_(pa.large_string()))
    return pl.Series(name, array).cast(STRINGS)
