"""Read-only access to the warehouse for people: `flrisk query`, facility profiles, brand summaries, exports.

`flrisk query` runs exactly one SELECT. Anything else — INSERT/UPDATE/DELETE, CREATE/DROP/ALTER,
COPY, ATTACH/DETACH, INSTALL/LOAD, SET/USE, PRAGMA, CALL, EXPORT, transactions, or several statements —
is refused before it reaches DuckDB, and the connection itself is opened `read_only` with external
access disabled and its configuration locked, so neither files outside the warehouse nor extensions
can be reached from inside a SELECT either. Connections are short-lived: a reader holds the DuckDB file
only while its query runs. Readers open the reader copy (the warehouse as of the last good run) when
`warehouse.readers` provides one, else the warehouse itself (under the writer lock).

Audiences (issue 17): by default a reader is a sourcing user and reads only the reader copy, which
holds the published tables and the resolved tables sourcing needs (never raw, staged or quarantined
rows). Before the first good run there is no copy: a sourcing reader then reads the warehouse only if it
holds nothing a reader may not see, else is told to run the pipeline. `--as engineer` reads the
warehouse itself, raw and staged included (worker-voice raw rows stay sealed, see
docs/privacy-and-sharing.md).

A query can never take the machine down: it returns at most a row limit (10,000 unless
`--limit`/`FLRISK_QUERY_ROW_LIMIT` say otherwise; fetched lazily, so a cross join stops early) and runs
under a DuckDB `memory_limit` (1GB unless `--memory-limit`/`FLRISK_QUERY_MEMORY_LIMIT`) with spilling
to disk turned off, so a query that needs more fails with a message instead of filling memory or disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from warehouse.home import warehouse_path
from warehouse.migrations import require_current
from warehouse.readers import is_snapshot, read_connection, reader_database, reader_tables

READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}
DEFAULT_ROW_LIMIT = 10_000
DEFAULT_MEMORY_LIMIT = "1GB"
ROW_LIMIT_ENV = "FLRISK_QUERY_ROW_LIMIT"
MEMORY_LIMIT_ENV = "FLRISK_QUERY_MEMORY_LIMIT"
ALLOWED = {duckdb.StatementType.SELECT}
LOCK_RETRY_SECONDS = 30.0
SOURCING, ENGINEER = "sourcing", "engineer"
ROLES = (SOURCING, ENGINEER)
PRESENT_TABLES = "SELECT table_schema || '.' || table_name FROM information_schema.tables"


class QueryRefusedError(ValueError):
    """The SQL is not a single read-only SELECT."""


class AudienceError(PermissionError):
    """A sourcing reader asked for what only an engineer may read."""


def check_read_only(sql: str) -> None:
    """Raise `QueryRefusedError` unless `sql` is exactly one SELECT statement."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryRefusedError(f"cannot parse the query: {error}") from error
    if len(statements) != 1:
        raise QueryRefusedError(f"one statement at a time, got {len(statements)}")
    kind = statements[0].type
    if kind not in ALLOWED:
        name = kind.name if hasattr(kind, "name") else str(kind)
        raise QueryRefusedError(
            f"{name} statements are refused: the warehouse is read-only here (SELECT only)"
        )


def reader_path(database: Path | None = None, role: str = SOURCING) -> Path:
    """The file `role` opens: for sourcing the reader copy when there is one, else the warehouse; for
    an engineer the warehouse itself."""
    if role not in ROLES:
        raise AudienceError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    live = database or warehouse_path()
    return live if role == ENGINEER else reader_database(live)


def _check_audience(con: duckdb.DuckDBPyConnection, path: Path, role: str) -> None:
    """Refuse a sourcing reader a live warehouse that holds tables readers may not see."""
    if role == ENGINEER or is_snapshot(path):
        return
    present = {row[0] for row in con.execute(PRESENT_TABLES).fetchall()}
    if present - set(reader_tables(present)):
        raise AudienceError(
            f"no reader copy of {path} yet, and the warehouse holds raw and staged data that only an "
            "engineer may read: run `flrisk refresh` (it builds the reader copy), or add `--as engineer`"
        )


def query_limits(row_limit: int | None = None, memory_limit: str | None = None) -> tuple[int, str]:
    """The row and memory limits of `flrisk query`: given, else from the environment, else defaults."""
    rows = row_limit if row_limit is not None else int(os.environ.get(ROW_LIMIT_ENV) or DEFAULT_ROW_LIMIT)
    memory = memory_limit or os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    if rows < 1:
        raise QueryRefusedError(f"the row limit must be at least 1, not {rows}")
    return rows, memory


@contextmanager
def read_only_connection(
    database: Path | None = None, memory_limit: str | None = None, role: str = SOURCING
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection without external access to the reader copy, or (before the
    first good run, or for an engineer) to the warehouse under its writer lock, so a reader never makes
    a run fail; `AudienceError` when a sourcing reader would see raw or staged tables."""
    path = reader_path(database, role)
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `flrisk demo` or load data first")
    config = dict(READ_ONLY_CONFIG)
    if memory_limit:
        config |= {"memory_limit": memory_limit, "temp_directory": ""}
    with read_connection(path, LOCK_RETRY_SECONDS, config=config) as con:
        require_current(con, path)
        _check_audience(con, path, role)
        yield con


def run_query(
    sql: str,
    database: Path | None = None,
    row_limit: int | None = None,
    memory_limit: str | None = None,
    role: str = SOURCING,
) -> pl.DataFrame:
    """The result of one read-only SELECT as a Polars frame, at most the row limit plus one row (so
    the caller can tell it was cut); `QueryRefusedError` for anything but one SELECT."""
    check_read_only(sql)
    rows, memory = query_limits(row_limit, memory_limit)
    with read_only_connection(database, memory, role) as con:
        return con.sql(sql).limit(rows + 1).pl()


def fetch(
    sql: str, parameters: list | dict | None = None, database: Path | None = None, role: str = SOURCING
) -> pl.DataFrame:
    """Our own parameterised read (values bound, never formatted) on a short-lived connection; our
    sourcing queries touch only reader tables, so they may read a live warehouse before its first
    reader copy."""
    with own_reads(database, role) as con:
        return con.sql(sql, params=parameters).pl()


@contextmanager
def own_reads(database: Path | None = None, role: str = SOURCING) -> Iterator[duckdb.DuckDBPyConnection]:
    """The connection `fetch` reads through, for several of our own reads on one connection."""
    path = reader_path(database, role)
    if role == SOURCING and not is_snapshot(path):
        role = ENGINEER  # our own SQL, reader tables only: the audience check is for users' SQL
    with read_only_connection(database, role=role) as con:
        yield con
