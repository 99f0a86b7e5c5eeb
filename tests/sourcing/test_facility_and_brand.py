"""`flrisk facility` and `flrisk brand` on the demo warehouse: profiles with evidence, fuzzy lookup."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main

REPO_ROOT = Path(__file__).resolve().parents[2]
HIGH_RISK = yaml.safe_load((REPO_ROOT / "demo/bundle/truth/planted_cases.yaml").read_text())["HIGH_RISK"]


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def high_risk_id(in_demo_home):
    with duckdb.connect(str(in_demo_home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT facility_id FROM resolved.facilities WHERE os_id = ?", [HIGH_RISK["os_id"]]
        ).fetchall()[0][0]


@pytest.mark.parametrize("how", ["id", "os_id", "name", "misspelt name"])
def test_facility_is_found_by_id_os_id_or_name(high_risk_id, how):
    query = {
        "id": high_risk_id,
        "os_id": HIGH_RISK["os_id"],
        "name": "Hotan Taida Apparel Co Ltd",
        "misspelt name": "Hetian Taida Aparel Company",
    }[how]
    result = run("facility", query)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Hetian Taida Apparel Company Limited (CN)  {high_risk_id}")


def test_facility_profile_shows_sources_brands_score_drivers_and_review_items(high_risk_id):
    result = run("facility", high_risk_id)
    text = result.output
    assert f"OS ID: {HIGH_RISK['os_id']}" in text
    assert "Brands listing it: Northwind Apparel" in text
    assert "band critical" in text
    assert "[supplier_list / Northwind Apparel] Hotan Taida Apparel Co Ltd" in text
    assert "[oshub_download / Open Supply Hub] Hetian Taida Apparel Company Limited" in text
    # the supplier list's "HOTAN TAIDA APPAREL" (Hotan is 和田, hetian) now matches the entry exactly
    assert "matches uflpa entity list entry 'Hetian Taida Apparel Co., Ltd.' (score 1.0, confirmed)" in text
    assert "evidence: source uflpa_entity_list; list entry" in text
    assert "evidence: source social audit" in text and "finding" in text
    # confirmed hits are not open review items (issue 18): only candidates await a person
    assert "confirmed)" not in text.split("Open review items")[1]


def test_facility_profile_as_json(high_risk_id):
    profile = json.loads(run("facility", high_risk_id, "--json").output)
    assert profile["risk"]["risk_band"] == "critical"
    assert {d["component"] for d in profile["drivers"]} >= {"audit", "worker_voice", "list_exposure"}
    assert {s["source_type"] for s in profile["seen"]} >= {"oshub_download", "supplier_list", "social_audit"}


def test_an_ambiguous_name_lists_candidates(in_demo_home):
    result = run("facility", "Garment")
    assert result.exit_code == 1
    assert "ambiguous" in result.output and result.output.count("FLR-") >= 2


def test_an_unknown_facility_says_so(in_demo_home):
    result = run("facility", "Zzyzx Quantum Widgets")
    assert result.exit_code == 1 and "no facility matches" in result.output


def test_brand_summary(in_demo_home):
    result = run("brand", "northwind")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Northwind Apparel: ")
    assert "bands: critical" in text and "Riskiest facilities:" in text
    assert "Hetian Taida Apparel Company Limited" in text
    assert "Shared with other brands:" in text and "Bluefjord Outdoor" in text


def test_brand_exposure_lists_facilities_shared_between_brands(in_demo_home):
    with duckdb.connect(str(in_demo_home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.sql(
            "SELECT contributor, shared_facility_count, shared_with FROM published.brand_exposure"
        ).fetchall()
    shared = {contributor: (count, others) for contributor, count, others in rows}
    count, others = shared["Northwind Apparel"]
    assert count > 0 and set(others) == {"Bluefjord Outdoor", "Casa Verde Home"}
    assert "Open Supply Hub" not in others  # a data source is not a brand to collaborate with


def test_an_unknown_brand_exits_non_zero(in_demo_home):
    result = run("brand", "Nobody At All")
    assert result.exit_code == 1 and "no single brand matches" in result.output
