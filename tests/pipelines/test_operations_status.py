"""After real runs: re-running on the same inputs changes nothing, and `flrisk status` reports the last
run of every job, stale assets and failed checks from the real Dagster instance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from tests.pipelines.operations_support import AS_OF, assert_same_tables, copy_home, run_flrisk, tables

ALL_SCHEMAS = ("raw", "staged", "resolved", "published", "quarantine")


def test_rerunning_on_the_same_inputs_changes_nothing(tmp_path):
    home = copy_home(tmp_path / "home")
    before = tables(home / "warehouse.duckdb", ALL_SCHEMAS)
    rerun = run_flrisk(home, "demo", "--as-of", AS_OF)
    assert rerun.returncode == 0, rerun.stderr
    after = tables(home / "warehouse.duckdb", ALL_SCHEMAS)
    assert_same_tables(after, before)
    assert {name: frame.height for name, frame in after.items()} == {n: f.height for n, f in before.items()}

    status = json.loads(run_flrisk(home, "status", "--json").stdout)
    jobs = {job["job"]: job for job in status["jobs"]}
    assert jobs["refresh_all"]["status"] == "SUCCESS" and jobs["refresh_all"]["seconds"] > 0
    assert jobs["oshub_sync"]["status"] == "never run"
    assert jobs["reference_refresh"]["status"] == "never run"
    stale = {row["asset"]: row["reason"] for row in status["stale_assets"]}
    assert stale == {"raw/oshub_api": "never materialized", "raw/oshub_merges": "never materialized"}
    assert status["failed_checks"] == []


def test_status_text_and_staleness_judged_by_the_contract_sla(tmp_path, monkeypatch):
    from pipelines.definitions import defs
    from pipelines.status import collect_status

    home = copy_home(tmp_path / "home")
    printed = run_flrisk(home, "status")
    assert printed.returncode == 0, printed.stderr
    assert "refresh_all" in printed.stdout and "SUCCESS" in printed.stdout
    assert "raw/oshub_api" in printed.stdout and "Failed checks (0)" in printed.stdout

    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    with dg.DagsterInstance.get() as instance:
        freshness = dg.AssetCheckKey(dg.AssetKey(["published", "facility_risk"]), "freshness_check")
        record = instance.get_latest_asset_check_evaluation_record(freshness)
        assert record is not None and record.evaluation.passed
        later = collect_status(instance, defs, now=datetime.now(UTC) + timedelta(days=3))
    reasons = {row["asset"]: row["reason"] for row in later.stale_assets}
    assert reasons["published/facility_risk"].startswith("older than its SLA")
    assert reasons["published/facility_risk"].endswith("h > 48.0 h)")
