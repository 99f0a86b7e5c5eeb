"""Reader tables kept as parts, through the real commands (issue 19, warehouse/reader_parts.py): with
`FLRISK_READER_PART_ROWS` low, the demo's larger reader tables live in part files; `flrisk load` of a
list of a new contributor (staging appends it) adds a small part to the facility mentions instead of
writing them again, keeps the part files of tables whose rows did not change, and `flrisk query` and
`flrisk facility` see the new rows as the warehouse holds them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.pipelines.operations_support import copy_home, run_flrisk
from tests.pipelines.test_fast_loads import northwind_update
from warehouse.reader_parts import PART_MIN_ROWS_ENV, parts_folder, read_parts
from warehouse.readers import read_connection, reader_tables

PARTS = {PART_MIN_ROWS_ENV: "50"}  # every demo reader table of 50 rows or more goes into parts


def part_files(home: Path) -> dict[str, int]:
    """Part file name -> inode (a part written again is a new file)."""
    return {
        path.name: path.stat().st_ino for path in parts_folder(home / "warehouse.snapshot.duckdb").iterdir()
    }


def of_table(files: dict[str, int], table: str) -> set[str]:
    return {name for name in files if name.startswith(table.replace(".", "-") + "-")}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A demo home whose reader copy was built in parts, then given a new list by `flrisk load`."""
    root = tmp_path_factory.mktemp("reader_parts")
    home = copy_home(root / "home")
    refreshed = run_flrisk(home, "refresh", **PARTS)
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    before = part_files(home)
    listed = root / "northwind_update.csv"
    northwind_update(listed)
    result = run_flrisk(home, "load", "supplier-list", str(listed), "--contributor", "Parts Brand", **PARTS)
    assert result.returncode == 0, result.stdout + result.stderr
    return home, before, part_files(home)


def test_the_load_appends_a_part_to_the_mentions_and_keeps_unchanged_parts(loaded):
    home, before, after = loaded
    mentions = "resolved.facility_mentions"
    assert of_table(before, mentions) and of_table(before, mentions) < of_table(after, mentions)
    assert all(after[name] == before[name] for name in of_table(before, mentions))  # not written again
    kept = {name for name in before if after.get(name) == before[name]}
    assert len(kept) > len(of_table(before, mentions))  # other tables' parts kept too
    with duckdb.connect(str(home / "warehouse.snapshot.duckdb"), read_only=True) as con:
        named = {Path(part.file).name for part in read_parts(con)}
    assert named == set(after)  # no file left that the reader copy does not name


def test_readers_see_exactly_the_warehouse_rows(loaded):
    home = loaded[0]
    live = home / "warehouse.duckdb"
    with duckdb.connect(str(live), read_only=True) as con:
        present = {
            row[0]
            for row in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
        }
        expected = {
            table: con.execute(f"SELECT count(*), sum(hash(t)) FROM {table} t").fetchall()
            for table in reader_tables(present)
        }
        expected["resolved.facility_mentions"] = con.execute(
            "SELECT count(*), sum(hash(t)) FROM staged.facility_records t "
            "WHERE source_type NOT LIKE 'worker_voice%'"
        ).fetchall()
    with read_connection(home / "warehouse.snapshot.duckdb") as con:
        for table, found in expected.items():
            assert con.execute(f"SELECT count(*), sum(hash(t)) FROM {table} t").fetchall() == found, table


def test_query_and_facility_read_the_new_rows(loaded):
    home = loaded[0]
    counted = run_flrisk(
        home,
        "query",
        "SELECT count(*) AS n FROM resolved.facility_mentions WHERE name = 'Song Lam Sewing Cooperative'",
        **PARTS,
    )
    assert counted.returncode == 0, counted.stdout + counted.stderr
    assert "1" in counted.stdout.split()
    found = run_flrisk(home, "facility", "Song Lam Sewing Cooperative", **PARTS)
    assert found.returncode in (0, 1), found.stdout + found.stderr
    assert "Song Lam" in found.stdout
