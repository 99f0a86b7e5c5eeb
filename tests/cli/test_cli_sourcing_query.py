"""`flrisk query` is read-only: one SELECT runs; every write, and anything that reaches outside the
warehouse, is refused with a clear message and a non-zero exit, leaving the warehouse untouched."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main
from cli.query import QueryRefusedError, check_read_only


@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA published")
        con.execute(
            "CREATE TABLE published.facility_risk AS SELECT 'FLR-000000000001' AS facility_id, 42.5 AS s"
        )
    return path


def rows(path) -> list:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql("SELECT * FROM published.facility_risk").fetchall()


def test_a_select_runs_and_releases_the_file(warehouse):
    result = CliRunner().invoke(main, ["query", "SELECT facility_id, s FROM published.facility_risk"])
    assert result.exit_code == 0, result.output
    assert "FLR-000000000001" in result.output and "42.5" in result.output
    with duckdb.connect(str(warehouse)) as writer:  # a writer can open the file right after
        writer.execute("SELECT 1")


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("INSERT INTO published.facility_risk VALUES ('FLR-000000000002', 1.0)", "INSERT"),
        ("CREATE TABLE published.x AS SELECT 1 AS a", "CREATE"),
        ("DROP TABLE published.facility_risk", "DROP"),
        ("UPDATE published.facility_risk SET s = 0", "UPDATE"),
        ("DELETE FROM published.facility_risk", "DELETE"),
        ("COPY published.facility_risk TO 'stolen.csv'", "COPY"),
        ("ATTACH 'other.duckdb' AS other", "ATTACH"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("WITH x AS (SELECT 1) INSERT INTO published.facility_risk SELECT 'FLR-000000000003', 2.0", "INSERT"),
    ],
)
def test_writes_and_side_effects_are_refused(warehouse, sql, kind):
    before = rows(warehouse)
    result = CliRunner().invoke(main, ["query", sql])
    assert result.exit_code == 2
    assert f"refused: {kind} statements are refused" in result.output
    assert "read-only" in result.output
    assert rows(warehouse) == before
    assert not (warehouse.parent / "stolen.csv").exists()


def test_several_statements_are_refused_even_if_the_first_is_a_select(warehouse):
    result = CliRunner().invoke(main, ["query", "SELECT 1; DROP TABLE published.facility_risk"])
    assert result.exit_code == 2 and "one statement at a time" in result.output
    assert rows(warehouse)


def test_a_select_cannot_read_files_outside_the_warehouse(warehouse, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nhunter2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", f"SELECT * FROM read_csv('{secret}')"])
    assert result.exit_code == 1
    assert "hunter2" not in result.output and "query failed" in result.output


def test_sql_errors_are_reported_without_a_traceback(warehouse):
    result = CliRunner().invoke(main, ["query", "SELECT nope FROM published.facility_risk"])
    assert result.exit_code == 1 and "query failed" in result.output


def test_the_check_itself_accepts_only_one_select():
    check_read_only("SELECT 1")
    check_read_only("WITH a AS (SELECT 1 AS x) SELECT x FROM a")
    for sql in ("PRAGMA version", "CALL pragma_version()", "EXPORT DATABASE 'x'", "BEGIN", "CHECKPOINT"):
        with pytest.raises(QueryRefusedError):
            check_read_only(sql)
