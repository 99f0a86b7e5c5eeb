"""Accuracy metrics for a clustering of records against their true facilities.

All metrics work on one frame with a truth column and a prediction column (one row per record) and
count pairs through contingency tables, never by listing predicted pairs, so a run that over-merges
into a huge cluster costs no more than a good one.
- pairwise precision / recall / F1 over unordered record pairs placed together;
- B-cubed precision / recall / F1: per record, the share of its predicted cluster that is truly its
  facility, and of its facility that it was clustered with, averaged over records;
- reach of blocking: the share of true pairs that share at least one blocking key;
- errors by cause: missed pairs by the noise tags on their records, and wrong merges by the
  relation between the two facilities (sibling sites, one company, unrelated).
"""

from __future__ import annotations

from collections import Counter

import polars as pl


def _pairs(expr: pl.Expr) -> pl.Expr:
    return (expr * (expr - 1) // 2).sum()


def _pair_count(frame: pl.DataFrame, columns: list[str]) -> int:
    return int(frame.group_by(columns).len().select(_pairs(pl.col("len").cast(pl.Int64))).item() or 0)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pairwise(frame: pl.DataFrame, truth: str = "true_facility", predicted: str = "cluster") -> dict:
    """Pairwise precision, recall and F1, with the pair counts behind them."""
    correct = _pair_count(frame, [truth, predicted])
    found, expected = _pair_count(frame, [predicted]), _pair_count(frame, [truth])
    precision, recall = _ratio(correct, found), _ratio(correct, expected)
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "true_pairs": expected,
        "predicted_pairs": found,
        "correct_pairs": correct,
    }


def bcubed(frame: pl.DataFrame, truth: str = "true_facility", predicted: str = "cluster") -> dict:
    """B-cubed precision, recall and F1 (averaged over records)."""
    sizes = frame.select(
        both=pl.len().over(truth, predicted),
        in_predicted=pl.len().over(predicted),
        in_truth=pl.len().over(truth),
    )
    precision = float((sizes["both"] / sizes["in_predicted"]).mean())
    recall = float((sizes["both"] / sizes["in_truth"]).mean())
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def true_pairs(frame: pl.DataFrame, truth: str = "true_facility") -> pl.DataFrame:
    """Every unordered pair of records of the same true facility, as row indexes `left` < `right`."""
    indexed = frame.select(truth).with_row_index("row")
    return (
        indexed.join(indexed, on=truth, suffix="_right")
        .filter(pl.col("row") < pl.col("row_right"))
        .select(pl.col("row").alias("left"), pl.col("row_right").alias("right"))
    )


def reach(frame: pl.DataFrame, key_sets: list[list[str]], pairs: pl.DataFrame | None = None) -> float:
    """Share of true pairs whose records agree on every column of at least one key set (nulls never
    agree), i.e. that a blocking with these rules can propose at all."""
    pairs = true_pairs(frame) if pairs is None else pairs
    if pairs.height == 0:
        return 1.0
    columns = sorted({c for keys in key_sets for c in keys})
    left = frame.select(columns)[pairs["left"].to_numpy()]
    right = frame.select(columns)[pairs["right"].to_numpy()]
    reached = pl.Series([False] * pairs.height)
    for keys in key_sets:
        agree = pl.Series([True] * pairs.height)
        for column in keys:
            agree = agree & (left[column] == right[column]).fill_null(False)
        reached = reached | agree
    return float(reached.mean())


def reached_by_engine(frame: pl.DataFrame, pairs: pl.DataFrame | None = None) -> float:
    """Upper-bound proxy for the engine's blocking reach when it exposes no candidate pairs: the share
    of true pairs placed in one facility, or with either record sent to review."""
    pairs = true_pairs(frame) if pairs is None else pairs
    if pairs.height == 0:
        return 1.0
    cluster, review = frame["cluster"], frame["decision"] == "review"
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    together = cluster[left].to_numpy() == cluster[right].to_numpy()
    in_review = review[left].to_numpy() | review[right].to_numpy()
    return float((together | in_review).mean())


def missed_by_tag(frame: pl.DataFrame, pairs: pl.DataFrame, top: int = 12) -> list[dict]:
    """Noise tags on missed true pairs: how often each appears on a missed pair and on any true pair
    (lift > 1: the tag makes a pair more likely to be missed)."""
    cluster = frame["cluster"].to_numpy()
    tags = frame["noise"].fill_null("").to_list()
    missed_count, all_count = Counter(), Counter()
    missed_total = 0
    for left, right in pairs.iter_rows():
        pair_tags = set(tags[left].split("|")) | set(tags[right].split("|"))
        pair_tags.discard("")
        pair_tags = pair_tags or {"(no noise)"}
        all_count.update(pair_tags)
        if cluster[left] != cluster[right]:
            missed_total += 1
            missed_count.update(pair_tags)
    rows = [
        {
            "tag": tag,
            "missed_pairs": n,
            "share_of_missed": n / missed_total,
            "lift": (n / missed_total) / (all_count[tag] / pairs.height),
        }
        for tag, n in missed_count.items()
    ]
    return sorted(rows, key=lambda r: -r["missed_pairs"])[:top]


def missed_with_same_name(frame: pl.DataFrame, names: pl.DataFrame, pairs: pl.DataFrame) -> dict:
    """Missed true pairs whose two records have the same normalised name and country (`names`: one
    row per record, same order, columns name_norm and country_code): misses that point at blocking
    or thresholds rather than at hard spelling variation."""
    cluster = frame["cluster"].to_numpy()
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    missed = cluster[left] != cluster[right]
    same = (names["name_norm"].to_numpy()[left] == names["name_norm"].to_numpy()[right]) & (
        names["country_code"].to_numpy()[left] == names["country_code"].to_numpy()[right]
    )
    count = int(missed.sum())
    return {
        "missed_pairs": count,
        "same_name_and_country": int((missed & same).sum()),
        "share": round(float((missed & same).sum() / count), 4) if count else 0.0,
    }


def wrong_merges(frame: pl.DataFrame, predicted: str = "cluster") -> dict:
    """Wrongly merged pairs by relation: sibling sites / one company's sites (same group, by source)
    or unrelated facilities (name or location collisions)."""
    total = _pair_count(frame, [predicted]) - _pair_count(frame, ["true_facility", predicted])
    by_group = frame.group_by(predicted, "group_id", "source").len()
    same_group = by_group.group_by("source").agg(_pairs(pl.col("len").cast(pl.Int64)).alias("pairs"))
    correct = frame.group_by(predicted, "true_facility", "source").len()
    correct = correct.group_by("source").agg(_pairs(pl.col("len").cast(pl.Int64)).alias("pairs"))
    related = dict(same_group.iter_rows())
    for source, pairs in correct.iter_rows():
        related[source] = related.get(source, 0) - pairs
    names = {"oshub": "sibling_sites", "eprtr": "same_parent_company", "carma": "same_company"}
    result = {names.get(source, source): int(pairs) for source, pairs in related.items()}
    result["unrelated"] = int(total - sum(result.values()))
    result["total"] = int(total)
    return result


def examples(frame: pl.DataFrame, pairs: pl.DataFrame, count: int = 5, seed: int = 1) -> dict[str, list]:
    """A few missed true pairs and wrongly merged pairs, with names and addresses, for reading."""
    columns = ["name", "address", "country", "noise"]
    missed = pairs.filter(
        pl.Series(frame["cluster"][pairs["left"]].to_numpy() != frame["cluster"][pairs["right"]].to_numpy())
    )
    missed = missed.sample(min(count, missed.height), seed=seed) if missed.height else missed
    merged = (
        frame.with_row_index("row")
        .filter(pl.col("true_facility").n_unique().over("cluster") > 1)
        .group_by("cluster", maintain_order=True)
        .agg(
            pl.col("row").first().alias("left"),
            pl.col("row")
            .filter(pl.col("true_facility") != pl.col("true_facility").first())
            .first()
            .alias("right"),
        )
        .select("left", "right")
    )
    merged = merged.sample(min(count, merged.height), seed=seed) if merged.height else merged
    as_rows = lambda left, right: [frame.row(left, named=True), frame.row(right, named=True)]  # noqa: E731
    return {
        "missed": [[{c: r[c] for c in columns} for r in as_rows(a, b)] for a, b in missed.iter_rows()],
        "wrongly_merged": [
            [{c: r[c] for c in [*columns, "true_facility"]} for r in as_rows(rows[0], rows[1])]
            for rows in merged.iter_rows()
        ],
    }
