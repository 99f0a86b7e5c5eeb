"""The SQL the warehouse runs: table-name validation, DDL, and the writes done inside a transaction.

Table names are validated here (never formatted from user data); values always travel as bound
parameters or Arrow frames. Every function that takes a connection runs inside the caller's
transaction, so a crash never leaves half of a write behind.
"""

from __future__ import annotations

import os
import re
import time

import duckdb
import polars as pl

from data_contracts import load_contract
from warehouse.home import flrisk_home

SCHEMAS = ("raw", "staged", "resolved", "published", "quarantine")
_TABLE_KEY = re.compile(r"^(raw|staged|resolved|published|quarantine)\.([a-z][a-z0-9_]*)$")
RAW_TABLE_DDL = """(
    load_id VARCHAR NOT NULL, source_file VARCHAR NOT NULL, source_row BIGINT NOT NULL,
    contributor VARCHAR, content_hash VARCHAR NOT NULL, payload VARCHAR NOT NULL)"""
LOADS_TABLE_DDL = """(
    load_id VARCHAR NOT NULL, source_type VARCHAR NOT NULL, source_file VARCHAR NOT NULL,
    contributor VARCHAR, file_sha256 VARCHAR NOT NULL, row_count BIGINT NOT NULL,
    received_at DATE, loaded_at TIMESTAMP NOT NULL)"""
CHECKPOINTS_TABLE_DDL = """(
    checkpoint_key VARCHAR NOT NULL, load_id VARCHAR NOT NULL, checkpoint VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL)"""
HELD_PULLS_TABLE_DDL = """(
    load_id VARCHAR NOT NULL, source_type VARCHAR NOT NULL, source_file VARCHAR NOT NULL,
    contributor VARCHAR, row_count BIGINT NOT NULL, received_at DATE, previous_count BIGINT NOT NULL,
    removed_count BIGINT NOT NULL, removed_share DOUBLE NOT NULL, reason VARCHAR NOT NULL,
    held_at TIMESTAMP NOT NULL)"""
PULL_NOTES_TABLE_DDL = """(
    pull_key VARCHAR NOT NULL, load_id VARCHAR, kind VARCHAR NOT NULL, records BIGINT NOT NULL,
    message VARCHAR NOT NULL, noted_at TIMESTAMP NOT NULL)"""
VERSIONS_TABLE_DDL = "(version INTEGER NOT NULL, migrated_at TIMESTAMP NOT NULL, changes VARCHAR)"
RAW_BOOKKEEPING = {
    "raw.schema_versions": VERSIONS_TABLE_DDL,
    "raw.loads": LOADS_TABLE_DDL,
    "raw.api_checkpoints": CHECKPOINTS_TABLE_DDL,
    "raw.api_pulls_held": HELD_PULLS_TABLE_DDL,
    "raw.api_pull_notes": PULL_NOTES_TABLE_DDL,
}
FAULT_PAUSE_ENV = "FLRISK_FAULT_PAUSE_AFTER_WRITE"


def quoted(table_key: str) -> str:
    """Validate `schema.table` and return it as a quoted DuckDB identifier."""
    match = _TABLE_KEY.match(table_key)
    if not match:
        raise ValueError(f"not a warehouse table: {table_key!r} (expected <schema>.<table>)")
    return f'"{match.group(1)}"."{match.group(2)}"'


def create_statement(table_key: str, target: str | None = None, *, replace: bool = False) -> str:
    """CREATE TABLE for `table_key` at `target`: the raw layout for raw.*, else from its contract."""
    target = target or table_key
    if table_key.startswith("raw."):
        body = RAW_BOOKKEEPING.get(table_key, RAW_TABLE_DDL)
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        return f"{verb} {quoted(target)} {body}"
    return load_contract(table_key).ddl(target, or_replace=replace)


def pause_if_requested(table_key: str) -> None:
    """Fault injection for the crash tests: with `FLRISK_FAULT_PAUSE_AFTER_WRITE=<table>` the writer
    stops inside the open transaction that wrote that table, and says so in `$FLRISK_HOME`."""
    if os.environ.get(FAULT_PAUSE_ENV) != table_key:
        return
    (flrisk_home() / f"fault-paused-{table_key}").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(3600)


def register_load(con: duckdb.DuckDBPyConnection, load: dict, row_count: int) -> None:
    """One raw.loads row (inside the caller's transaction)."""
    con.execute(
        "INSERT INTO raw.loads VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
        [
            load["load_id"],
            load["source_type"],
            load["source_file"],
            load["contributor"],
            load["file_sha256"],
            row_count,
            load["received_at"],
        ],
    )


def conform(table_key: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with exactly the columns and types of the table's contract."""
    return load_contract(table_key).conform(frame)


def write_table(
    con: duckdb.DuckDBPyConnection, table_key: str, frame: pl.DataFrame, source_key: str | None = None
) -> None:
    """Create-or-replace `table_key` with its DDL and insert `frame` (inside the caller's transaction)."""
    con.execute(create_statement(source_key or table_key, table_key, replace=True))
    insert_frame(con, table_key, frame)
    pause_if_requested(source_key or table_key)


def insert_frame(con: duckdb.DuckDBPyConnection, table_key: str, frame: pl.DataFrame) -> None:
    """Append `frame` to an existing table by column name (inside the caller's transaction)."""
    con.register("incoming_frame", frame.to_arrow())
    con.execute(f"INSERT INTO {quoted(table_key)} BY NAME SELECT * FROM incoming_frame")
    con.unregister("incoming_frame")


def describe_failures(table_key: str, failures: list) -> str:
    """One message naming every blocking rule that failed, with sample rows."""
    lines = [
        f"{table_key}: {len(failures)} blocking contract rule(s) failed; not published, "
        "the previous version stays in place."
    ]
    for failure in failures:
        lines.append(f"- {failure.name}: {failure.message}; sample: {list(failure.sample_rows[:3])}")
    return "\n".join(lines)
