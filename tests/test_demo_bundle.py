"""The committed demo bundle: reproducible byte for byte, small, complete, with its planted cases.

Fast and Dagster-free: regenerates the bundle into a temporary folder and reads the committed one.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from connectors.ids import is_valid_os_id
from demo.generate_bundle import generate

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "demo" / "bundle"
OS_ID_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$")
REASON_CODES = {
    "missing_required",
    "unknown_country",
    "invalid_coordinates",
    "invalid_date",
    "unknown_category",
    "unknown_severity",
    "unknown_scheme",
    "invalid_os_id",
    "invalid_number",
    "duplicate_row",
    "unknown_value",
}
LISTS = {
    "supplier_lists/northwind_apparel_2026.csv",
    "supplier_lists/bluefjord_outdoor_2026.xlsx",
    "supplier_lists/casa_verde_home_2026.csv",
}


def bundle_files(root: Path) -> list[Path]:
    """Relative paths of every file under root."""
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def read_rows(relative: str) -> list[dict[str, object]]:
    """Data rows of a bundle file as dicts keyed by the header exactly as written."""
    path = BUNDLE / relative
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        header, *rows = list(sheet.iter_rows(values_only=True))
        return [dict(zip(header, row, strict=True)) for row in rows]
    encoding = "cp1252" if "casa_verde" in relative else "utf-8"
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def cell(row: dict[str, object], column: str) -> object:
    """Value of a column whose header matches case- and spacing-insensitively."""
    for header, value in row.items():
        if header.strip().lower().replace(" ", "_") == column:
            return value
    raise KeyError(column)


def truth(name: str) -> list[dict[str, str]]:
    with (BUNDLE / "truth" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def planted() -> dict:
    return yaml.safe_load((BUNDLE / "truth" / "planted_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((BUNDLE / "manifest.yaml").read_text(encoding="utf-8"))


def test_regenerating_gives_byte_identical_files(tmp_path):
    generate(tmp_path / "bundle")
    assert bundle_files(tmp_path / "bundle") == bundle_files(BUNDLE)
    for relative in bundle_files(BUNDLE):
        assert (tmp_path / "bundle" / relative).read_bytes() == (BUNDLE / relative).read_bytes(), relative


def test_manifest_lists_every_input_file_and_no_truth(manifest):
    assert manifest["bundle"] == "flrisk-demo"
    assert manifest["generated_with_seed"] == 20261123
    listed = [entry["path"] for entry in manifest["files"]]
    inputs = [
        str(p)
        for p in bundle_files(BUNDLE)
        if p.parts[0] != "truth" and p.name not in {"manifest.yaml", "README.md"}
    ]
    assert sorted(listed) == sorted(inputs)
    assert all((BUNDLE / path).is_file() for path in listed)
    assert {entry["source_type"] for entry in manifest["files"]} == {
        "oshub_download",
        "supplier_list",
        "social_audit",
        "worker_voice_grievance",
        "worker_voice_survey",
        "reference_dol_goods",
        "reference_entity_list",
    }


def test_bundle_is_smaller_than_five_megabytes():
    assert sum((BUNDLE / p).stat().st_size for p in bundle_files(BUNDLE)) < 5_000_000


def test_every_os_id_in_the_download_passes_the_check():
    rows = read_rows("oshub/os_hub_facilities_download.csv")
    assert len(rows) > 600
    for row in rows:
        os_id = row["os_id"]
        assert OS_ID_PATTERN.match(os_id), os_id
        assert is_valid_os_id(os_id), os_id
        assert os_id[:2] == row["country_code"]
    assert len({row["os_id"] for row in rows}) == len(rows)


def test_three_spellings_appear_in_all_three_lists(planted):
    case = planted["THREE_SPELLINGS"]
    in_lists = [m for m in case["mentions"] if m["file"] in LISTS]
    assert {m["file"] for m in in_lists} == LISTS
    names = [m["name"] for m in in_lists]
    assert len(set(names)) == 3 and case["name"] not in names
    for mention in in_lists:
        assert cell(read_rows(mention["file"])[mention["row"] - 2], "name") == mention["name"]


def test_high_risk_facility_is_listed_audited_and_reported(planted):
    case = planted["HIGH_RISK"]
    files = {m["file"] for m in case["mentions"]}
    assert "oshub/os_hub_facilities_download.csv" in files and len(files & LISTS) == 1
    assert case["grievance_rows"] >= 15 and case["survey_rows"] > 0
    entities = read_rows("reference/trade_restriction_entities.csv")
    for entry in case["list_entries"]:
        assert entities[entry["row"] - 2]["entity_name"] == entry["entity_name"]
    audits = [
        row for row in read_rows("audits/social_audit_findings.csv") if row["audit_id"] in case["audit_ids"]
    ]
    critical = {
        row["finding_category"]
        for row in audits
        if row["severity"] in {"Critical", "Zero Tolerance", "Priority"}
    }
    assert {"Passport retention", "Restricted freedom of movement"} <= critical
    assert any(row["corrective_action_status"] == "Open" for row in audits)
    assert all(row["audit_date"].startswith("2026") for row in audits)


def test_unit_guard_pair_are_two_facilities_at_different_addresses(planted):
    first, second = planted["UNIT_GUARD"]["facilities"]
    assert first["true_facility_key"] != second["true_facility_key"]
    assert first["address"] != second["address"]
    assert first["name"].replace("3", "4") == second["name"]
    assert first["os_id"] and second["os_id"]


def test_bad_rows_are_rare_and_use_known_reason_codes(manifest):
    bad = truth("bad_rows.csv")
    assert {row["reason_code"] for row in bad} <= REASON_CODES
    for entry in manifest["files"]:
        count = sum(1 for row in bad if row["source_file"] == entry["path"])
        assert count <= 0.02 * len(read_rows(entry["path"])), entry["path"]


def test_truth_names_a_facility_for_every_row_of_every_facility_file(manifest):
    mentions = truth("facility_mentions.csv")
    keys = {row["true_facility_key"] for row in truth("facilities.csv")}
    assert {row["true_facility_key"] for row in mentions} <= keys
    for entry in manifest["files"]:
        if entry["source_type"].startswith("reference"):
            continue
        rows = sorted(int(m["source_row"]) for m in mentions if m["source_file"] == entry["path"])
        assert rows == list(range(2, len(read_rows(entry["path"])) + 2)), entry["path"]
