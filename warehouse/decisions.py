"""Reviewers' decisions (list hits, entity matches): appended to the warehouse and to the reader copy
at once, so `flrisk facility` shows a decision as soon as it is recorded and the next run applies it.
Decision tables are append-only: a later decision on the same item wins, nothing is overwritten."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from warehouse.database import Warehouse
from warehouse.readers import amend_snapshot
from warehouse.sql import create_statement, quoted


def append_decision(warehouse: Warehouse, table_key: str, columns: Sequence[str], row: list) -> None:
    """Append `row` (values of `columns`) to `table_key` in one transaction, then to the reader copy.
    The caller holds the writer lock."""
    warehouse.ensure(table_key)
    with warehouse.transaction() as con:
        _insert(con, table_key, columns, row)
    amend_snapshot(warehouse.path, lambda con: _insert(con, table_key, columns, row, create=True))


def _insert(
    con: duckdb.DuckDBPyConnection, table_key: str, columns: Sequence[str], row: list, create: bool = False
) -> None:
    """Append one decision row; with `create`, first create the table if the database lacks it."""
    schema, table = table_key.split(".")
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()[0][0]
    if create and not present:
        con.execute(create_statement(table_key))
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    con.execute(f"INSERT INTO {quoted(table_key)} ({names}) VALUES ({marks})", row)
