"""Social-audit export shapes: SMETA, RBA VAP and amfori BSCI exports land in the one finding model."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import polars as pl
import pytest

from connectors.headers import normalise_header
from connectors.ids import stable_hash
from connectors.sources import social_audit
from connectors.sources.social_audit.shapes import audit_layouts, performance_areas
from connectors.staging import reconcile
from connectors.vocabulary import category_entry, corrective_action_status, map_severity
from data_contracts import load_contract

SHAPE_FILES = {
    "smeta_nc": "smeta_nc_export_sample.csv",
    "rba_vap": "rba_vap_findings_sample.csv",
    "amfori_bsci": "amfori_bsci_audits_sample.csv",
    "flrisk": "audit_findings_sample.csv",
}


def standardised(fixtures, raw_of, file_name: str, **options):
    raw = raw_of(fixtures / "social_audit" / file_name)
    return raw, social_audit.standardise(raw, **options)


def rejections(result) -> list[tuple[int, str | None, str]]:
    rows = result.rejected.select("source_row", "column_name", "reason_code").iter_rows()
    return sorted(rows, key=lambda r: (r[0], r[1] or ""))


@pytest.mark.parametrize("shape", SHAPE_FILES)
def test_each_shape_is_detected_and_balances(fixtures, raw_of, shape):
    raw, result = standardised(fixtures, raw_of, SHAPE_FILES[shape], with_audits=True)
    findings = result.tables["audit_findings"]
    assert set(findings["export_shape"]) == {shape}
    assert set(result.tables["audits"]["export_shape"]) == {shape}
    assert result.unknown_columns == {}
    assert reconcile(raw, result)["balanced"]
    for name in ("audit_findings", "audits"):
        assert result.tables[name].schema == load_contract(f"staged.{name}").polars_schema()


def test_smeta_export(fixtures, raw_of):
    _, result = standardised(fixtures, raw_of, SHAPE_FILES["smeta_nc"])
    findings = {row["source_row"]: row for row in result.tables["audit_findings"].iter_rows(named=True)}
    assert sorted(findings) == [2, 3, 4, 5]
    first = findings[2]
    assert (first["scheme"], first["scheme_version"], first["auditor"]) == (
        "SMETA",
        "7.0",
        "Example Audit Co",
    )
    assert (first["severity_raw"], first["severity"]) == ("Business Critical", "critical")
    assert first["ilo_indicator"] == "retention_of_identity_documents"
    assert first["corrective_action_status"] == "closed"
    assert first["corrective_action_closed_date"] == dt.date(2026, 3, 1)
    assert first["finding_id"] == stable_hash("SMETA", "ZAA-1001", "NC-01")
    assert [findings[r]["corrective_action_status"] for r in (3, 4, 5)] == [
        "open",
        "in_progress",
        "in_progress",
    ]
    assert rejections(result) == [
        (6, "severity", "unknown_severity"),
        (7, "corrective_action_status", "unknown_value"),
        (8, "corrective_action_closed_date", "invalid_date"),
    ]
    facilities = result.tables["facility_records"]
    assert facilities["country_code"].to_list() == ["BD", "VN"]


def test_rejection_messages_name_the_file_column(fixtures, raw_of):
    _, result = standardised(fixtures, raw_of, SHAPE_FILES["smeta_nc"])
    message = result.rejected.filter(pl.col("source_row") == 6)["message"][0]
    assert "'Good Example'" in message and "(file column 'NC Severity')" in message


def test_rba_vap_export(fixtures, raw_of):
    _, result = standardised(fixtures, raw_of, SHAPE_FILES["rba_vap"])
    findings = result.tables["audit_findings"]
    assert findings["severity"].to_list() == ["critical", "major", "observation"]
    assert findings["corrective_action_status"].to_list() == ["in_progress", "closed", "open"]
    assert set(findings["scheme"]) == {"RBA VAP"} and set(findings["scheme_version"]) == {"8.0"}
    assert rejections(result) == [
        (5, "severity", "unknown_severity"),
        (6, "finding_category", "unknown_category"),
    ]


def test_amfori_bsci_ratings_become_findings(fixtures, raw_of):
    _, result = standardised(fixtures, raw_of, SHAPE_FILES["amfori_bsci"], with_audits=True)
    findings = result.tables["audit_findings"]
    got = [
        (row["source_row"], row["category_raw"], row["severity_raw"], row["severity"], row["ilo_indicator"])
        for row in findings.iter_rows(named=True)
    ]
    assert got == [
        (2, "Fair remuneration", "C", "minor", "withholding_of_wages"),
        (2, "Decent working hours", "D", "major", "excessive_overtime"),
        (2, "No bonded labour", "E", "critical", "debt_bondage"),
        (4, "No bonded labour", "Zero Tolerance", "critical", "debt_bondage"),
    ]
    assert findings["finding_id"][0] == stable_hash("amfori BSCI", "BSCI-2026-101", "PA5")
    assert findings.filter(pl.col("source_row") == 4)["corrective_action_closed_date"][0] == dt.date(
        2026, 5, 20
    )
    audits = result.tables["audits"]
    assert audits.select("audit_id", "overall_rating_raw", "findings").rows() == [
        ("BSCI-2026-101", "C", 3),
        ("BSCI-2026-102", "A", 0),
        ("BSCI-2026-103", "B", 1),
        ("BSCI-2026-107", "A", 0),
    ]
    assert rejections(result) == [
        (5, "pa7_rating", "unknown_severity"),
        (6, "pa8_zero_tolerance", "unknown_value"),
        (7, "overall_rating", "unknown_severity"),
        (8, None, "duplicate_row"),
    ]


def test_clean_bsci_audits_are_only_accounted_for_with_the_audits_table(fixtures, raw_of):
    raw, without = standardised(fixtures, raw_of, SHAPE_FILES["amfori_bsci"])
    assert "audits" not in without.tables
    figures = reconcile(raw, without)
    assert not figures["balanced"] and figures["read"] - figures["staged"] - figures["quarantined"] == 1


def test_a_declared_shape_overrides_detection(fixtures, raw_of):
    _, result = standardised(fixtures, raw_of, SHAPE_FILES["smeta_nc"], shape="flrisk")
    assert result.tables["audit_findings"].is_empty()
    assert set(result.rejected["reason_code"]) == {"missing_required"}
    with pytest.raises(ValueError, match="unknown layout"):
        standardised(fixtures, raw_of, SHAPE_FILES["smeta_nc"], shape="wrap")


def test_a_file_matching_no_shape_is_quarantined_not_guessed(tmp_path, csv_writer, raw_of):
    path = csv_writer(
        tmp_path / "audits.csv", [["Audit", "Factory", "Problem"], ["A1", "Example Mill", "Fire"]]
    )
    result = social_audit.standardise(raw_of(path))
    assert result.tables["audit_findings"].is_empty()
    assert set(result.rejected["reason_code"]) == {"missing_required"}
    assert "is missing from the file header" in result.rejected["message"][0]
    assert result.unknown_columns == {str(path): ("Audit", "Factory", "Problem")}


def test_files_of_different_shapes_in_one_load(fixtures, raw_of):
    raw = pl.concat(
        [
            raw_of(fixtures / "social_audit" / SHAPE_FILES[shape], load_id=f"load-{shape}")
            for shape in SHAPE_FILES
        ]
    )
    result = social_audit.standardise(raw, with_audits=True)
    figures = reconcile(raw, result)
    assert figures["balanced"] and len(figures["by_file"]) == 4
    assert set(result.tables["audit_findings"]["export_shape"]) == set(SHAPE_FILES)


def test_smeta_export_as_xlsx(tmp_path, fixtures, raw_of):
    rows = (fixtures / "social_audit" / SHAPE_FILES["smeta_nc"]).read_text(encoding="utf-8").splitlines()
    workbook = openpyxl.Workbook()
    for values in csv.reader(rows):
        workbook.active.append(values)
    path = tmp_path / "sedex_export.xlsx"
    workbook.save(path)
    _, from_csv = standardised(fixtures, raw_of, SHAPE_FILES["smeta_nc"])
    from_xlsx = social_audit.standardise(raw_of(path))
    assert from_xlsx.tables["audit_findings"]["finding_id"].to_list() == (
        from_csv.tables["audit_findings"]["finding_id"].to_list()
    )


def test_canonical_closure_date(tmp_path, csv_writer, raw_of):
    header = [
        "audit_id",
        "scheme",
        "audit_date",
        "facility_name",
        "facility_country",
        "finding_id",
        "finding_category",
        "severity",
        "corrective_action_status",
        "corrective_action_closed_date",
    ]
    base = ["A1", "SMETA", "2026-01-05", "Example", "CN"]
    path = csv_writer(
        tmp_path / "audits.csv",
        [
            header,
            [*base, "F1", "Forced overtime", "Major", "Closed", "2026-02-01"],
            [*base, "F2", "Forced overtime", "Major", "Closed", "2025-12-31"],
            [*base, "F3", "Forced overtime", "Major", "Closed", "not yet"],
        ],
    )
    result = social_audit.standardise(raw_of(path))
    assert result.tables["audit_findings"]["corrective_action_closed_date"].to_list() == [dt.date(2026, 2, 1)]
    assert rejections(result) == [
        (3, "corrective_action_closed_date", "invalid_date"),
        (4, "corrective_action_closed_date", "invalid_date"),
    ]


def test_mapping_tables_are_consistent():
    layouts = audit_layouts()
    assert set(layouts) == {"flrisk", "smeta_nc", "rba_vap", "amfori_bsci"}
    for layout in layouts.values():
        assert all(normalise_header(column) == column for column in layout.columns)
        assert {"audit_id", "audit_date", "facility_name", "facility_country"} <= set(layout.required)
    assert [area.area for area in performance_areas()] == [f"PA{n}" for n in range(1, 14)]
    assert all(category_entry(area.category) for area in performance_areas())
    assert [map_severity("amfori BSCI", rating) for rating in "ABCDE"] == [
        "none",
        "none",
        "minor",
        "major",
        "critical",
    ]
    assert map_severity("SMETA", "Business Critical") == "critical"
    assert map_severity("RBA VAP", "Priority Nonconformance") == "critical"
    assert (
        corrective_action_status("") == "unknown"
        and corrective_action_status("closed  - VERIFIED") == "closed"
    )
    assert corrective_action_status("Escalated") is None
