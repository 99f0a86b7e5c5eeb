"""The native-script pair set: enough real pairs of each label, Chinese characters on the left, a
source for every row, and the harness's per-pair outcome on one pair."""

from __future__ import annotations

import polars as pl

from benchmarks.er import native_pairs

CJK = r"[\u3400-\u9fff]"


def sourced_pairs(path, matches: int, distinct: int) -> pl.DataFrame:
    """The pair file at `path`, after checking it holds enough pairs of each label, Chinese characters
    on the left only, a source and a list note on every row, and no pair twice."""
    pairs = pl.read_csv(path, infer_schema_length=0)
    counts = dict(pairs.group_by("label").len().iter_rows())
    assert counts["match"] >= matches and counts["distinct"] >= distinct
    assert pairs["left_name"].str.contains(CJK).all() and not pairs["right_name"].str.contains(CJK).any()
    assert pairs["source"].str.contains("http").all() and pairs["list"].is_not_null().all()
    assert pairs.select("left_name", "right_name").is_unique().all()
    return pairs


def test_pair_file_has_enough_labelled_pairs_with_sources():
    assert sourced_pairs(native_pairs.PAIRS, 30, 15)["source"].str.starts_with("http").all()


def test_one_pair_is_resolved_as_a_two_record_input():
    row = pl.read_csv(native_pairs.PAIRS, infer_schema_length=0).row(0, named=True)
    result = native_pairs.score_pair(row | {"left_address": "", "right_address": ""})
    assert result["label"] == "match" and isinstance(result["linked"], bool)
    assert len(result["decisions"]) == 2 and 0.0 <= result["pair_score"] <= 1.0


def test_held_out_file_has_enough_labelled_pairs_with_sources():
    assert sourced_pairs(native_pairs.HELD_OUT, 15, 10)["source"].str.starts_with("http").all()


def test_the_summary_separates_romanisation_from_known_names(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(
        "left_name,left_address,left_country,right_name,right_address,right_country,label,list,source,note\n"
        "和田泰达服装有限公司,,CN,Hetian Taida Apparel Co. Ltd.,,CN,match,L,http://x,\n"
        "昌吉溢达纺织有限公司,,CN,Changji Esquel Textile Co. Ltd.,,CN,match,L,http://x,\n"
        "和田浩林发饰品有限公司,,CN,Hetian Taida Apparel Co. Ltd.,,CN,distinct,L,http://x,\n",
        encoding="utf-8",
    )
    summary = native_pairs.evaluate(path)
    assert (summary["positives_linked"], summary["linked_by_romanisation"]) == (2, 1)
    assert summary["linked_only_through_known_names"] == 1 and summary["negatives_merged"] == 0
    assert summary["names_in_known_names"]  # these firms are on the list, unlike the held-out ones


def held_out_names(constant: str) -> set[str]:
    """The names of the pair file `native_pairs.<constant>`, checked sourced, scored by default and
    free of known names (so the known-names list cannot be what links them)."""
    pairs = sourced_pairs(getattr(native_pairs, constant), 30, 15)
    names = set(pairs["left_name"].to_list()) | set(pairs["right_name"].to_list())
    keys = native_pairs.known_name_keys()
    assert keys and not {name for name in names if native_pairs.normalise_name_plain(name) in keys}
    assert constant in native_pairs.main.__code__.co_names
    return names


def test_the_fresh3_file_is_held_out_sourced_and_scored_by_default():
    assert held_out_names("FRESH3")


def test_the_fresh4_file_is_held_out_sourced_and_scored_by_default():
    names = held_out_names("FRESH4")
    others = set()
    earlier = ("PAIRS", "HELD_OUT", "FRESH", "FRESH2", "FRESH3")
    for path in (getattr(native_pairs, name) for name in earlier):
        other = pl.read_csv(path, infer_schema_length=0)
        others |= set(other["left_name"].to_list()) | set(other["right_name"].to_list())
    assert not names & others  # no name of another pair file, so fresh4 measures firms nobody tuned on
