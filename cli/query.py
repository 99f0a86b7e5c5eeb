"""Read-only access to the warehouse for people: `flrisk query`, facility profiles, brand summaries, exports.

`flrisk query` runs exactly one SELECT. Anything else — INSERT/UPDATE/DELETE, CREATE/DROP/ALTER,
COPY, ATTACH/DETACH, INSTALL/LOAD, SET/USE, PRAGMA, CALL, EXPORT, transactions, or several statements —
is refused before it reaches DuckDB, and the connection itself is opened `read_only` with external
access disabled and its configuration locked, so neither files outside the warehouse nor extensions
can be reached from inside a SELECT either. Connections are short-lived: a reader holds the DuckDB file
only while its query runs. Readers open the reader copy (the warehouse as of the last good run) when
`warehouse.readers` provides one, else the warehouse itself (under the writer lock).

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
from warehouse.readers import read_connection, reader_database

READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}
DEFAULT_ROW_LIMIT = 10_000
DEFAULT_MEMORY_LIMIT = "1GB"
ROW_LIMIT_ENV = "FLRISK_QUERY_ROW_LIMIT"
MEMORY_LIMIT_ENV = "FLRISK_QUERY_MEMORY_LIMIT"
ALLOWED = {duckdb.StatementType.SELECT}
LOCK_RETRY_SECONDS = 30.0


class QueryRefusedError(ValueError):
    """The SQL is not a single read-only SELECT."""


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


def reader_path(database: Path | None = None) -> Path:
    """The file readers open: the reader copy when there is one, else the warehouse."""
    return reader_database(database or warehouse_path())


def query_limits(row_limit: int | None = None, memory_limit: str | None = None) -> tuple[int, str]:
    """The row and memory limits of `flrisk query`: given, else from the environment, else defaults."""
    rows = row_limit if row_limit is not None else int(os.environ.get(ROW_LIMIT_ENV) or DEFAULT_ROW_LIMIT)
    memory = memory_limit or os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    if rows < 1:
        raise QueryRefusedError(f"the row limit must be at least 1, not {rows}")
    return rows, memory


@contextmanager
def read_only_connection(
    database: Path | None = None, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection without external access to the reader copy, or (before the
    first good run) to the warehouse under its writer lock, so a reader never makes a run fail."""
    path = reader_path(database)
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `flrisk demo` or load data first")
    config = dict(READ_ONLY_CONFIG)
    if memory_limit:
        config |= {"memory_limit": memory_limit, "temp_directory": ""}
    with read_connection(path, LOCK_RETRY_SECONDS, config=config) as con:
        require_current(con, path)
        yield con


def run_query(
    sql: str, database: Path | None = None, row_limit: int | None = None, memory_limit: str | None = None
) -> pl.DataFrame:
    """The result of one read-only SELECT as a Polars frame, at most the row limit plus one row (so
    the caller can tell it was cut); `QueryRefusedError` for anything but one SELECT."""
    check_read_only(sql)
    rows, memory = query_limits(row_limit, memory_limit)
    with read_only_connection(database, memory) as con:
        return con.sql(sql).limit(rows + 1).pl()


def fetch(sql: str, parameters: list | dict | None = None, database: Path | None = None) -> pl.DataFrame:
    """Our own parameterised read (values bound, never formatted) on a short-lived connection."""
    with read_only_connection(database) as con:
        return con.sql(sql, params=parameters).pl()
