"""The code location loads, and every asset is described, grouped and keyed by warehouse location."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = {"raw", "staged", "resolved", "published", "quarantine", "quality", "postgres"}


def all_specs():
    graph = defs.resolve_asset_graph()
    return [graph.get(key) for key in graph.get_all_asset_keys()]


def test_every_asset_has_a_description_and_a_group():
    for node in all_specs():
        assert node.description, node.key
        assert node.group_name and node.group_name != "default", node.key


def test_asset_keys_are_schema_and_table():
    for node in all_specs():
        assert len(node.key.path) == 2 and node.key.path[0] in SCHEMAS, node.key


def test_groups_are_the_domains():
    groups = {node.group_name for node in all_specs()}
    assert groups == {"ingestion", "staging", "entity_resolution", "risk", "quality"}


def test_published_tables_have_blocking_contract_checks():
    graph = defs.resolve_asset_graph()
    blocking = {
        key.asset_key.path[1]
        for key in graph.asset_check_keys
        if key.asset_key.path[0] == "published" and graph.get_check_spec(key).blocking
    }
    assert {"facility_risk", "facility_risk_drivers", "brand_exposure"} <= blocking


def test_job_and_schedule_are_defined_and_schedule_is_off_by_default():
    assert defs.resolve_job_def("refresh_all") is not None
    schedule = defs.get_schedule_def("rescore_nightly")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.execution_timezone


def dagster_definitions_validate(home: Path, *target: str) -> subprocess.CompletedProcess:
    """`dagster definitions validate <target>` in a subprocess with a telemetry-off home."""
    env = {**os.environ, "DAGSTER_HOME": str(home), "FLRISK_HOME": str(home)}
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dagster = Path(sys.executable).parent / "dagster"
    return subprocess.run(
        [str(dagster), "definitions", "validate", *target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_dagster_definitions_validate_passes(tmp_path):
    result = dagster_definitions_validate(tmp_path, "-w", "workspace.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_sensor_requests_one_run_per_new_state_of_the_files(tmp_path, monkeypatch):
    from assets.resources import SourcesResource

    monkeypatch.setenv("FLRISK_HOME", str(tmp_path / "home"))
    data = tmp_path / "list.csv"
    data.write_text("country,name,address\nCN,A,B\n", encoding="utf-8")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("files:\n  - {path: list.csv, source_type: supplier_list, contributor: Brand}\n")
    sensor = defs.get_sensor_def("received_files_changed")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    resources = {"sources": SourcesResource(manifest=str(manifest))}

    def tick(cursor):
        context = dg.build_sensor_context(cursor=cursor, resources=resources)
        return sensor(context), context.cursor

    first, cursor = tick(None)
    assert isinstance(first, dg.RunRequest)
    second, _ = tick(cursor)
    assert isinstance(second, dg.SkipReason)
    data.write_text("country,name,address\nCN,A,B\nVN,C,D\n", encoding="utf-8")
    third, _ = tick(cursor)
    assert isinstance(third, dg.RunRequest) and third.run_key != first.run_key
