"""Checks: each rule kind fails on bad rows (with samples) and passes on good ones, on DuckDB."""

from __future__ import annotations

import pytest

from data_contracts import CheckResult, blocking_failures, load_contract

RISK = load_contract("published.facility_risk")


def _by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def _failed(results: list[CheckResult]) -> set[str]:
    return {result.name for result in results if not result.passed}


def test_check_names_are_stable_and_unique():
    names = [check.name for check in RISK.checks()]
    assert len(names) == len(set(names))
    assert {
        "facility_risk__facility_id__not_null",
        "facility_risk__facility_id__unique",
        "facility_risk__facility_id__pattern",
        "facility_risk__risk_band__valid_values",
        "facility_risk__risk_score__range",
        "facility_risk__row_count",
        "facility_risk__drivers_filled_in_order",
    } <= set(names)


def test_check_sql_quotes_identifiers_and_binds_values():
    checks = {check.name: check for check in RISK.checks()}
    band = checks["facility_risk__risk_band__valid_values"]
    assert '"risk_band"' in band.sql and "{table}" in band.sql
    assert "critical" not in band.sql and list(band.params[0]) == [
        "low",
        "medium",
        "high",
        "critical",
        "unknown",
    ]
    score = checks["facility_risk__risk_score__range"]
    assert score.params == (0, 100)
    rows_sql, count_sql = score.render("published.facility_risk")
    assert '"published"."facility_risk"' in rows_sql and "{table}" not in count_sql


def test_good_rows_pass_every_check(con, make_table):
    make_table(RISK, {"facility_id": "FLR-000000000001"}, {"facility_id": "FLR-000000000002"})
    results = RISK.run_checks(con)
    assert _failed(results) == set()
    assert all(r.offending_count in (0, None) for r in results)
    assert blocking_failures(results) == []


@pytest.mark.parametrize(
    ("bad_row", "failing_check", "offending"),
    [
        ({"facility_id": "FLR-000000000001"}, "facility_risk__facility_id__unique", 2),
        ({"facility_name": None}, "facility_risk__facility_name__not_null", 1),
        ({"risk_band": "severe"}, "facility_risk__risk_band__valid_values", 1),
        ({"risk_score": 140.0, "risk_band": "critical"}, "facility_risk__risk_score__range", 1),
        ({"risk_score": -0.5, "risk_band": "low"}, "facility_risk__risk_score__range", 1),
        ({"risk_score": float("nan"), "risk_band": "critical"}, "facility_risk__risk_score__range", 1),
        ({"confidence": 1.2}, "facility_risk__confidence__range", 1),
        ({"evidence_count": -1}, "facility_risk__evidence_count__range", 1),
        ({"facility_id": "FLR-abc"}, "facility_risk__facility_id__pattern", 1),
        ({"country_code": "CHN"}, "facility_risk__country_code__pattern", 1),
    ],
)
def test_each_rule_kind_catches_its_bad_row(con, make_table, bad_row, failing_check, offending):
    good = {"facility_id": "FLR-000000000001"}
    bad = {"facility_id": "FLR-000000000002", **bad_row}
    make_table(RISK, good, bad)
    results = RISK.run_checks(con)
    assert _failed(results) == {failing_check}
    result = _by_name(results)[failing_check]
    assert result.blocking and not result.passed
    assert result.offending_count == offending
    assert len(result.sample_rows) == offending
    assert all(set(row) == set(RISK.column_names) for row in result.sample_rows)
    assert result.error is None
    assert blocking_failures(results) == [result]


def test_samples_are_capped_at_five_rows(con, make_table):
    rows = [{"facility_id": f"FLR-00000000000{i}", "risk_score": 150.0 + i} for i in range(8)]
    make_table(RISK, *rows)
    result = _by_name(RISK.run_checks(con))["facility_risk__risk_score__range"]
    assert result.offending_count == 8
    assert len(result.sample_rows) == 5


def test_empty_table_fails_the_blocking_row_count(con, make_table):
    make_table(RISK)
    result = _by_name(RISK.run_checks(con))["facility_risk__row_count"]
    assert not result.passed and result.blocking
    assert result.offending_count is None and result.observed_value == 0
    assert "must be greater than 0" in result.message


def test_warning_rules_fail_without_blocking(con, make_table):
    make_table(RISK, {"driver_1": None, "driver_2": "Something"})
    results = RISK.run_checks(con)
    result = _by_name(results)["facility_risk__drivers_filled_in_order"]
    assert not result.passed and not result.blocking
    assert result.offending_count == 1 and result.sample_rows[0]["driver_2"] == "Something"
    assert blocking_failures(results) == []


def test_composite_primary_key_duplicates_are_caught(con, make_table):
    contract = load_contract("published.country_commodity_risk")
    make_table(contract, {"good": "Cotton"}, {"good": "Cotton"}, {"good": "Tomatoes"})
    result = _by_name(contract.run_checks(con))["country_commodity_risk__primary_key__unique"]
    assert not result.passed and result.offending_count == 2
    assert {row["good"] for row in result.sample_rows} == {"Cotton"}


def test_table_level_duplicate_count_rule(con, make_table):
    contract = load_contract("staged.reference_dol_goods")
    make_table(contract, {"entry_id": "a"}, {"entry_id": "b"})
    results = contract.run_checks(con)
    assert _failed(results) == {"reference_dol_goods__country_code__good__edition__unique"}


def test_sql_rules_fail_with_sample_rows(con, make_table):
    contract = load_contract("published.worker_voice_summary")
    leaking = {"period": "2026-Q3", "suppressed": True, "suppression_reason": "below_k"}
    too_small = {"period": "2026-Q4", "respondents": 3, "reporting": 1}
    make_table(contract, {}, leaking, too_small)
    results = _by_name(contract.run_checks(con))
    hidden = results["worker_voice_summary__suppressed_cells_hide_counts"]
    assert not hidden.passed and hidden.blocking and hidden.offending_count == 1
    assert hidden.sample_rows[0]["period"] == "2026-Q3"
    k_rule = results["worker_voice_summary__published_cells_meet_k"]
    assert not k_rule.passed and k_rule.sample_rows[0]["respondents"] == 3


def test_quarantine_payload_must_not_carry_reporter_fields(con, make_table):
    contract = load_contract("quarantine.rejected_rows")
    make_table(
        contract,
        {"source_type": "worker_voice_grievance", "payload": '{"Reporter_Phone ": "+1 555"}'},
        {"source_type": "worker_voice_grievance", "payload": '{"case_id": "C-1"}'},
    )
    results = contract.run_checks(con)
    assert _failed(results) == {"rejected_rows__no_sensitive_worker_voice_fields"}


def test_checks_run_against_another_table_name(con, make_table):
    target = make_table(RISK, {"risk_band": "severe"}, name="published.facility_risk__next")
    results = RISK.run_checks(con, target)
    assert _failed(results) == {"facility_risk__risk_band__valid_values"}


def test_engine_failures_are_reported_not_raised(con):
    results = RISK.run_checks(con, "published.missing_table")
    assert results and all(not r.passed and r.error for r in results)
    assert results[0].message.startswith("check could not run")


@pytest.mark.parametrize(
    ("bad_row", "failing_check", "expected_message"),
    [
        (
            {"facility_id": "FLR-000000000001"},
            "facility_risk__facility_id__unique",
            "2 offending row(s): (facility_id) is unique",
        ),
        (
            {"facility_name": None},
            "facility_risk__facility_name__not_null",
            "1 offending row(s): facility_name is never null",
        ),
        (
            {"risk_band": "severe"},
            "facility_risk__risk_band__valid_values",
            "1 offending row(s): Every non-null value is one of",
        ),
        (
            {"risk_score": 140.0},
            "facility_risk__risk_score__range",
            "1 offending row(s): Every non-null value lies between 0 and 100",
        ),
        (
            {"facility_id": "FLR-abc"},
            "facility_risk__facility_id__pattern",
            "1 offending row(s): facility_id matches ^FLR-",
        ),
    ],
)
def test_each_rule_kind_fails_with_its_expected_message(
    con, make_table, bad_row, failing_check, expected_message
):
    make_table(RISK, {"facility_id": "FLR-000000000001"}, {"facility_id": "FLR-000000000002", **bad_row})
    assert _by_name(RISK.run_checks(con))[failing_check].message.startswith(expected_message)


def test_checks_compile_parts_without_knowing_the_contract_class():
    """checks.py compiles columns and rules (data_contracts.parts), never a Contract: no circle."""
    from tests.test_architecture import ROOT, imports_of

    assert "data_contracts.model" not in imports_of(ROOT / "data_contracts" / "checks.py")


def test_row_checks_counted_together_give_what_each_check_alone_gives(con, make_table):
    # the row checks are counted in one scan; a check that cannot run there makes each check run alone
    import dataclasses

    from data_contracts.checks import run_checks

    target = make_table(
        RISK,
        {"facility_id": "FLR-000000000001", "risk_band": "severe", "facility_name": None},
        {"facility_id": "FLR-abc", "risk_score": 140.0},
    )
    checks = RISK.checks()
    together = run_checks(checks, con, target)
    alone = [run_checks([check], con, target)[0] for check in checks]
    assert together == alone
    assert _failed(together) >= {
        "facility_risk__risk_band__valid_values",
        "facility_risk__facility_name__not_null",
        "facility_risk__facility_id__pattern",
        "facility_risk__risk_score__range",
    }
    rows = "SELECT * FROM {table} WHERE no_such_column IS NULL"
    broken = dataclasses.replace(
        checks[0], name="broken", sql=rows, count_sql=f"SELECT COUNT(*) FROM ({rows}) AS offending"
    )
    with_broken = run_checks([*checks, broken], con, target)
    assert with_broken[:-1] == alone
    assert with_broken[-1].error and with_broken[-1].message.startswith("check could not run")
