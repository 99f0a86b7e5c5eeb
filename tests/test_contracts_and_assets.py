"""Code and contracts agree: every contract has its Dagster asset, every contracted-layer asset has
its contract, and the DDL the loader derives creates exactly the contract's columns."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from assets.resources import WarehouseResource
from data_contracts import all_contracts
from data_contracts.loader import SCHEMAS
from pipelines.definitions import defs

CONTRACTS = all_contracts()
ASSET_KEYS = {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
CONTRACT_KEYS = {(c.schema_name, c.table_name) for c in CONTRACTS}
EXEMPT_SCHEMAS = {"raw", "quality", "postgres"}  # postgres: the published tables copied to PostgreSQL


def test_every_contract_has_an_asset() -> None:
    missing = sorted(".".join(k) for k in CONTRACT_KEYS - ASSET_KEYS)
    assert not missing, f"contracts without a Dagster asset [schema, table]: {missing}"


def test_every_contracted_layer_asset_has_a_contract() -> None:
    contracted_layer = {k for k in ASSET_KEYS if k[0] in SCHEMAS}
    missing = sorted(".".join(k) for k in contracted_layer - CONTRACT_KEYS)
    assert not missing, f"assets without a contract: {missing}"


def test_every_asset_schema_is_known() -> None:
    """A new layer must be added to the contracted SCHEMAS or explicitly exempted here."""
    unknown = sorted({k[0] for k in ASSET_KEYS} - set(SCHEMAS) - EXEMPT_SCHEMAS)
    assert not unknown, f"asset key schemas neither contracted nor exempt: {unknown}"
    assert all(len(k) == 2 for k in ASSET_KEYS), "asset keys are [schema, table]"


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty warehouse whose tables the pipeline's own resource created from the contracts."""
    warehouse = WarehouseResource(database=str(tmp_path_factory.mktemp("wh") / "warehouse.duckdb"))
    for contract in CONTRACTS:
        warehouse.ensure(contract.qualified_name)
    with warehouse.connect(read_only=True) as con:
        yield con


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.qualified_name)
def test_warehouse_table_columns_equal_contract_columns(tiny_warehouse, contract) -> None:
    rows = tiny_warehouse.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [contract.schema_name, contract.table_name],
    ).fetchall()
    assert [r[0] for r in rows] == list(contract.column_names)
    assert [r[1] for r in rows] == [c.physical_type for c in contract.columns]
    assert [r[2] == "NO" for r in rows] == [c.required for c in contract.columns]
