"""Structured logs: with FLRISK_LOG_FORMAT=json a run's console log is one JSON object per line."""

from __future__ import annotations

import json

from tests.pipelines.operations_support import ROOT, run_flrisk

SUPPLIER_LIST = "country,name,address,sector\nCN,Json Log Apparel Co Ltd,3 Harbour Road Xiamen,Apparel\n"


def test_a_failing_run_logs_json_lines(tmp_path, monkeypatch):
    from warehouse.received import register_file

    home = tmp_path / "home"
    monkeypatch.setenv("FLRISK_HOME", str(home))
    grievances = ROOT / "tests" / "fixtures" / "worker_voice" / "grievance_cases_sample.csv"
    register_file(grievances, "worker-voice", "Hotline")  # received earlier; staging needs a key for it
    supplier_list = tmp_path / "brand.csv"
    supplier_list.write_text(SUPPLIER_LIST, encoding="utf-8")
    register_file(supplier_list, "supplier-list", "Brand")
    # a full run ingests every kind (a load ingests only its own), so the grievances fail it
    result = run_flrisk(home, "refresh", FLRISK_LOG_FORMAT="json", FLRISK_PSEUDONYMISATION_KEY="")
    assert result.returncode == 1, result.stdout + result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    failures = [r for r in records if r["dagster_meta"]["dagster_event"] and "STEP_FAILURE" in r["msg"]]
    assert failures and failures[0]["dagster_meta"]["step_key"] == "staged_tables"
    assert failures[0]["levelname"] == "ERROR"
