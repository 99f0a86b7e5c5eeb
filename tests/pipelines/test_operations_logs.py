"""Structured logs: with FLRISK_LOG_FORMAT=json a run's console log is one JSON object per line."""

from __future__ import annotations

import json

from tests.pipelines.operations_support import ROOT, run_flrisk


def test_a_failing_run_logs_json_lines(tmp_path):
    fixture = ROOT / "tests" / "fixtures" / "worker_voice" / "grievance_cases_sample.csv"
    result = run_flrisk(
        tmp_path / "home",
        "load",
        "worker-voice",
        str(fixture),
        FLRISK_LOG_FORMAT="json",
        FLRISK_PSEUDONYMISATION_KEY="",
    )
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    failures = [r for r in records if r["dagster_meta"]["dagster_event"] and "STEP_FAILURE" in r["msg"]]
    assert failures and failures[0]["dagster_meta"]["step_key"] == "staged_tables"
    assert failures[0]["levelname"] == "ERROR"
