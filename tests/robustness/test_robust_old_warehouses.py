"""Issue 16, break 7: old warehouses. A warehouse whose resolved.list_hit_decisions lacks a column added
later (and that predates schema versions) fails `flrisk contracts test` naming the column, readers
refuse it with a message saying to migrate (never a BinderException), and the next run (or
`flrisk migrate`) brings it forward without losing a row; a warehouse from a newer flrisk is refused."""

from __future__ import annotations

import duckdb

from tests.pipelines.operations_support import AS_OF, copy_home, run_flrisk
from warehouse.migrations import SCHEMA_VERSION

DECISIONS = "resolved.list_hit_decisions"


def _make_old(database) -> None:
    """Turn a current warehouse into one written before the `note` column and schema versions."""
    with duckdb.connect(str(database)) as con:
        con.execute(
            f"INSERT INTO {DECISIONS} VALUES "
            "('FLR-000000000001', 'uflpa_entity_list', 'Old Entity', 'rejected', 'old reviewer', "
            "TIMESTAMP '2026-01-02 03:04:05', 'kept across the migration')"
        )
        con.execute(f"ALTER TABLE {DECISIONS} DROP COLUMN note")
        con.execute("DROP TABLE IF EXISTS raw.schema_versions")


def _hit(home) -> tuple[str, str]:
    """(facility_id, hit_id) of the first published list-screening hit."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(
            "SELECT facility_id, hit_id FROM published.list_screening_hits ORDER BY hit_id LIMIT 1"
        ).fetchall()[0]


def test_an_old_warehouse_is_refused_clearly_then_migrated_by_the_next_run(tmp_path):
    home = copy_home(tmp_path / "home")
    for database in (home / "warehouse.duckdb", home / "warehouse.snapshot.duckdb"):
        _make_old(database)
    facility_id, hit_id = _hit(home)

    tested = run_flrisk(home, "contracts", "test")
    assert tested.returncode == 1, tested.stdout
    assert "column note is missing from the table" in tested.stdout and "flrisk migrate" in tested.stdout
    profile = run_flrisk(home, "facility", facility_id)
    assert profile.returncode == 2, profile.stdout + profile.stderr
    assert "flrisk migrate" in profile.stderr and "Binder" not in profile.stderr + profile.stdout

    refresh = run_flrisk(home, "refresh", "--as-of", AS_OF)
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    assert run_flrisk(home, "contracts", "test").returncode == 0
    profile = run_flrisk(home, "facility", facility_id)
    assert profile.returncode == 0, profile.stderr
    decision = ("--reject", "--by", "QA", "--note", "after")
    reviewed = run_flrisk(home, "review-hit", hit_id, *decision)
    assert reviewed.returncode == 0, reviewed.stdout + reviewed.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        kept = con.sql(f"SELECT decided_by, note FROM {DECISIONS} ORDER BY decided_at").fetchall()
        versions = con.sql("SELECT version FROM raw.schema_versions").fetchall()
    assert kept[0] == ("old reviewer", None) and kept[-1] == ("QA", "after")
    assert versions == [(SCHEMA_VERSION,)]


def test_flrisk_migrate_brings_both_copies_forward(tmp_path):
    home = copy_home(tmp_path / "home")
    for database in (home / "warehouse.duckdb", home / "warehouse.snapshot.duckdb"):
        _make_old(database)
    migrated = run_flrisk(home, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert f"{DECISIONS}: added column note (VARCHAR, empty)" in migrated.stdout
    listed = run_flrisk(home, "review-hit", "--list", "--all")
    assert listed.returncode == 0, listed.stderr
    assert run_flrisk(home, "migrate").stdout.strip().endswith("0 change(s).")


def test_a_warehouse_from_a_newer_flrisk_is_refused(tmp_path):
    home = copy_home(tmp_path / "home")
    for database in (home / "warehouse.duckdb", home / "warehouse.snapshot.duckdb"):
        with duckdb.connect(str(database)) as con:
            con.execute("INSERT INTO raw.schema_versions VALUES (99, now()::TIMESTAMP, 'from the future')")
    query = run_flrisk(home, "query", "SELECT 1")
    assert query.returncode == 2 and "newer flrisk" in query.stderr
    refresh = run_flrisk(home, "refresh", "--as-of", AS_OF)
    assert refresh.returncode != 0 and "newer flrisk" in refresh.stdout + refresh.stderr
    assert "Traceback" not in refresh.stdout + refresh.stderr
