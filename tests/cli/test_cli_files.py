"""`flrisk check-list`, `flrisk load` and the inbox sensor, on real files and a real warehouse."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main

GOOD_LIST = (
    "country,name,address,sector,lat,lng\n"
    "China,Jiangsu Golden Empire Apparel Co. Ltd,11 Changjiang Road Yancheng,Apparel,33.38,120.21\n"
    "VN,Song Hong Garment JSC,105 Nguyen Duc Thuan Nam Dinh,Apparel,,\n"
)
BAD_LIST = GOOD_LIST + "Atlantis,Lost Knit,1 Sunken Road,Apparel,,\nCN,,2 Empty Name Road,Apparel,,\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FLRISK_SOURCES", raising=False)
    return tmp_path / "home"


def test_check_list_passes_a_clean_list(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(GOOD_LIST, encoding="utf-8")
    result = CliRunner().invoke(main, ["check-list", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 accepted, 0 would be rejected" in result.output


def test_check_list_reports_each_problem_and_exits_1(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(BAD_LIST, encoding="cp1252")
    result = CliRunner().invoke(main, ["check-list", str(path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["rows_read"] == 4 and report["rows_rejected"] == 2
    assert {"row": 4, "column": "country", "reason_code": "unknown_country"} in [
        {k: p[k] for k in ("row", "column", "reason_code")} for p in report["problems"]
    ]
    assert not (tmp_path / "home").exists()


def test_check_list_exits_2_for_a_file_it_cannot_read(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("country,name,address\nCN,A,B,extra,cells\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check-list", str(path)])
    assert result.exit_code == 2
    assert "broken.csv" in result.output


def test_load_ingests_a_list_into_the_warehouse_and_is_idempotent(tmp_path, home):
    path = tmp_path / "brand_list.csv"
    path.write_text(BAD_LIST, encoding="utf-8")
    first = CliRunner().invoke(main, ["load", "supplier-list", str(path), "--contributor", "Acme Brand"])
    assert first.exit_code == 0, first.output
    assert "4 rows read, 2 staged, 2 quarantined" in first.output
    second = CliRunner().invoke(main, ["load", "supplier-list", str(path), "--contributor", "Acme Brand"])
    assert second.exit_code == 0, second.output
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM raw.loads").fetchall()[0][0] == 1
        assert con.sql("SELECT count(*) FROM published.facility_risk").fetchall()[0][0] == 2
        contributors = con.sql("SELECT DISTINCT unnest(contributors) FROM published.facility_risk").fetchall()
    assert contributors == [("Acme Brand",)]


def test_inbox_sensor_one_run_per_file_and_files_never_lost(home):
    from pipelines.definitions import defs

    inbox = home / "inbox" / "supplier-list" / "Acme Brand"  # the subfolder names the contributor
    inbox.mkdir(parents=True)
    (inbox / "brand_a.csv").write_text(GOOD_LIST, encoding="utf-8")
    (inbox / "brand_b.csv").write_text(BAD_LIST, encoding="utf-8")
    (inbox / "broken.csv").write_text("country,name,address\nCN,A,B,extra\n", encoding="utf-8")
    sensor = defs.get_sensor_def("inbox_files")
    requests = sensor(dg.build_sensor_context())
    assert sorted(r.tags["flrisk/inbox_file"].rsplit("/", 1)[1].split("-", 1)[1] for r in requests) == [
        "brand_a.csv",
        "brand_b.csv",
    ]
    assert len({r.run_key for r in requests}) == 2
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["brand_a.csv", "brand_b.csv"]
    assert (inbox / "failed" / "broken.csv").exists()
    assert "broken.csv" in (inbox / "failed" / "broken.csv.error.txt").read_text()
    assert isinstance(sensor(dg.build_sensor_context()), dg.SkipReason)


@pytest.mark.parametrize(
    ("key", "expected"), [(None, "without a pseudonymisation key"), ("short-key", "shorter than 16")]
)
def test_load_refuses_worker_voice_without_a_usable_key_and_registers_nothing(
    tmp_path, home, monkeypatch, key, expected
):
    if key is None:
        monkeypatch.delenv("FLRISK_PSEUDONYMISATION_KEY", raising=False)
    else:
        monkeypatch.setenv("FLRISK_PSEUDONYMISATION_KEY", key)
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,facility_name,country,reported_at,category\nC1,Mill,BD,2026-05-01,debt_bondage\n"
    )
    result = CliRunner().invoke(main, ["load", "worker-voice", str(cases)])
    assert result.exit_code == 2
    assert "refusing to ingest worker-voice data" in result.output and expected in result.output
    assert key is None or key not in result.output
    assert not (home / "received").exists() and not (home / "warehouse.duckdb").exists()
