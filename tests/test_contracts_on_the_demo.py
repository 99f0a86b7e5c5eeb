"""Contracts enforced on the demo warehouse: `flrisk contracts test`, `flrisk report`, atomic publish.

The demo runs once into a temporary FLRISK_HOME. The CLI tests read it; the last test injects a null
key upstream of published.facility_risk and materializes the published-risk asset again: the run must
fail naming the rule and showing offending rows, every published table must be exactly as before, and
once the upstream is repaired the same materialization publishes again.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner
from test_end_to_end import PUBLISHED

from data_contracts import all_contracts
from tests.demo_run import demo_environment, run_demo_job

PUBLISHED_RISK_ASSETS = [dg.AssetKey(["published", t]) for t in PUBLISHED if t != "worker_voice_summary"]


def materialize_published_risk() -> dg.ExecuteInProcessResult:
    return run_demo_job(asset_selection=PUBLISHED_RISK_ASSETS, raise_on_error=False)


def published_snapshot(warehouse: str) -> dict:
    with duckdb.connect(warehouse, read_only=True) as con:
        return {t: con.sql(f"SELECT * FROM published.{t} ORDER BY ALL").pl() for t in PUBLISHED}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    with demo_environment(tmp_path_factory.mktemp("flrisk_home")) as home:
        from warehouse.received import register_demo_bundle

        register_demo_bundle()
        assert run_demo_job().success
        yield str(home / "warehouse.duckdb")


def flrisk(*args: str):
    from cli.main import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_contracts_test_passes_on_the_demo_and_names_a_broken_rule(warehouse):
    passed = flrisk("contracts", "test")
    assert passed.exit_code == 0, passed.output
    assert "ok   published.facility_risk" in passed.output and "0 blocking failure(s)" in passed.output

    with duckdb.connect(warehouse) as con:
        con.execute("CREATE TABLE published.facility_risk_backup AS FROM published.facility_risk")
        con.execute("UPDATE published.facility_risk SET risk_score = 140 WHERE rowid = 0")
    try:
        failed = flrisk("contracts", "test", "--table", "published.facility_risk")
    finally:
        with duckdb.connect(warehouse) as con:
            con.execute(
                "CREATE OR REPLACE TABLE published.facility_risk AS FROM published.facility_risk_backup"
            )
            con.execute("DROP TABLE published.facility_risk_backup")
    assert failed.exit_code == 1
    assert "FAIL published.facility_risk" in failed.output
    assert "facility_risk__risk_score__range" in failed.output and "140" in failed.output


def test_contracts_test_refuses_an_unknown_table(warehouse):
    result = flrisk("contracts", "test", "--table", "x.y")
    assert result.exit_code != 0 and "not a contracted table" in result.output


def test_report_rebuilds_the_summary_with_rules_quarantine_and_reconciliation(warehouse, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(Path(warehouse).parent / "dagster"))  # restored afterwards
    result = flrisk("report")
    assert result.exit_code == 0, result.output
    summary_path = result.output.split("Summary as JSON:")[1].split()[0]
    summary = json.loads(Path(summary_path).read_text(encoding="utf-8"))
    tables = {t["table"]: t for t in summary["tables"]}
    assert summary["tables"][0]["table"].startswith("published.")
    assert len(tables) == len(all_contracts()) and summary["status"] == "passed"
    risk = tables["published.facility_risk"]
    assert risk["contract_version"] and risk["rules"]
    assert all(rule["rows_checked"] == risk["row_count"] for rule in risk["rules"])
    reasons = {(r["source_type"], r["reason_code"]) for r in summary["quarantine_by_reason"]}
    assert {("social_audit", "invalid_date"), ("social_audit", "unknown_scheme")} <= reasons
    assert summary["load_reconciliation"] and all(r["reconciled"] for r in summary["load_reconciliation"])
    assert "Data Docs" in result.output
    assert {row["table"] for row in summary["freshness"]} >= {"published.facility_risk"}


def test_a_null_key_fails_the_run_and_keeps_the_previous_published_version(warehouse):
    before = published_snapshot(warehouse)
    with duckdb.connect(warehouse) as con:
        victim = con.sql("SELECT min(facility_id) FROM resolved.facilities").fetchall()[0][0]
        con.execute("ALTER TABLE resolved.facilities ALTER facility_id DROP NOT NULL")
        con.execute("UPDATE resolved.facilities SET facility_id = NULL WHERE facility_id = ?", [victim])

    broken = materialize_published_risk()

    assert not broken.success
    failure = next(e for e in broken.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    message = str(failure.step_failure_data.error)
    assert "facility_risk__facility_id__not_null" in message
    assert "previous version" in message and "offending" in message
    after = published_snapshot(warehouse)
    for table in PUBLISHED:
        assert after[table].equals(before[table]), f"published.{table} changed after a blocked publish"
    with duckdb.connect(warehouse, read_only=True) as con:
        leftovers = con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%candidate%'"
        ).fetchall()
    assert leftovers == []

    with duckdb.connect(warehouse) as con:
        con.execute("UPDATE resolved.facilities SET facility_id = ? WHERE facility_id IS NULL", [victim])
    repaired = materialize_published_risk()

    assert repaired.success
    assert published_snapshot(warehouse)["facility_risk"].equals(before["facility_risk"])
