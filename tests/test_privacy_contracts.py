"""Acceptance (issue 7): no published table carries a column its contract classifies as personal
(sharing bundles also drop any such column, see sharing.bundle.shareable_columns)."""

from __future__ import annotations

from sharing.bundle import published_contracts


def test_published_tables_carry_no_personal_column():
    contracts = published_contracts()
    assert {c.table_name for c in contracts} >= {"facility_risk", "worker_voice_summary"}
    personal = {
        f"{c.qualified_name}.{column.name}"
        for c in contracts
        for column in c.columns
        if column.classification == "personal"
    }
    assert personal == set()
