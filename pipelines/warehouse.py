"""The embedded DuckDB warehouse as a Dagster resource: the only place that opens the database file.

Assets read and write whole tables through it. Table names are validated here (never formatted from
user data); values always travel as bound parameters or Arrow frames. Every write is one transaction,
so a crash never leaves a half-written table, and published tables are built aside, checked against
their contract and swapped in only when no blocking rule fails. A run holds the writer lock from its
first step to its last (`pipelines.locking`); a run that ends without a failed step refreshes the reader
copy that `flrisk query` and reports read (`pipelines.readers`).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from data_contracts import load_contract
from data_contracts.physical_types import quote_identifier
from pipelines import locking
from pipelines.readers import publish_snapshot, read_connection, reader_database
from pipelines.settings import flrisk_home, lock_wait_seconds, warehouse_path

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
RAW_BOOKKEEPING = {"raw.loads": LOADS_TABLE_DDL, "raw.api_checkpoints": CHECKPOINTS_TABLE_DDL}
FAULT_PAUSE_ENV = "FLRISK_FAULT_PAUSE_AFTER_WRITE"


class PublishBlockedError(RuntimeError):
    """A published table failed a blocking contract rule; the previous version stays in place."""


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


class WarehouseResource(dg.ConfigurableResource):
    """DuckDB warehouse at `database` (default `$FLRISK_HOME/warehouse.duckdb`, resolved at run time);
    `read_only` for readers outside runs (see `for_readers`)."""

    database: str = ""
    read_only: bool = False

    @classmethod
    def for_readers(cls, database: str = "") -> WarehouseResource:
        """A read-only resource on the reader copy (the last good run), or on the warehouse if none."""
        live = Path(database) if database else warehouse_path()
        return cls(database=str(reader_database(live)), read_only=True)

    @property
    def path(self) -> Path:
        return Path(self.database) if self.database else warehouse_path()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run takes the writer lock before its first step (it waits, then fails clearly)."""
        if not self.read_only:
            purpose = f"run {context.run_id}" if context.run_id else "a run"
            locking.acquire(self.path, purpose, lock_wait_seconds())

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """After the last step: refresh the reader copy if no step failed, then release the lock."""
        if self.read_only:
            return
        try:
            if self.path.is_file() and not _failed_steps(context):
                publish_snapshot(self.path)
        except (duckdb.Error, OSError) as error:  # readers keep the previous copy; the run's data is safe
            context.log.warning(f"could not refresh the reader copy of {self.path}: {error}")
        finally:
            locking.release(self.path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; schemas exist once a writer has connected. Read-only
        connections retry briefly while another process writes."""
        if read_only or self.read_only:
            with read_connection(self.path) as con:
                yield con
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.path))
        try:
            for schema in SCHEMAS:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed if the block succeeds, else rolled back."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def exists(self, table_key: str) -> bool:
        schema, table = table_key.split(".", 1)
        quoted(table_key)
        with self.connect() as con:
            found = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
        return found[0][0] > 0

    def ensure(self, table_key: str) -> None:
        """Create the table empty if it does not exist (never touches existing rows)."""
        if self.exists(table_key):
            return
        with self.connect() as con:
            con.execute(create_statement(table_key))

    def read(self, table_key: str) -> pl.DataFrame:
        """The whole table as a Polars frame (empty, with the contract's columns, if absent)."""
        if not self.exists(table_key):
            if self.read_only:
                return load_contract(table_key).empty_frame()
            self.ensure(table_key)
        with self.connect() as con:
            return con.sql(f"SELECT * FROM {quoted(table_key)}").pl()

    def row_count(self, table_key: str) -> int:
        """Rows in a table, 0 when it does not exist yet."""
        if not self.exists(table_key):
            return 0
        with self.connect() as con:
            return con.sql(f"SELECT count(*) FROM {quoted(table_key)}").fetchall()[0][0]

    def query(self, sql: str, parameters: list | None = None) -> pl.DataFrame:
        """Run a read query with bound parameters and return a Polars frame."""
        with self.connect() as con:
            return con.sql(sql, params=parameters).pl()

    def replace(self, table_key: str, frame: pl.DataFrame) -> int:
        """Replace a table's contents in one transaction; returns the row count written."""
        frame = _conform(table_key, frame)
        with self.transaction() as con:
            _write(con, table_key, frame)
        return frame.height

    def replace_many(
        self,
        frames: dict[str, pl.DataFrame],
        *,
        delete: dict[str, tuple[str, list[str]]] | None = None,
        append: dict[str, pl.DataFrame] | None = None,
    ) -> dict[str, int]:
        """Replace several tables, then delete rows from and append rows to others, in one transaction:
        all land or none do. `delete` maps a table to (column, values): its rows whose column holds
        one of the values go. Returns the rows written per replaced or appended table."""
        conformed = {key: _conform(key, frame) for key, frame in frames.items()}
        appended = {key: _conform(key, frame) for key, frame in (append or {}).items()}
        for key in {*(delete or {}), *appended}:
            self.ensure(key)
        with self.transaction() as con:
            for key, frame in conformed.items():
                _write(con, key, frame)
            for key, (column, values) in (delete or {}).items():
                con.register("doomed_values", pl.DataFrame({"value": values}, schema={"value": pl.String}))
                where = f"{quote_identifier(column)} IN (SELECT value FROM doomed_values)"
                con.execute(f"DELETE FROM {quoted(key)} WHERE {where}")
                con.unregister("doomed_values")
            for key, frame in appended.items():
                _insert(con, key, frame)
                _pause_if_requested(key)
        return {key: frame.height for key, frame in (conformed | appended).items()}

    def append_raw(self, table_key: str, rows: pl.DataFrame, load: dict) -> int:
        """Append one file's raw rows and its `raw.loads` entry in one transaction."""
        with self.transaction() as con:
            for key in (table_key, "raw.loads"):
                con.execute(create_statement(key))
            _insert(con, table_key, rows)
            _register_load(con, load, rows.height)
        return rows.height

    def read_checkpoint(self, checkpoint_key: str) -> tuple[str, str] | None:
        """(load_id, checkpoint JSON) of an unfinished API pull, or None."""
        if not self.exists("raw.api_checkpoints"):
            return None
        rows = self.query(
            "SELECT load_id, checkpoint FROM raw.api_checkpoints WHERE checkpoint_key = ?", [checkpoint_key]
        )
        return rows.row(0) if rows.height else None

    def append_api_page(
        self, table_key: str, rows: pl.DataFrame, checkpoint_key: str, load_id: str, checkpoint: str
    ) -> None:
        """Append one API page and the checkpoint after it in one transaction (crash-safe resume)."""
        with self.transaction() as con:
            for key in (table_key, "raw.api_checkpoints"):
                con.execute(create_statement(key))
            _insert(con, table_key, rows)
            con.execute("DELETE FROM raw.api_checkpoints WHERE checkpoint_key = ?", [checkpoint_key])
            con.execute(
                "INSERT INTO raw.api_checkpoints VALUES (?, ?, ?, current_timestamp)",
                [checkpoint_key, load_id, checkpoint],
            )

    def complete_api_load(self, checkpoint_key: str, load: dict) -> None:
        """Register a finished pull in raw.loads (only then does staging read it) and drop its checkpoint."""
        with self.transaction() as con:
            for key in ("raw.loads", "raw.api_checkpoints"):
                con.execute(create_statement(key))
            _register_load(con, load, load["row_count"])
            con.execute("DELETE FROM raw.api_checkpoints WHERE checkpoint_key = ?", [checkpoint_key])

    def publish(self, table_key: str, frame: pl.DataFrame) -> list:
        """Build `table_key` aside, run its contract checks, swap it in only if none blocks.

        Returns the check results. On a blocking failure the candidate is dropped, the previous
        version stays published, and `PublishBlockedError` names the rules and sample rows.
        """
        contract = load_contract(table_key)
        frame = contract.conform(frame)
        candidate = f"{table_key}__candidate"
        with self.transaction() as con:
            con.execute(contract.ddl(candidate, or_replace=True, not_null=False))
            _insert(con, candidate, frame)
            results = contract.run_checks(con, candidate)
            blocking = [r for r in results if not r.passed and r.blocking]
            if blocking:
                raise PublishBlockedError(_describe_failures(table_key, blocking))
            con.execute(contract.ddl(table_key, or_replace=True))
            con.execute(f"INSERT INTO {quoted(table_key)} SELECT * FROM {quoted(candidate)}")
            con.execute(f"DROP TABLE {quoted(candidate)}")
            _pause_if_requested(table_key)
        return results


def _failed_steps(context: dg.InitResourceContext) -> int:
    """How many steps of the current run have failed so far (0 outside a run)."""
    if context.instance is None or not context.run_id:
        return 0
    return len(context.instance.all_logs(context.run_id, of_type=dg.DagsterEventType.STEP_FAILURE))


def _pause_if_requested(table_key: str) -> None:
    """Fault injection for the crash tests: with `FLRISK_FAULT_PAUSE_AFTER_WRITE=<table>` the writer
    stops inside the open transaction that wrote that table, and says so in `$FLRISK_HOME`."""
    if os.environ.get(FAULT_PAUSE_ENV) != table_key:
        return
    (flrisk_home() / f"fault-paused-{table_key}").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(3600)


def _register_load(con: duckdb.DuckDBPyConnection, load: dict, row_count: int) -> None:
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


def _conform(table_key: str, frame: pl.DataFrame) -> pl.DataFrame:
    return load_contract(table_key).conform(frame)


def _write(
    con: duckdb.DuckDBPyConnection, table_key: str, frame: pl.DataFrame, source_key: str | None = None
) -> None:
    """Create-or-replace `table_key` with its DDL and insert `frame` (inside the caller's transaction)."""
    con.execute(create_statement(source_key or table_key, table_key, replace=True))
    _insert(con, table_key, frame)
    _pause_if_requested(source_key or table_key)


def _insert(con: duckdb.DuckDBPyConnection, table_key: str, frame: pl.DataFrame) -> None:
    """Append `frame` to an existing table by column name (inside the caller's transaction)."""
    con.register("incoming_frame", frame.to_arrow())
    con.execute(f"INSERT INTO {quoted(table_key)} BY NAME SELECT * FROM incoming_frame")
    con.unregister("incoming_frame")


def _describe_failures(table_key: str, failures: list) -> str:
    lines = [
        f"{table_key}: {len(failures)} blocking contract rule(s) failed; not published, "
        "the previous version stays in place."
    ]
    for failure in failures:
        lines.append(f"- {failure.name}: {failure.message}; sample: {list(failure.sample_rows[:3])}")
    return "\n".join(lines)
