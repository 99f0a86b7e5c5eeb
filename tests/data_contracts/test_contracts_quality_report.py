"""The quality report is offline, escaped, and summarises failures with their samples."""

from __future__ import annotations

import datetime as dt
import json
import re

from data_contracts import CheckResult, TableQuality, load_contract, render_report

GENERATED_AT = "2026-11-23T06:00:00Z"


def _failure(**overrides) -> CheckResult:
    values = {
        "name": "facility_risk__risk_band__valid_values",
        "description": "risk_band is one of <low|medium|high|critical|unknown>",
        "blocking": True,
        "passed": False,
        "offending_count": 2,
        "observed_value": 2,
        "message": "2 offending row(s)",
        "sample_rows": (
            {
                "facility_id": "FLR-1",
                "facility_name": "<script>alert('x')</script>",
                "as_of_date": dt.date(2026, 11, 23),
                "score": float("nan"),
            },
            {
                "facility_id": "FLR-2",
                "facility_name": "see https://evil.example/x & http://a.b",
                "as_of_date": None,
                "score": 1.5,
            },
        ),
    }
    values.update(overrides)
    return CheckResult(**values)


def _passed(name: str) -> CheckResult:
    return CheckResult(name, "fine", True, True, 0, 0, "no offending rows")


def test_report_is_offline_and_escaped(tmp_path):
    results = {
        "published.facility_risk": [_failure(), _passed("facility_risk__facility_id__not_null")],
        "published.brand_exposure": [_passed("brand_exposure__row_count")],
    }
    index = render_report(results, tmp_path / "report", GENERATED_AT)
    page = index.read_text(encoding="utf-8")
    assert index.name == "index.html"
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;low|medium|high|critical|unknown&gt;" in page
    for external in ("src=", "<link", "@import", "url("):
        assert external not in page
    assert "<style>" in page and "FLR-2" in page


def test_summary_json_counts_failures_and_samples(tmp_path):
    tables = [
        TableQuality(
            "published.facility_risk",
            [_failure(), _failure(name="facility_risk__drivers", blocking=False), _passed("ok")],
            row_count=1234,
            contract_version="1.0.0",
        ),
        TableQuality("published.brand_exposure", [_passed("brand_exposure__row_count")], 0),
    ]
    render_report(tables, tmp_path, GENERATED_AT)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["generated_at"] == GENERATED_AT
    assert summary["status"] == "failed"
    assert summary["totals"] == {"tables": 2, "checks": 4, "passed": 2, "failed": 2, "blocking_failed": 1}
    risk = summary["tables"][0]
    assert (risk["row_count"], risk["contract_version"], risk["blocking_failed"]) == (1234, "1.0.0", 1)
    first = risk["failures"][0]
    assert first["offending_count"] == 2
    assert first["sample_rows"][0]["as_of_date"] == "2026-11-23"
    assert first["sample_rows"][0]["score"] is None  # NaN is not JSON
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "1,234" in page


def test_report_from_real_check_results(tmp_path, con, make_table):
    contract = load_contract("staged.reference_entity_lists")
    make_table(contract, {}, {"entry_id": "x-1", "list_name": "<b>unknown</b>"})
    results = contract.run_checks(con)
    index = render_report(
        [TableQuality(contract.qualified_name, results, 2, contract.version)], tmp_path, "now"
    )
    page = index.read_text(encoding="utf-8")
    assert "reference_entity_lists__list_name__valid_values" in page
    assert "&lt;b&gt;unknown&lt;/b&gt;" in page
    assert not re.search(r"https?://", page)  # the example reference_url is defused
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["tables"][0]["failed"] == 1


def test_links_are_listed_escaped_and_defused(tmp_path):
    index = render_report(
        {"published.facility_risk": [_passed("ok")]},
        tmp_path,
        GENERATED_AT,
        links=[("data_docs/index.html", "Data Docs <GE>"), ("https://example.org/x", "external")],
    )
    page = index.read_text(encoding="utf-8")
    assert '<a href="data_docs/index.html">Data Docs &lt;GE&gt;</a>' in page
    assert not re.search(r"https?://", page)


def test_summary_lists_every_rule_quarantine_and_a_failed_reconciliation(tmp_path):
    from data_contracts.report_sections import quarantine_section, reconciliation_section

    passed = _failure(name="facility_risk__row_count", passed=True, offending_count=None, sample_rows=())
    table = TableQuality("published.facility_risk", [passed], row_count=7, contract_version="1.2.0")
    quarantine = quarantine_section([{"source_type": "supplier_list", "reason_code": "<bad>", "rows": 3}])
    loads = reconciliation_section(
        [
            {
                "source_type": "supplier_list",
                "source_file": "a.csv",
                "rows_read": 10,
                "rows_staged": 7,
                "rows_quarantined": 3,
                "reconciled": True,
            },
            {
                "source_type": "social_audit",
                "source_file": "b.csv",
                "rows_read": 5,
                "rows_staged": 3,
                "rows_quarantined": 1,
                "reconciled": False,
            },
        ]
    )
    index = render_report([table], tmp_path, GENERATED_AT, sections=[quarantine, loads])
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["tables"][0]["rules"] == [
        {
            "name": "facility_risk__row_count",
            "passed": True,
            "blocking": True,
            "rows_checked": 7,
            "offending_rows": None,
            "error": None,
        }
    ]
    assert summary["quarantine_by_reason"][0]["rows"] == 3
    assert [row["reconciled"] for row in summary["load_reconciliation"]] == [True, False]
    assert summary["status"] == "failed"  # a load that lost a row fails the report even with every rule green
    page = index.read_text(encoding="utf-8")
    assert "&lt;bad&gt;" in page and "<bad>" not in page
    assert "Load reconciliation" in page and '<tr class="bad"><td>social_audit' in page
