"""The embedded DuckDB warehouse: the only code that opens the database file for writing.

Assets and the CLI read and write whole tables through `Warehouse` (a plain object here; the Dagster
resource in `assets.resources` is the same methods plus the run's writer lock). Every write is one
transaction, so a crash never leaves a half-written table, and published tables are built aside,
checked against their contract and swapped in only when no blocking rule fails (`publish`). Readers
outside runs use `Warehouse.for_readers()`: the reader copy of the last good run (`warehouse.readers`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from data_contracts import load_contract
from data_contracts.change_checks import run_checks_for_keys
from data_contracts.physical_types import quote_identifier
from warehouse.home import warehouse_path
from warehouse.readers import read_connection, reader_database
from warehouse.sql import (
    SCHEMAS,
    conform,
    create_statement,
    describe_failures,
    insert_frame,
    pause_if_requested,
    quoted,
    register_load,
    write_table,
)


class PublishBlockedError(RuntimeError):
    """A published table failed a blocking contract rule; the previous version stays in place."""


class WarehouseTables:
    """Every table operation, for any class that has `database` (a path, empty for the default
    `$FLRISK_HOME/warehouse.duckdb`, resolved at call time) and `read_only` attributes."""

    database: str
    read_only: bool

    @classmethod
    def for_readers(cls, database: str = ""):
        """A read-only handle on the reader copy (the last good run), or on the warehouse if none."""
        live = Path(database) if database else warehouse_path()
        return cls(database=str(reader_database(live)), read_only=True)

    @property
    def path(self) -> Path:
        """The DuckDB file."""
        return Path(self.database) if self.database else warehouse_path()

    def run_connection(self) -> duckdb.DuckDBPyConnection | None:
        """The connection a writing run keeps open from its first step to its last, if any (see
        `assets.resources.WarehouseResource`): opening the file is the costly part of a connection
        (catalog load, and a checkpoint when the last connection closes), so inside a run every
        `connect` is a cursor on it instead."""
        return None

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; schemas exist once a writer has connected. Read-only
        connections retry briefly while another process writes. Inside a writing run: a cursor on
        the run's open connection (its own transaction; the run's code never writes through a
        connection it asked for read-only)."""
        anchor = self.run_connection()
        if anchor is not None:
            cursor = anchor.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
            return
        if read_only or self.read_only:
            with read_connection(self.path) as con:
                yield con
            return
        con = self.open_writer()
        try:
            yield con
        finally:
            con.close()

    def open_writer(self) -> duckdb.DuckDBPyConnection:
        """A new read-write connection to the file, with every schema created."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.path))
        try:
            for schema in SCHEMAS:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        except BaseException:
            con.close()
            raise
        return con

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
            found = con.execute(  # duckdb_tables(): half the cost of information_schema (no views here)
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
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
        frame = conform(table_key, frame)
        with self.transaction() as con:
            write_table(con, table_key, frame)
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
        conformed = {key: conform(key, frame) for key, frame in frames.items()}
        appended = {key: conform(key, frame) for key, frame in (append or {}).items()}
        for key in {*(delete or {}), *appended}:
            self.ensure(key)
        with self.transaction() as con:
            for key, frame in conformed.items():
                write_table(con, key, frame)
            for key, (column, values) in (delete or {}).items():
                con.register("doomed_values", pl.DataFrame({"value": values}, schema={"value": pl.String}))
                where = f"{quote_identifier(column)} IN (SELECT value FROM doomed_values)"
                con.execute(f"DELETE FROM {quoted(key)} WHERE {where}")
                con.unregister("doomed_values")
            for key, frame in appended.items():
                insert_frame(con, key, frame)
                pause_if_requested(key)
        return {key: frame.height for key, frame in (conformed | appended).items()}

    def append_raw(self, table_key: str, rows: pl.DataFrame, load: dict) -> int:
        """Append one file's raw rows and its `raw.loads` entry in one transaction."""
        with self.transaction() as con:
            for key in (table_key, "raw.loads"):
                con.execute(create_statement(key))
            insert_frame(con, table_key, rows)
            register_load(con, load, rows.height)
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
            insert_frame(con, table_key, rows)
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
            register_load(con, load, load["row_count"])
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
            insert_frame(con, candidate, frame)
            results = contract.run_checks(con, candidate)
            blocking = [r for r in results if not r.passed and r.blocking]
            if blocking:
                raise PublishBlockedError(describe_failures(table_key, blocking))
            con.execute(contract.ddl(table_key, or_replace=True))
            con.execute(f"INSERT INTO {quoted(table_key)} SELECT * FROM {quoted(candidate)}")
            con.execute(f"DROP TABLE {quoted(candidate)}")
            pause_if_requested(table_key)
        return results

    def publish_rows(self, frames: dict[str, pl.DataFrame], column: str, values: list[str]) -> list:
        """Replace, in several published tables at once, the rows whose `column` holds one of
        `values` by the rows of their frame (all of which hold one of them), then run each table's
        contract checks on what changed (`data_contracts.change_checks`: row rules on the rows written,
        uniqueness against the whole table, table rules in full). One transaction: a blocking failure
        in any table publishes nothing (`PublishBlockedError`). The tables passed their checks when
        last published, which is what makes checking the change enough."""
        conformed = {key: load_contract(key).conform(frame) for key, frame in frames.items()}
        results = []
        with self.transaction() as con:
            con.register("changed_values", pl.DataFrame({column: values}, schema={column: pl.String}))
            where = f"{quote_identifier(column)} IN (SELECT {quote_identifier(column)} FROM changed_values)"
            for key, frame in conformed.items():
                con.execute(f"DELETE FROM {quoted(key)} WHERE {where}")
                insert_frame(con, key, frame)
                checks = load_contract(key).checks()
                table_results = run_checks_for_keys(checks, con, key, (column,), "changed_values")
                blocking = [r for r in table_results if not r.passed and r.blocking]
                if blocking:
                    raise PublishBlockedError(describe_failures(key, blocking))
                results += table_results
                pause_if_requested(key)
            con.unregister("changed_values")
        return results


@dataclass(frozen=True)
class Warehouse(WarehouseTables):
    """The warehouse outside Dagster (the CLI, reports, benchmarks): `database` empty means
    `$FLRISK_HOME/warehouse.duckdb`. Writers outside a run take the writer lock themselves
    (`warehouse.locking.writer_lock`)."""

    database: str = ""
    read_only: bool = False
