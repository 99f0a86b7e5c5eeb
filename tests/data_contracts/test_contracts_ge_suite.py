"""Great Expectations suites come from the same checks and validate pandas frames."""

from __future__ import annotations

import pytest

from data_contracts import (
    all_contracts,
    great_expectations_suite,
    load_contract,
    validate_with_great_expectations,
)
from data_contracts.ge_suite import VERDICT_PREFIX, engine_errors, verdict_frame

RISK = load_contract("published.facility_risk")


@pytest.mark.parametrize("contract", all_contracts(), ids=lambda c: c.qualified_name)
def test_suite_has_one_expectation_per_rule(contract):
    """Issue 19: the GE suite counts the same rules as the summary and the Dagster asset checks."""
    suite = great_expectations_suite(contract)
    checks = contract.checks()
    assert suite.name == contract.qualified_name
    assert [e.meta["check"] for e in suite.expectations] == [c.name for c in checks]
    assert suite.meta["rules"] == len(checks)
    by_duckdb = [e.meta["check"] for e in suite.expectations if e.meta.get("evaluated_by") == "duckdb"]
    assert by_duckdb == suite.meta["evaluated_by_duckdb"]
    assert {c.name for c in checks if c.kind == "sql"} <= set(by_duckdb)
    assert suite.meta["contract_version"] == contract.version


def test_facility_risk_suite_maps_every_rule_kind():
    suite = great_expectations_suite(RISK)
    by_check = {e.meta["check"]: e for e in suite.expectations}
    assert len(suite.expectations) == len(RISK.checks())  # one expectation per contract rule
    assert type(by_check["facility_risk__facility_id__not_null"]).__name__ == (
        "ExpectColumnValuesToNotBeNull"
    )
    assert type(by_check["facility_risk__facility_id__unique"]).__name__ == ("ExpectColumnValuesToBeUnique")
    band = by_check["facility_risk__risk_band__valid_values"]
    assert set(band.value_set) == {"low", "medium", "high", "critical", "unknown"}
    score = by_check["facility_risk__risk_score__range"]
    assert (score.min_value, score.max_value) == (0, 100)
    rows = by_check["facility_risk__row_count"]
    assert (rows.min_value, rows.max_value) == (1, None)
    assert by_check["facility_risk__facility_id__pattern"].regex == "^FLR-[0-9A-F]{12}$"
    order = by_check.pop("facility_risk__drivers_filled_in_order")  # a SQL rule, judged by DuckDB per row
    assert order.column == VERDICT_PREFIX + "facility_risk__drivers_filled_in_order"
    assert order.severity.value == ("critical" if order.meta["blocking"] else "warning")
    assert {e.severity.value for e in by_check.values()} == {"critical"}


def test_compound_keys_become_compound_uniqueness():
    suite = great_expectations_suite(load_contract("published.worker_voice_summary"))
    (compound,) = [e for e in suite.expectations if hasattr(e, "column_list")]
    assert compound.column_list == ["facility_id", "period", "ilo_indicator"]


def test_warning_rules_become_warning_expectations():
    suite = great_expectations_suite(load_contract("staged.audit_findings"))
    by_check = {e.meta["check"]: e for e in suite.expectations}
    assert by_check["audit_findings__scheme__valid_values"].severity.value == "warning"
    assert by_check["audit_findings__scheme__valid_values"].meta["blocking"] is False


def test_validates_a_pandas_frame_from_duckdb(con, make_table):
    make_table(RISK, {"facility_id": "FLR-000000000001"}, {"facility_id": "FLR-000000000002"})
    good = validate_with_great_expectations(RISK, verdict_frame(con, RISK))
    assert engine_errors(good) == []
    assert good.success, [r.expectation_config.meta for r in good.results if not r.success]

    make_table(
        RISK,
        {"facility_id": "FLR-000000000001"},
        {"facility_id": "FLR-000000000001", "risk_band": "severe", "risk_score": 140.0},
    )
    bad = validate_with_great_expectations(RISK, verdict_frame(con, RISK))
    assert engine_errors(bad) == []
    failed = {r.expectation_config.meta["check"] for r in bad.results if not r.success}
    assert failed == {
        "facility_risk__facility_id__unique",
        "facility_risk__risk_band__valid_values",
        "facility_risk__risk_score__range",
    }


def test_a_sql_rule_is_judged_per_row_in_the_great_expectations_result(con, make_table):
    """drivers_filled_in_order: a driver_2 without driver_1 fails the SQL rule; GE reports it too."""
    make_table(
        RISK,
        {"facility_id": "FLR-000000000001"},
        {"facility_id": "FLR-000000000002", "driver_1": None, "driver_2": "audit finding"},
    )
    frame = verdict_frame(con, RISK)
    assert frame[VERDICT_PREFIX + "facility_risk__drivers_filled_in_order"].tolist() == [True, False]
    result = validate_with_great_expectations(RISK, frame)
    assert engine_errors(result) == []
    failed = {r.expectation_config.meta["check"] for r in result.results if not r.success}
    assert "facility_risk__drivers_filled_in_order" in failed
