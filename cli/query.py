"""Read-only access to the warehouse for people: `flrisk query`, facility profiles, brand summaries, exports.

`flrisk query` runs exactly one SELECT. Anything else — INSERT/UPDATE/DELETE, CREATE/DROP/ALTER,
COPY, ATTACH/DETACH, INSTALL/LOAD, SET/USE, PRAGMA, CALL, EXPORT, transactions, or several statements —
is refused before it reaches DuckDB, and the connection itself is opened `read_only` with external
access disabled and its configuration locked, so neither files outside the warehouse nor extensions
can be reached from inside a SELECT either. Connections are short-lived: a reader holds the DuckDB file
only while its query runs. Readers open the reader copy (the warehouse as of the last good run) when
`warehouse.readers` provides one, else the warehouse itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from warehouse.home import warehouse_path
from warehouse.readers import read_connection, reader_database

READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}
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
    """The file readers open: the reader copy of the last good run, else the warehouse itself."""
    return reader_database(database or warehouse_path())


@contextmanager
def read_only_connection(database: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection without external access, retrying briefly while a writer
    in another process holds the file."""
    path = reader_path(database)
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `flrisk demo` or load data first")
    with read_connection(path, LOCK_RETRY_SECONDS, READ_ONLY_CONFIG) as con:
        yield con


def run_query(sql: str, database: Path | None = None) -> pl.DataFrame:
    """The result of one read-only SELECT as a Polars frame (refused with `QueryRefusedError` otherwise)."""
    check_read_only(sql)
    with read_only_connection(database) as con:
        return con.sql(sql).pl()


def fetch(sql: str, parameters: list | dict | None = None, database: Path | None = None) -> pl.DataFrame:
    """Our own parameterised read (values bound, never formatted) on a short-lived connection."""
    with read_only_connection(database) as con:
        return con.sql(sql, params=parameters).pl()
