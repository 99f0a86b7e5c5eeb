"""Dagster metadata shared by every layer: column schemas from contracts, row counts, timings."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from data_contracts import load_contract


def column_schema(table_key: str) -> dg.TableSchema:
    """The table's columns as declared in its contract (the single source of truth)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=col["name"], type=col["type"], description=col.get("description"))
            for col in load_contract(table_key).column_metadata()
        ]
    )


def asset_spec_metadata(table_key: str) -> dict:
    """Static metadata for an asset definition: column schema and the contract version."""
    contract = load_contract(table_key)
    return {"dagster/column_schema": column_schema(table_key), "contract_version": contract.version}


def key_of(table_key: str) -> dg.AssetKey:
    """Asset key = warehouse location [schema, table]."""
    return dg.AssetKey(table_key.split("."))


@contextmanager
def timed() -> Iterator[dict]:
    """Measure a block; the dict gets `seconds` when the block ends."""
    started = time.perf_counter()
    figures: dict = {}
    yield figures
    figures["seconds"] = round(time.perf_counter() - started, 3)
