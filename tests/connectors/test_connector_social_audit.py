"""Social-audit findings -> facility mentions + audit findings."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from connectors.ids import stable_hash
from connectors.sources import social_audit
from connectors.staging import reconcile


@pytest.fixture
def audits(fixtures, raw_of):
    raw = raw_of(fixtures / "social_audit" / "audit_findings_sample.csv", contributor="Demo audit exports")
    return raw, social_audit.standardise(raw)


def test_findings_are_mapped_per_scheme(audits):
    raw, result = audits
    findings = {row["source_row"]: row for row in result.tables["audit_findings"].iter_rows(named=True)}
    assert sorted(findings) == [2, 3, 4, 5, 6, 7, 8]
    assert [findings[r]["severity"] for r in (2, 3, 4, 5, 6, 7, 8)] == [
        "critical",
        "major",
        "minor",
        "critical",
        "critical",
        "critical",
        "observation",
    ]
    assert [findings[r]["ilo_indicator"] for r in (2, 3, 4, 5, 8)] == [
        "retention_of_identity_documents",
        "excessive_overtime",
        None,
        "debt_bondage",
        None,
    ]
    assert [findings[r]["corrective_action_status"] for r in (2, 3, 4, 5)] == [
        "open",
        "in_progress",
        "closed",
        "unknown",
    ]
    first = findings[2]
    assert first["finding_id"] == stable_hash("SMETA", "SM-001", "F01")
    assert first["audit_date"] == dt.date(2026, 3, 12)
    assert first["audit_expiry_date"] == dt.date(2027, 3, 12)
    assert findings[5]["audit_expiry_date"] is None and findings[5]["scheme"] == "amfori BSCI"
    assert first["category_raw"] == "Passport retention" and first["severity_raw"] == "Critical"
    assert reconcile(raw, result)["balanced"]


def test_one_facility_mention_per_distinct_facility(audits):
    _, result = audits
    facilities = result.tables["facility_records"]
    findings = result.tables["audit_findings"]
    assert facilities["record_id"].is_unique().all()
    assert facilities["source_row"].to_list() == [2, 5, 6, 7]
    assert set(facilities["source_type"]) == {"social_audit"}
    assert set(findings["record_id"]) == set(facilities["record_id"])
    dhaka = facilities.filter(pl.col("source_row") == 2).row(0, named=True)
    assert dhaka["os_id"] == "BD2021120XK9P1Y" and dhaka["country_code"] == "BD"
    assert findings.filter(pl.col("record_id") == dhaka["record_id"]).height == 3


def test_bad_findings_are_quarantined_with_reasons(audits):
    _, result = audits
    got = sorted(zip(result.rejected["source_row"], result.rejected["reason_code"], strict=True))
    assert got == [
        (9, "unknown_scheme"),
        (10, "invalid_date"),
        (11, "invalid_date"),
        (11, "unknown_category"),
        (12, "unknown_severity"),
        (13, "duplicate_row"),
        (14, "unknown_value"),
        (15, "missing_required"),
    ]
    assert set(result.rejected["source_type"]) == {"social_audit"}


def test_scheme_and_severity_matching_ignores_case_and_spacing(tmp_path, csv_writer, raw_of):
    header = [
        "audit_id",
        "scheme",
        "audit_date",
        "facility_name",
        "facility_country",
        "finding_id",
        "finding_category",
        "severity",
    ]
    path = csv_writer(
        tmp_path / "audits.csv",
        [
            header,
            [
                "A1",
                " AMFORI  bsci ",
                "2026-01-05",
                "Example",
                "CN",
                "F1",
                "forced overtime",
                "zero tolerance",
            ],
        ],
    )
    finding = social_audit.standardise(raw_of(path)).tables["audit_findings"].row(0, named=True)
    assert (finding["scheme"], finding["severity"], finding["ilo_indicator"]) == (
        "amfori BSCI",
        "critical",
        "excessive_overtime",
    )
