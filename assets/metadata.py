"""Dagster metadata shared by every layer: column schemas of warehouse tables, row counts, timings."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import dagster as dg
import duckdb

from data_contracts import load_contract
from warehouse.sql import SCHEMAS, create_statement


@cache
def column_schema(table_key: str) -> dg.TableSchema:
    """The table's columns: for a contracted table as declared in its contract (the single source of
    truth, with descriptions and the classification as a tag), for a raw table as the warehouse's raw
    layout creates them."""
    if table_key.startswith("raw."):
        return _created_column_schema(table_key)
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column["name"],
                type=column["type"],
                description=column["description"],
                constraints=dg.TableColumnConstraints(nullable=column["nullable"], unique=column["unique"]),
                tags={"classification": column["classification"]},
            )
            for column in load_contract(table_key).column_metadata()
        ]
    )


@cache
def _layouts_database() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB with the warehouse's schemas, where raw layouts are created to be read
    back (one database for all of them: starting a database is the slow part)."""
    con = duckdb.connect(":memory:")
    for schema in SCHEMAS:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    return con


def _created_column_schema(table_key: str) -> dg.TableSchema:
    """Columns of the table the warehouse's own CREATE statement makes, read back from an in-memory
    DuckDB (so a layout declared only as DDL is not declared a second time here)."""
    with _layouts_database().cursor() as con:
        con.execute(create_statement(table_key))
        schema, table = table_key.split(".")
        rows = con.execute(  # duckdb_columns(): a third of the cost of information_schema.columns
            "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name, type=kind, constraints=dg.TableColumnConstraints(nullable=bool(nullable))
            )
            for name, kind, nullable in rows
        ]
    )


def key_of(table_key: str) -> dg.AssetKey:
    """Asset key = warehouse location [schema, table]."""
    return dg.AssetKey(table_key.split("."))


def recorded(record, key: str):
    """The value a materialization record's metadata holds under `key` (None when it holds none)."""
    entry = record.asset_materialization.metadata.get(key)
    return None if entry is None else entry.value


@contextmanager
def timed() -> Iterator[dict]:
    """Measure a block; the dict gets `seconds` when the block ends."""
    started = time.perf_counter()
    figures: dict = {}
    yield figures
    figures["seconds"] = round(time.perf_counter() - started, 3)
