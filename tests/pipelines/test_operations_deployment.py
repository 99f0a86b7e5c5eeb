"""The production configuration loads without a cluster: Definitions on k8s_job_executor, the instance's
dagster.yaml (Postgres storage, K8sRunLauncher, queued runs) valid against Dagster's schemas, the Helm
values pointing at the same code location; and every schedule is zoned and off by default."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_k8s import K8sRunLauncher

from pipelines.definitions import WRITER_TAGS
from tests.pipelines.test_definitions import dagster_definitions_validate

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PG_ENV = {
    "DAGSTER_PG_HOST": "db",
    "DAGSTER_PG_USERNAME": "u",
    "DAGSTER_PG_PASSWORD": "p",
    "DAGSTER_PG_DB": "d",
}


def test_production_definitions_run_every_job_on_the_k8s_executor():
    from pipelines.deployment import defs

    for name in ("refresh_all", "oshub_sync", "reference_refresh"):
        job = defs.resolve_job_def(name)
        assert job.executor_def.name == "k8s_job_executor"
        assert job.tags.get("flrisk/warehouse") == "writer"
    local = __import__("pipelines.definitions", fromlist=["defs"]).defs
    assert local.resolve_job_def("refresh_all").executor_def.name == "in_process"
    assert {s.name for s in defs.sensors} == {s.name for s in local.sensors}


def test_instance_yaml_is_valid_with_postgres_storage_and_the_k8s_launcher(monkeypatch):
    for name, value in PG_ENV.items():
        monkeypatch.setenv(name, value)
    config, custom_class = dagster_instance_config(str(DEPLOY), "dagster.yaml")
    assert custom_class is None
    assert set(config["storage"]["postgres"]["postgres_db"]) >= {
        "hostname",
        "username",
        "password",
        "db_name",
    }
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    assert process_config(K8sRunLauncher.config_type(), launcher["config"]).success
    coordinator = config["run_coordinator"]["config"]
    assert process_config(QueuedRunCoordinator.config_type(), coordinator).success
    [limit] = coordinator["tag_concurrency_limits"]
    assert ({limit["key"]: limit["value"]}, limit["limit"]) == (WRITER_TAGS, 1)
    assert not re.search(r"password:[ \t]*[^\s]", (DEPLOY / "dagster.yaml").read_text())  # only {env: ...}


def test_helm_values_load_the_production_code_location():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text(encoding="utf-8"))
    [deployment] = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "pipelines.deployment"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False
    queue = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert queue["tagConcurrencyLimits"] == [{"key": "flrisk/warehouse", "value": "writer", "limit": 1}]


def test_schedules_are_zoned_and_off_by_default():
    from pipelines.definitions import defs

    schedules = {schedule.name: schedule for schedule in defs.schedules}
    assert set(schedules) == {"oshub_sync_daily", "reference_refresh_weekly", "rescore_nightly"}
    assert {s.job_name for s in schedules.values()} == {"oshub_sync", "reference_refresh", "refresh_all"}
    for schedule in schedules.values():
        assert schedule.execution_timezone == "UTC"
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_dagster_definitions_validate_passes_for_the_production_module(tmp_path):
    result = dagster_definitions_validate(tmp_path, "-m", "pipelines.deployment")
    assert result.returncode == 0, result.stdout + result.stderr
