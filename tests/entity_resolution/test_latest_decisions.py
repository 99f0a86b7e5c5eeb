"""A reviewer who changes their mind appends a decision; the newest one per pair (either order) applies."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from entity_resolution.resolve import latest_decisions


def test_the_latest_decision_per_unordered_pair_wins():
    decisions = pl.DataFrame(
        {
            "record_id_left": ["a", "b", "c"],
            "record_id_right": ["b", "a", "d"],
            "decision": ["confirm", "reject", "confirm"],
            "decided_at": [datetime(2026, 11, 1), datetime(2026, 11, 2), datetime(2026, 11, 1)],
        }
    )
    latest = latest_decisions(decisions).sort("record_id_left")
    assert latest.select("record_id_left", "decision").rows() == [("b", "reject"), ("c", "confirm")]
