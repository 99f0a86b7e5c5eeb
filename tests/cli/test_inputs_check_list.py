"""`flrisk check-list` on real files (issue 15): every OS Hub rule reported at its level with row and
column (warnings beside errors in --json), every kind `flrisk load` takes, file-level problems as one
line with exit 2, encodings detected or refused, never garbled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cli.main import main
from tests.connectors.inputs_cases import CASES, row_of, write_cases

ROOT = Path(__file__).resolve().parents[2]
CHINESE_LIST = (
    "country,name,address\n"
    "China,和田泰达服装有限公司,新疆和田市北京工业园区88号\n"
    "China,深圳市华强电子厂,广东省深圳市福田区华强北路1号\n"
    "China,宁波申洲针织有限公司,浙江省宁波市北仑区大港工业城甬江路18号\n"
)
KIND_FILES = {
    "supplier-list": "demo/bundle/supplier_lists/northwind_apparel_2026.csv",
    "oshub-download": "demo/bundle/oshub/os_hub_facilities_download.csv",
    "audits": "demo/bundle/audits/social_audit_findings.csv",
    "worker-voice": "demo/bundle/worker_voice/grievance_cases.csv",
    "reference-dol-goods": "demo/bundle/reference/dol_tvpra_goods_2022.csv",
    "reference-entity-list": "demo/bundle/reference/trade_restriction_entities.csv",
    "reference-country-risk": "tests/fixtures/reference/gsi_country_risk_sample.csv",
}


def _check(*args: str):
    return CliRunner().invoke(main, ["check-list", *args])


@pytest.fixture(scope="module")
def rules_report(tmp_path_factory):
    path = write_cases(tmp_path_factory.mktemp("rules") / "oshub_rules.csv")
    result = _check(str(path), "--json")
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_every_rule_is_reported_with_row_column_and_level(rules_report, case):
    listed = rules_report["problems"] if case.level == "error" else rules_report["warnings"]
    found = {(p["row"], p["column"], p["reason_code"], p["level"]) for p in listed}
    assert (row_of(case), case.column, case.reason_code, case.level) in found


def test_counts_add_up_and_warnings_do_not_reject(rules_report):
    report = rules_report
    assert report["rows_read"] == len(CASES) + 1
    assert report["rows_read"] == report["rows_accepted"] + report["rows_rejected"]
    assert report["rows_rejected"] == sum(case.level == "error" for case in CASES)
    assert report["rows_with_warnings"] >= sum(case.level == "warning" for case in CASES)


def test_human_report_lists_errors_and_warnings(tmp_path):
    result = _check(str(write_cases(tmp_path / "rules.csv")))
    assert "error invalid_lei_id" in result.output and "warning po_box_address" in result.output
    assert f"row {row_of(CASES[0])}, column name: error too_long_for_oshub" in result.output


@pytest.mark.parametrize("kind", list(KIND_FILES))
def test_every_kind_can_be_checked(kind):
    edition = ["--edition", "2023"] if kind == "reference-country-risk" else []  # its name has no year
    result = _check("--kind", kind, "--json", *edition, str(ROOT / KIND_FILES[kind]))
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    assert report["kind"] == kind and report["rows_read"] > 0
    assert report["rows_read"] == report["rows_accepted"] + report["rows_rejected"]


def test_worker_voice_check_names_no_worker(tmp_path):
    result = _check("--kind", "worker-voice", str(ROOT / KIND_FILES["worker-voice"]))
    assert "W-16694" not in result.output and "+86 138 0013 8303" not in result.output


def test_wrong_kind_is_one_error_with_exit_2(tmp_path):
    result = _check("--kind", "audits", str(ROOT / KIND_FILES["supplier-list"]))
    assert result.exit_code == 2
    assert "wrong_kind" in result.output and "flrisk load supplier-list FILE" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        ("country,name,address\n", "no_data_rows", "no data rows"),
        (
            "Facility Name,country,address\nDhaka Knit,BD,Plot 1 Road 2 Gazipur\n",
            "missing_required_column",
            "'Facility Name' -> rename it to 'name'",
        ),
    ],
)
def test_file_level_problems_are_one_line_exit_2(tmp_path, content, code, fragment):
    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    result = _check(str(path))
    assert result.exit_code == 2 and code in result.output and fragment in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_xlsx_second_sheet_is_read_and_named(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Read me"
    workbook.active.append(["Fill in the next sheet"])
    sheet = workbook.create_sheet("Facilities")
    sheet.append(["country", "name", "address"])
    sheet.append(["Bangladesh", "Dhaka Knit Garments Ltd", "Plot 12, Tongi Industrial Area, Gazipur"])
    workbook.save(tmp_path / "list.xlsx")
    result = _check(str(tmp_path / "list.xlsx"), "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["sheet"] == "Facilities" and report["rows_read"] == 1
    unknown = _check(str(tmp_path / "list.xlsx"), "--sheet", "Suppliers")
    assert (
        unknown.exit_code == 2
        and "unknown_sheet" in unknown.output
        and "Read me, Facilities" in unknown.output
    )


def _flrisk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_a_gbk_list_reads_as_chinese_through_the_command(tmp_path):
    path = tmp_path / "gbk_list.csv"
    path.write_bytes(CHINESE_LIST.encode("gbk"))
    done = _flrisk("check-list", str(path), "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["encoding"] == "gbk" and report["rows_read"] == 3
    forced = _flrisk("check-list", str(path), "--encoding", "cp1252")
    assert forced.returncode == 2 and "undecodable_encoding" in forced.stderr
    assert "Traceback" not in forced.stderr


def test_bytes_in_no_encoding_are_refused_naming_the_encodings_tried(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"country,name,address\nCN,A\x81\x8d,Road 1\n")
    done = _flrisk("check-list", str(path))
    assert done.returncode == 2
    assert "undecodable_encoding" in done.stderr and "gbk/gb18030, big5, shift_jis" in done.stderr
