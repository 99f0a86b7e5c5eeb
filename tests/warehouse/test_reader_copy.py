"""The reader copy: what it holds and leaves out, and that it holds it exactly (issue 17; issue 19 made
it cheaper: no match index keys, ZSTD compression)."""

from __future__ import annotations

import duckdb

from warehouse.readers import publish_snapshot, reader_tables, snapshot_path

TABLES = {
    "published.facility_risk": "SELECT 'FLR-' || i AS facility_id, i * 1.5 AS risk_score, [i, i + 1] AS hits "
    "FROM range(5000) t(i)",
    "resolved.facilities": "SELECT 'FLR-' || i AS facility_id, 'Factory ' || i AS name FROM range(5000) t(i)",
    "resolved.match_index": "SELECT 'r' || i AS record_id, 'factory ' || i AS name_norm "
    "FROM range(5000) t(i)",
    "resolved.match_index_keys": "SELECT 'r' || i AS record_id, 'name_token' AS blocking_pass, "
    "(hash(i) % 1000000)::BIGINT AS blocking_key FROM range(5000) t(i)",
    "staged.facility_records": "SELECT 'r' || i AS record_id, 'Factory ' || i AS name, "
    "CASE WHEN i % 2 = 0 THEN 'supplier_list' ELSE 'worker_voice_grievance' END AS source_type "
    "FROM range(5000) t(i)",
    "raw.loads": "SELECT 'load-1' AS load_id, 'payload' AS payload",
    "raw.schema_versions": "SELECT 1 AS version",
}


def build(path) -> None:
    with duckdb.connect(str(path)) as con:
        for table, select in TABLES.items():
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
            con.execute(f"CREATE TABLE {table} AS {select}")


def fingerprint(con: duckdb.DuckDBPyConnection, source: str) -> tuple:
    return con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {source} t").fetchall()[0]


def test_the_reader_copy_holds_the_reader_tables_exactly_and_leaves_out_the_match_index_keys(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    build(database)

    copy = publish_snapshot(database)

    assert copy == snapshot_path(database)
    with duckdb.connect(str(copy), read_only=True) as con:
        held = {
            f"{s}.{t}"
            for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        }
        assert held == {
            "published.facility_risk",
            "resolved.facilities",
            "resolved.match_index",
            "resolved.facility_mentions",
            "raw.schema_versions",
        }
        con.execute("ATTACH ? AS live (READ_ONLY)", [str(database)])
        for table in held - {"resolved.facility_mentions"}:
            assert fingerprint(con, table) == fingerprint(con, f"live.{table}"), table
        mentions = "(SELECT * FROM live.staged.facility_records WHERE source_type NOT LIKE 'worker_voice%')"
        assert fingerprint(con, "resolved.facility_mentions") == fingerprint(con, mentions)
        assert fingerprint(con, "resolved.facility_mentions")[0] == 2500


def test_reader_tables_name_the_match_index_but_not_its_keys():
    present = {"resolved.match_index", "resolved.match_index_keys", "staged.facility_records", "raw.loads"}
    assert reader_tables(present) == ["resolved.match_index"]
