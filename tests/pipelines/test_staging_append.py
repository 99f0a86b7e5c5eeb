"""When staging may append new supplier lists (`assets.staging_append.plan_append`) and when it must
restage everything: a real DuckDB warehouse with raw.loads and quarantine.load_summary as staging
leaves them; the end-to-end equality with a full restage is tests/pipelines/test_fast_loads.py."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from assets.resources import WarehouseResource
from assets.staging import STAGED_SOURCE_TYPES
from assets.staging_append import plan_append
from warehouse.sql import create_statement

EARLIER = [
    # load_id, source_type, source_file, contributor, row_count
    ("oshub_download-aaaa", "oshub_download", "oshub/download.csv", "Open Supply Hub", 900),
    ("supplier_list-bbbb", "supplier_list", "supplier_lists/northwind.csv", "Northwind Apparel", 250),
    ("supplier_list-cccc", "supplier_list", "supplier_lists/casa_verde.csv", "Casa Verde Home", 80),
]


def no_unread(seen: set[str]) -> set[str]:
    return set()


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse staged once from EARLIER (one load_summary row per file)."""
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE SCHEMA quarantine")
        con.execute(create_statement("raw.loads"))
        con.execute(create_statement("quarantine.load_summary"))
        for load in EARLIER:
            _add_load(con, *load)
            con.execute(
                "INSERT INTO quarantine.load_summary VALUES (?, ?, ?, ?, ?, 0, 'staged', NULL, NULL)",
                [load[0], load[1], load[2], load[4], load[4]],
            )
    return WarehouseResource(database=str(database))


def _add_load(con, load_id, source_type, source_file, contributor, rows) -> None:
    con.execute(
        "INSERT INTO raw.loads VALUES (?, ?, ?, ?, 'sha', ?, NULL, ?)",
        [load_id, source_type, source_file, contributor, rows, datetime.now()],
    )


def _receive(warehouse, *load) -> None:
    with duckdb.connect(str(warehouse.database)) as con:
        _add_load(con, *load)


def test_nothing_new_restages_nothing_special(warehouse):
    assert plan_append(warehouse, STAGED_SOURCE_TYPES, set(), no_unread) is None


def test_a_new_list_is_staged_with_its_contributors_earlier_lists(warehouse):
    _receive(
        warehouse, "supplier_list-dddd", "supplier_list", "supplier-list/1234-nw.csv", "Northwind Apparel", 9
    )
    plan = plan_append(warehouse, STAGED_SOURCE_TYPES, set(), no_unread)
    assert plan.new_files == ["supplier-list/1234-nw.csv"]
    assert plan.source_files == ["supplier-list/1234-nw.csv", "supplier_lists/northwind.csv"]
    assert sorted(plan.load_ids) == ["supplier_list-bbbb", "supplier_list-dddd"]


@pytest.mark.parametrize(
    "load",
    [
        # a new file of another kind
        ("social_audit-eeee", "social_audit", "audits/new.csv", "Auditor", 12),
        # a changed list: a new load of a file already staged
        ("supplier_list-ffff", "supplier_list", "supplier_lists/casa_verde.csv", "Casa Verde Home", 81),
        # an Open Supply Hub API pull in the warehouse
        ("oshub_api-gggg", "oshub_api", "api/oshub", "Open Supply Hub", 0),
    ],
)
def test_anything_but_new_lists_restages_everything(warehouse, load):
    _receive(
        warehouse, "supplier_list-dddd", "supplier_list", "supplier-list/1234-nw.csv", "Northwind Apparel", 9
    )
    _receive(warehouse, *load)
    if load[1] == "oshub_api":
        with duckdb.connect(str(warehouse.database)) as con:
            con.execute(create_statement("raw.oshub_api"))
            row = ["oshub_api-gggg", "api/oshub", 1, None, "h", "{}"]
            con.execute("INSERT INTO raw.oshub_api VALUES (?, ?, ?, ?, ?, ?)", row)
    assert plan_append(warehouse, STAGED_SOURCE_TYPES, set(), no_unread) is None


def test_a_removed_file_or_a_newly_unreadable_one_restages_everything(warehouse):
    _receive(
        warehouse, "supplier_list-dddd", "supplier_list", "supplier-list/1234-nw.csv", "Northwind Apparel", 9
    )
    assert plan_append(warehouse, STAGED_SOURCE_TYPES, {"supplier_lists/casa_verde.csv"}, no_unread) is None
    newly_unread = lambda seen: {"supplier_list-unread-0123456789abcdef"}  # noqa: E731
    assert plan_append(warehouse, STAGED_SOURCE_TYPES, set(), newly_unread) is None
