"""Large reader tables kept as parts (issue 19, warehouse/reader_parts.py): a new reader copy rewrites
only the parts whose rows changed, readers see exactly the warehouse's rows, and no reader file holds a
row the warehouse dropped."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest

from warehouse.reader_parts import MAX_PARTS, PART_MIN_ROWS_ENV, part_min_rows, parts_folder, read_parts
from warehouse.readers import amend_snapshot, publish_snapshot, read_connection, snapshot_path

ROWS = 3000
NUMBERS = f"FROM range({ROWS}) t(i)"
TABLES = {
    "published.facility_risk": f"SELECT 'FLR-' || i AS facility_id, i * 1.5 AS risk_score {NUMBERS}",
    "resolved.match_index": f"SELECT 'r' || i AS record_id, 'factory ' || i AS name_norm {NUMBERS}",
    "staged.facility_records": "SELECT 'r' || i AS record_id, 'Factory ' || i AS name, CASE WHEN i % 3 = 0 "
    f"THEN 'worker_voice_grievance' ELSE 'supplier_list' END AS source_type {NUMBERS}",
    "resolved.review_queue": "SELECT 'a' AS record_id_left, 'b' AS record_id_right",
    "raw.schema_versions": "SELECT 4 AS version",
}
LARGE = {"published.facility_risk", "resolved.match_index", "resolved.facility_mentions"}
MENTIONS = "(SELECT * FROM live.staged.facility_records WHERE source_type NOT LIKE 'worker_voice%')"


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(PART_MIN_ROWS_ENV, "1000")  # tables of 1,000 rows or more go into parts
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for table, select in TABLES.items():
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
            con.execute(f"CREATE TABLE {table} AS {select}")
    return path


def write(database: Path, *statements: str) -> None:
    with duckdb.connect(str(database)) as con:
        for statement in statements:
            con.execute(statement)


def part_files(database: Path) -> dict[str, int]:
    """Part file name -> inode (a rewritten part is a new file)."""
    return {path.name: path.stat().st_ino for path in parts_folder(snapshot_path(database)).iterdir()}


def files_of(database: Path, table: str) -> set[str]:
    return {name for name in part_files(database) if name.startswith(prefix(table))}


def prefix(table: str) -> str:
    return table.replace(".", "-") + "-"


def fingerprint(con, source: str) -> tuple:
    return con.execute(f"SELECT count(*), sum(hash(t)) FROM {source} t").fetchall()[0]


def assert_readers_see_the_warehouse(database: Path) -> None:
    """Through the readers' own connection (parts attached, external access off): every reader table
    holds exactly the warehouse's rows."""
    config = {"enable_external_access": False, "lock_configuration": True}
    with read_connection(snapshot_path(database), config=config) as con:
        copied = {
            table: fingerprint(con, table)
            for table in [*sorted(LARGE), "resolved.review_queue", "raw.schema_versions"]
        }
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute(
            "CREATE TEMP VIEW mentions AS SELECT * FROM staged.facility_records "
            "WHERE source_type NOT LIKE 'worker_voice%'"
        )
        for table, found in copied.items():
            live = "mentions" if table == "resolved.facility_mentions" else table
            assert found == fingerprint(con, live), table


def test_large_tables_become_parts_readers_see_every_row_and_files_are_private(database):
    copy = publish_snapshot(database)

    with duckdb.connect(str(copy), read_only=True) as con:
        assert {part.table_key for part in read_parts(con)} == LARGE
        small = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE database_name = current_database()"
        ).fetchall()
    assert {row[0] for row in small} == {"resolved.review_queue", "raw.schema_versions", "main.reader_parts"}
    assert_readers_see_the_warehouse(database)
    for path in parts_folder(copy).iterdir():
        assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(parts_folder(copy)).st_mode & 0o777 == 0o700
    with read_connection(copy) as con:  # worker-voice mentions never reach a part
        assert con.execute(
            "SELECT count(*) FROM resolved.facility_mentions WHERE source_type LIKE 'worker_voice%'"
        ).fetchall() == [(0,)]


def test_appended_rows_add_a_part_and_unchanged_tables_keep_their_files(database):
    publish_snapshot(database)
    before = part_files(database)

    write(database, "INSERT INTO resolved.match_index SELECT 'r-new-' || i, 'new ' || i FROM range(40) t(i)")
    publish_snapshot(database)

    after = part_files(database)
    for table in ("published.facility_risk", "resolved.facility_mentions"):  # not changed: not rewritten
        assert files_of(database, table) == {name for name in before if name.startswith(prefix(table))}
    kept = {name for name in before if name.startswith(prefix("resolved.match_index"))}
    assert kept < files_of(database, "resolved.match_index")  # the old part stays, one new part
    assert len(files_of(database, "resolved.match_index")) == 2
    assert all(after[name] == before[name] for name in before)  # the same files, never written again
    assert_readers_see_the_warehouse(database)


def test_a_dropped_row_survives_in_no_reader_file(database):
    publish_snapshot(database)
    risk_before = files_of(database, "published.facility_risk")

    write(
        database,
        "DELETE FROM published.facility_risk WHERE facility_id = 'FLR-1234'",
        "INSERT INTO published.facility_risk VALUES ('FLR-new', 1.0)",
        "DELETE FROM staged.facility_records WHERE record_id = 'r2000'",
        "DELETE FROM resolved.match_index WHERE record_id = 'r2000'",
    )
    publish_snapshot(database)

    assert not risk_before & files_of(database, "published.facility_risk")  # rewritten, fresh files
    assert_readers_see_the_warehouse(database)
    folder = parts_folder(snapshot_path(database))
    for path in [*folder.iterdir(), snapshot_path(database)]:  # every reader file, opened on its own
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name != 'main'"
            ).fetchall()
            for schema, table in tables:
                columns = {row[0] for row in con.execute(f"DESCRIBE {schema}.{table}").fetchall()}
                for column, value in (("facility_id", "FLR-1234"), ("record_id", "r2000")):
                    if column in columns:
                        found = con.execute(
                            f"SELECT count(*) FROM {schema}.{table} WHERE {column} = ?", [value]
                        ).fetchall()
                        assert found == [(0,)], (path.name, table)


def test_a_table_replaced_whole_and_a_crashed_build_leave_nothing_behind(database):
    publish_snapshot(database)
    folder = parts_folder(snapshot_path(database))
    (folder / "resolved-match_index-deadbeef0000.duckdb").write_bytes(b"left by a crashed build")

    write(
        database,
        "CREATE OR REPLACE TABLE resolved.match_index AS "
        "SELECT 'q' || i AS record_id, 'other ' || i AS name_norm FROM range(1500) t(i)",
    )
    publish_snapshot(database)

    assert "resolved-match_index-deadbeef0000.duckdb" not in part_files(database)
    assert len(files_of(database, "resolved.match_index")) == 1
    assert_readers_see_the_warehouse(database)


def test_a_reader_holding_the_old_copy_keeps_reading_it(database):
    publish_snapshot(database)
    with read_connection(snapshot_path(database)) as con:
        write(database, "DELETE FROM published.facility_risk WHERE facility_id = 'FLR-7'")
        publish_snapshot(database)  # the old parts are deleted while this reader has them open
        assert con.execute("SELECT count(*) FROM published.facility_risk").fetchall() == [(ROWS,)]
    assert_readers_see_the_warehouse(database)


def test_amending_the_copy_keeps_parts_and_a_change_to_a_table_in_parts_inlines_it(database):
    publish_snapshot(database)
    before = part_files(database)

    amend_snapshot(database, lambda con: con.execute("INSERT INTO resolved.review_queue VALUES ('c', 'd')"))
    assert part_files(database) == before
    with read_connection(snapshot_path(database)) as con:
        assert con.execute("SELECT count(*) FROM resolved.review_queue").fetchall() == [(2,)]

    amend_snapshot(
        database, lambda con: con.execute("ALTER TABLE published.facility_risk ADD COLUMN note VARCHAR")
    )
    assert not files_of(database, "published.facility_risk")
    with read_connection(snapshot_path(database)) as con:
        assert con.execute("SELECT count(*), count(note) FROM published.facility_risk").fetchall() == [
            (ROWS, 0)
        ]
        assert con.execute("SELECT count(*) FROM resolved.match_index").fetchall() == [(ROWS,)]


def test_small_warehouses_keep_one_self_contained_file(database, monkeypatch):
    monkeypatch.delenv(PART_MIN_ROWS_ENV)
    copy = publish_snapshot(database)

    assert not parts_folder(copy).exists()
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM published.facility_risk").fetchall() == [(ROWS,)]
        assert read_parts(con) == []


def test_a_table_changed_and_appended_to_stays_one_part(database):
    publish_snapshot(database)

    write(
        database,
        "UPDATE published.facility_risk SET risk_score = 0 WHERE facility_id = 'FLR-10'",
        "INSERT INTO published.facility_risk VALUES ('FLR-new', 1.0)",
    )
    publish_snapshot(database)

    assert len(files_of(database, "published.facility_risk")) == 1
    assert_readers_see_the_warehouse(database)


def test_parts_of_many_appends_are_merged_but_the_first_is_kept(database):
    publish_snapshot(database)
    first = files_of(database, "resolved.match_index")

    for load in range(MAX_PARTS + 2):
        write(database, f"INSERT INTO resolved.match_index SELECT 'l{load}-' || i, 'n' FROM range(30) t(i)")
        publish_snapshot(database)
        assert len(files_of(database, "resolved.match_index")) <= MAX_PARTS
        assert first <= files_of(database, "resolved.match_index")

    assert len(files_of(database, "resolved.match_index")) < MAX_PARTS  # merged once
    assert_readers_see_the_warehouse(database)


def install(copy: Path, content: bytes) -> None:
    """Put `content` in place of `copy` atomically, as `publish_snapshot` does."""
    temporary = copy.with_name(copy.name + ".installing")
    temporary.write_bytes(content)
    os.replace(temporary, copy)


def test_a_reader_opening_a_copy_whose_parts_just_went_opens_the_new_copy(database):
    copy = publish_snapshot(database)
    stale = copy.read_bytes()  # a copy naming parts that the next build replaces
    write(database, "DELETE FROM published.facility_risk WHERE facility_id = 'FLR-7'")
    publish_snapshot(database)
    fresh = copy.read_bytes()
    install(copy, stale)  # as a reader sees it when it opens the file just before the rename
    installing = threading.Timer(0.5, install, [copy, fresh])
    installing.start()
    try:
        with read_connection(copy, retry_seconds=10) as con:
            assert con.execute("SELECT count(*) FROM published.facility_risk").fetchall() == [(ROWS - 1,)]
    finally:
        installing.join()


def test_a_copy_naming_a_lost_part_fails_after_the_wait_instead_of_hanging(database):
    copy = publish_snapshot(database)
    next(parts_folder(copy).glob("published-facility_risk-*")).unlink()

    with pytest.raises(duckdb.Error), read_connection(copy, retry_seconds=0.5):
        pass


def test_the_part_threshold_must_be_a_number_of_rows(monkeypatch):
    monkeypatch.setenv(PART_MIN_ROWS_ENV, "lots")
    with pytest.raises(ValueError, match=PART_MIN_ROWS_ENV):
        part_min_rows()
