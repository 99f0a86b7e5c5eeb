"""The error-analysis tool's cause classification and exact reach on a tiny hand-built engine trace.

Facility A has records 0-4, B has 5-6, C has 7-8. Candidate pairs and scores (auto >= 0.5, review >= 0.2):
(0,1) 0.9, (1,2) 0.3, (0,4) 0.1, (4,5) 0.7, (5,6) 0.95, (7,8) 0.8. Clusters: {0,1}, {2}, {3}, {4,5,6},
{7}, {8} (7 and 8 split by a guard). So in A: (0,1) found; pairs with 3 never compared (4); (0,4),
(1,4), (2,4) joined only through a 0.1 link (scored low, 3); (0,2), (1,2) through a review-band link
(2); in C one pair split by a guard. Wrong pairs: (4,5) scored high itself, (4,6) only through 5.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.er import errors, errors_report, trace
from entity_resolution.settings import ResolutionSettings

FACILITY = ["A", "A", "A", "A", "A", "B", "B", "C", "C"]
SCORES = [(0, 1, 0.9), (1, 2, 0.3), (0, 4, 0.1), (4, 5, 0.7), (5, 6, 0.95), (7, 8, 0.8)]
CLUSTERS = [10, 10, 11, 12, 14, 14, 14, 15, 16]


def hand_built() -> trace.Trace:
    prepared = pl.DataFrame(
        {
            "idx": list(range(9)),
            "true_facility": FACILITY,
            "group_id": ["a", "a", "a", "a", "a", "b", "b", "c", "c"],
            "source": ["single"] * 9,
            "kind": ["firm"] * 9,
        },
        schema_overrides={"idx": pl.UInt32},
    )
    scores = pl.DataFrame(SCORES, schema=["left", "right", "match_score"], orient="row").with_columns(
        pl.col("left", "right").cast(pl.UInt32), dismissed=pl.lit(False)
    )
    pairs = scores.select("left", "right", pass_mask=pl.lit(2, pl.UInt8))
    bands = ResolutionSettings(auto_match_threshold=0.5, review_threshold=0.2)  # the bands above
    return trace.Trace(prepared, pairs, scores, np.array(CLUSTERS), bands)


def test_missed_pairs_are_sorted_into_causes():
    level = errors.levels(hand_built())
    assert errors.missed_causes(level) == {
        "never_compared": 4,
        "scored_low": 3,
        "review_band": 2,
        "split_by_guard": 1,
    }
    listed = errors_report.missed_pairs(level)
    assert dict(listed.group_by("cause").len().iter_rows()) == {
        "never_compared": 4,
        "scored_low": 3,
        "review_band": 2,
        "split_by_guard": 1,
    }
    assert set(listed.filter(pl.col("cause") == "review_band").select("left", "right").iter_rows()) == {
        (0, 2),
        (1, 2),
    }


def test_wrong_pairs_are_direct_or_transitive():
    tr = hand_built()
    wrong = errors.wrong_causes(tr, errors.levels(tr))
    assert (wrong["total"], wrong["direct"], wrong["transitive"]) == (2, 1, 1)
    assert wrong["unrelated"] == 2 and wrong["direct_by_relation"] == {"unrelated": 1}


def test_recall_by_facility_size_counts_pairs_kept_together():
    rows = errors.by_facility_size(errors.levels(hand_built()))
    small, medium = rows[0], rows[1]
    assert (small["facilities"], small["true_pairs"], small["recall"]) == (2, 2, 0.5)
    assert (medium["facilities"], medium["true_pairs"], medium["recall"]) == (1, 10, 0.1)


def test_reach_is_exact_direct_and_within_facility():
    figures = trace.reach(hand_built())
    assert figures["true_pairs"] == 12 and figures["true_pairs_compared"] == 5
    assert figures["reach_direct"] == round(5 / 12, 4)
    assert figures["reach_transitive"] == round(8 / 12, 4)  # {0,1,2,4} joined, 3 alone; B and C joined
    assert figures["pairs_per_record"] == round(6 / 9, 3)
