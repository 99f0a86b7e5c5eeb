"""Freshness against the SLA: bounds come from each contract's slaProperties, and the data-quality
summary of a real run lists every table's last update, SLA and status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from data_contracts import all_contracts
from data_contracts.freshness import FreshnessSla, freshness_row, freshness_section, sla_of
from tests.pipelines.operations_support import baseline_home

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_every_contract_declares_a_frequency_and_latency():
    for contract in all_contracts():
        sla = sla_of(contract.qualified_name)
        assert sla.frequency is not None and sla.max_age == sla.frequency + sla.latency


@pytest.mark.parametrize(
    ("age", "status"),
    [(timedelta(hours=1), "fresh"), (timedelta(hours=48), "fresh"), (timedelta(hours=49), "stale")],
)
def test_a_daily_table_allowed_a_day_late_is_stale_after_two_days(age, status):
    row = freshness_row(sla_of("published.facility_risk"), NOW - age, NOW)
    assert row["status"] == status and row["max_age_hours"] == 48.0
    assert row["sla"] == "every 1 d, at most 1 d late"


def test_never_updated_and_no_sla():
    assert freshness_row(sla_of("staged.audits"), None, NOW)["status"] == "never_updated"
    assert freshness_row(FreshnessSla("x.y", None, timedelta(0)), NOW, NOW)["status"] == "no_sla"


def test_stale_rows_are_marked_in_the_summary_section():
    rows = [freshness_row(sla_of("published.facility_risk"), NOW - timedelta(days=5), NOW)]
    assert freshness_section(rows).failed_rows == 1


def test_the_summary_of_a_real_run_has_freshness_for_every_reported_table():
    summary = json.loads((baseline_home() / "reports" / "data_quality" / "summary.json").read_text())
    freshness = {row["table"]: row for row in summary["freshness"]}
    assert freshness["published.facility_risk"]["status"] == "fresh"
    assert freshness["published.facility_risk"]["last_update"]
    assert {t["table"] for t in summary["tables"]} <= set(freshness)
