"""`flrisk load` runs only what its file changes: the file's raw table and everything downstream of it,
with the contract checks of those tables; other kinds' raw tables and the data-quality report wait for
the next full run, and a load is never skipped because a run of another kind started after it."""

from __future__ import annotations

import time

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main

LIST_A = "country,name,address\nBangladesh,Karatoya Knit Composite,Plot 12 Konabari Gazipur\n"
LIST_B = "country,name,address\nVietnam,Song Lam Garment,Lot C3 Tan Tao Industrial Park Ho Chi Minh City\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FLRISK_SOURCES", raising=False)
    return tmp_path / "home"


def _runs(home) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return [
            record.dagster_run for record in instance.get_run_records(dg.RunsFilter(job_name="refresh_all"))
        ]


def test_a_load_materializes_its_kind_downstream_and_checks_contracts(tmp_path, home):
    path = tmp_path / "brand_a.csv"
    path.write_text(LIST_A, encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "supplier-list", str(path), "--contributor", "Brand A"])
    assert result.exit_code == 0, result.output
    (run,) = _runs(home)
    assert run.tags["flrisk/load_kind"] == "supplier_list"
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        materialized = {
            event.asset_materialization.asset_key.to_user_string()
            for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        }
        checked = {
            (
                event.dagster_event.event_specific_data.asset_check_key.asset_key.to_user_string(),
                event.dagster_event.event_specific_data.asset_check_key.name,
            )
            for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        }
        steps = {stat.step_key for stat in instance.get_run_step_stats(run.run_id)}
    assert {"raw/supplier_list", "staged/facility_records", "published/facility_risk"} <= materialized
    assert "raw/social_audit" not in materialized and "quality/data_quality_report" not in materialized
    assert "postgres__published" not in steps  # no PostgreSQL target: not even a step that says so
    assert {"staged_tables", "published_risk_tables"} <= steps
    assert ("published/facility_risk", "contract_rules") in checked
    assert not any(name == "freshness_check" for _, name in checked)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        evaluation = instance.get_latest_asset_check_evaluation_record(
            dg.AssetCheckKey(dg.AssetKey(["published", "facility_risk"]), "contract_rules")
        ).evaluation
    assert evaluation.passed and evaluation.metadata["rules"].value > 10
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        names = con.sql("SELECT facility_name FROM published.facility_risk").fetchall()
    assert names == [("Karatoya Knit Composite",)]


def test_a_load_is_not_skipped_because_a_load_of_another_kind_ran_after_it_registered(tmp_path, home):
    from pipelines.runner import last_success_started, run_load
    from warehouse.received import register_file

    first, second = tmp_path / "brand_a.csv", tmp_path / "brand_b.csv"
    first.write_text(LIST_A, encoding="utf-8")
    second.write_text(LIST_B, encoding="utf-8")
    register_file(first, "supplier-list", "Brand A")
    assert run_load("supplier_list").success
    registered = time.time()
    register_file(second, "supplier-list", "Brand B")  # registered, its own run not started yet
    assert run_load("social_audit").success  # a later run that ingests audits only
    assert last_success_started("supplier_list") < registered  # so the brand B load still runs
    assert last_success_started("social_audit") > registered
    before_brand_b = len(_runs(home))
    assert run_load("supplier_list", registered_at=registered).success  # brand B's run
    assert len(_runs(home)) == before_brand_b + 1
    # a load whose file that run (which started after it was registered) has read runs nothing
    assert run_load("supplier_list", registered_at=registered) is None
    assert len(_runs(home)) == before_brand_b + 1
