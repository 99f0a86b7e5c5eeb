"""The entity-resolution benchmark's metric functions on small hand-checked cases."""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.er import metrics
from benchmarks.er.real_pairs import auc


def frame(truth: list[str], cluster: list[str], **extra) -> pl.DataFrame:
    return pl.DataFrame({"true_facility": truth, "cluster": cluster, **extra})


def test_pairwise_perfect_clustering_scores_one():
    scores = metrics.pairwise(frame(["a", "a", "b", "c", "c", "c"], ["1", "1", "2", "3", "3", "3"]))
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    assert scores["true_pairs"] == scores["predicted_pairs"] == scores["correct_pairs"] == 4


def test_pairwise_counts_pairs_not_records():
    # truth {1,2,3} {4}; predicted {1,2} {3,4}: 3 true pairs, 2 predicted, 1 correct
    scores = metrics.pairwise(frame(["a", "a", "a", "b"], ["x", "x", "y", "y"]))
    assert scores["true_pairs"] == 3 and scores["predicted_pairs"] == 2 and scores["correct_pairs"] == 1
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(1 / 3)
    assert scores["f1"] == pytest.approx(0.4)


def test_pairwise_all_singletons_has_no_predicted_pairs():
    scores = metrics.pairwise(frame(["a", "a", "b"], ["1", "2", "3"]))
    assert scores["predicted_pairs"] == 0 and scores["recall"] == 0.0 and scores["f1"] == 0.0


def test_bcubed_matches_hand_computation():
    # truth {1,2,3} {4}; predicted {1,2} {3,4}
    # precision per record: 1, 1, 1/2, 1/2 -> 0.75; recall: 2/3, 2/3, 1/3, 1 -> 2/3
    scores = metrics.bcubed(frame(["a", "a", "a", "b"], ["x", "x", "y", "y"]))
    assert scores["precision"] == pytest.approx(0.75)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_true_pairs_lists_each_unordered_pair_once():
    pairs = metrics.true_pairs(frame(["a", "b", "a", "a"], ["1", "2", "3", "4"]))
    assert sorted(pairs.iter_rows()) == [(0, 2), (0, 3), (2, 3)]


def test_reach_needs_every_column_of_a_key_set_and_nulls_never_agree():
    records = pl.DataFrame(
        {
            "true_facility": ["a", "a", "a", "b"],
            "country": ["CN", "CN", "CN", "CN"],
            "token": ["x", "x", None, "x"],
        }
    )
    # true pairs: (0,1) share CN+x, (0,2) and (1,2) have a null token
    assert metrics.reach(records, [["country", "token"]]) == pytest.approx(1 / 3)
    assert metrics.reach(records, [["country", "token"], ["country"]]) == 1.0


def test_engine_reach_proxy_counts_co_clustered_and_review_pairs():
    records = frame(["a", "a", "a", "b"], ["1", "1", "2", "3"], decision=["auto", "auto", "review", "new"])
    # true pairs (0,1) together, (0,2) and (1,2) touch a review record
    assert metrics.reached_by_engine(records) == 1.0
    records = records.with_columns(decision=pl.lit("new"))
    assert metrics.reached_by_engine(records) == pytest.approx(1 / 3)


def test_wrong_merges_are_split_by_relation():
    records = frame(
        ["a", "b", "c", "d"],
        ["1", "1", "2", "2"],
        group_id=["g1", "g1", "g2", "g3"],
        source=["oshub", "oshub", "carma", "carma"],
    )
    merges = metrics.wrong_merges(records)
    assert merges["sibling_sites"] == 1 and merges["unrelated"] == 1 and merges["total"] == 2


def test_missed_by_tag_reports_tags_of_missed_pairs():
    records = frame(["a", "a", "b", "b"], ["1", "2", "3", "3"], noise=["typo", "", "", "typo"])
    rows = metrics.missed_by_tag(records, metrics.true_pairs(records))
    assert rows == [{"tag": "typo", "missed_pairs": 1, "share_of_missed": 1.0, "lift": 1.0}]


def test_auc_counts_ties_half():
    assert auc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auc([0.5, 0.5], [True, False]) == 0.5
    assert auc([0.1, 0.9], [True, False]) == 0.0
