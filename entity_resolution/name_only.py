"""Name-only mentions between namesakes: place a record known by its name alone only where its name
points clearly.

A mention that gives neither an address nor coordinates (a list naming only the supplier) is matched
on its name and country alone. Where two facilities carry that name (namesakes in two towns, sibling
sites of one group) and clustering kept them apart, the mention's auto links reach both, and the
greedy rebuild in `clustering` puts it with whichever link happened to be strongest: a coin toss
that attributes its evidence (an audit finding, a worker-voice report) to a facility the data cannot
tell it belongs to. So, after clustering, each *name-only group* (name-only records joined by auto
links among themselves, in one cluster) is weighed on the auto links from its records to located
records:

- links into one cluster only: nothing to settle, it stays where clustering put it;
- links into two or more clusters, one of them holding more than `name_only_majority` of the links'
  summed scores: the group goes to that cluster, unless a person rejected one of those pairs, the
  pairs scored low between them outnumber the links (`clustering.links_outvote`, each such pair a
  name-only difference), or its strongest link into its own cluster is stronger than any into that
  one (the name reads closer to its own: "Gimmill Industrial (M) Sdn Bhd" beside "Gimmill Industrial
  (M) Sdn Bhd Ltd." at Batu 3 1/2 and "Gimmill Industrial (M) Sdn Bhd (Gimmill B)" at Batu 4, whose
  three mentions outweigh the other's two);
- otherwise it stays in its own cluster when its strongest link there beats every other cluster's
  strongest by more than `CLOSER_BY`, and else the name cannot say which facility it is: the group
  becomes a facility of its own (its grey-band pairs with the others go to the review queue as any
  grey-band pair does).

Queueing the auto pairs of every name-only record left apart between two or more facilities was
measured and dropped: at v2 1M dev that put 1.1% more of the records under review (5.4%, above the
issue's 5% goal); at that scale ambiguous name-only mentions are that common.

A group holding a human-confirmed pair is never moved: the person has seen it. On the benchmark's v2
development splits this raised pairwise F1 by about 0.001 at 10k and 100k and 0.0018 at 1M (where
namesakes are many), and moved v1's by less than 0.001 either way
(docs/benchmarks-entity-resolution.md).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from entity_resolution.clustering import components, links_outvote, place_codes
from entity_resolution.settings import ResolutionSettings

CLOSER_BY = 0.02
"""A name-only group without a majority stays in its own cluster when its strongest link there is
higher than its strongest into any other by more than this (match-score units): the name reads
closer to that facility's, not the same to both."""


def settle_name_only(
    labels: np.ndarray,
    records: pl.DataFrame,
    scored: pl.DataFrame,
    settings: ResolutionSettings,
    confirmed: set[tuple[int, int]],
    rejected: set[tuple[int, int]],
) -> np.ndarray:
    """Cluster labels with every name-only group settled as the module docstring says. `scored`
    holds the candidate pairs (left, right, match_score); `confirmed` and `rejected` human decisions
    as record-index pairs. Labels of groups made facilities of their own are new numbers above
    every label in `labels`."""
    name_only = place_codes(records) == 0
    if settings.name_only_majority <= 0 or not name_only.any() or not scored.height:
        return labels
    left = scored["left"].to_numpy().astype(np.int64)
    right = scored["right"].to_numpy().astype(np.int64)
    score = scored["match_score"].to_numpy()
    auto = score >= settings.auto_match_threshold
    inside = auto & name_only[left] & name_only[right] & (labels[left] == labels[right])
    group = components(len(labels), left[inside], right[inside])
    mixed = name_only[left] != name_only[right]
    mine = np.where(name_only[left], left, right)[mixed]
    other = np.where(name_only[left], right, left)[mixed]
    linked = auto[mixed]  # only linked pairs say whether a group's spelling is in a cluster
    same_spelling = np.zeros(mine.size, dtype=bool)
    same_spelling[linked] = spelled_alike(records["name"], mine[linked], other[linked])
    pairs = pl.DataFrame(
        {
            "group": group[mine].astype(np.int64),
            "own": labels[mine].astype(np.int64),
            "cluster": labels[other].astype(np.int64),
            "score": score[mixed],
            "link": linked,
            "low": score[mixed] < settings.different_below,
            "same_spelling": same_spelling,
        }
    )
    weighed = (
        pairs.group_by("group", "own", "cluster")
        .agg(
            pl.col("score").filter("link").sum().round(4).alias("weight"),  # rounded: no float ties
            pl.col("score").filter("link").max().alias("strongest"),
            pl.col("same_spelling").any().alias("spelled"),
            pl.col("link").sum().alias("links"),
            pl.col("low").sum().alias("differences"),
        )
        .filter(pl.col("links") > 0)
    )
    vetoed = _rejected_with(group, labels, rejected)
    undecided = _choices(weighed, settings, vetoed).join(_held(group, confirmed), on="group", how="anti")
    target = pl.when("stays").then("own").otherwise(pl.col("group") + int(labels.max()) + 1)
    target = pl.when("chosen").then("best").otherwise(target)
    moves = undecided.select("group", "own", target.alias("target")).filter(pl.col("target") != pl.col("own"))
    if not moves.height:
        return labels
    settled = labels.copy()
    member = np.isin(group, moves["group"].to_numpy()) & name_only
    moved = pl.Series(group[member]).replace_strict(
        moves["group"].to_list(), moves["target"].to_list(), return_dtype=pl.Int64
    )
    settled[member] = moved.to_numpy()
    return settled


def spelled_alike(names: pl.Series, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per pair of record indexes, whether the two names are written alike, case, punctuation and
    spacing aside: a list spelled the name the same way ("Hotan Taida Apparel" twice, not "Hetian
    Taida Apparel Company Limited", although the two normalise alike)."""

    def written(indexes: np.ndarray) -> pl.Series:
        raw = names.gather(indexes).fill_null("").str.to_lowercase()
        return raw.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()

    return (written(left) == written(right)).to_numpy()


def majority_choice(weighed: pl.DataFrame, key: str, target: str, majority: float) -> pl.DataFrame:
    """Per `key` whose auto links (`weight`: their summed scores per `key` and `target`) reach two or
    more `target`s: the one holding the most weight (`best`, the lowest on a tie) and whether it holds
    more than `majority` of the whole (`clear`). Keys reaching one target are left out."""
    return (
        weighed.sort(key, "weight", target, descending=[False, True, False])
        .group_by(key, maintain_order=True)
        .agg(
            pl.col(target).first().alias("best"),
            (pl.col("weight").first() > majority * pl.col("weight").sum()).alias("clear"),
            pl.len().alias("targets"),
        )
        .filter(pl.col("targets") >= 2)
        .drop("targets")
    )


def _choices(weighed: pl.DataFrame, settings: ResolutionSettings, vetoed: pl.DataFrame) -> pl.DataFrame:
    """Per name-only group linked into two or more clusters: its own cluster, the cluster holding the
    most link weight (`best`), whether the group goes there (`chosen`) and, if not, whether it stays
    in its own (`stays`; the module docstring gives the rules). `vetoed` (group, best) holds the
    clusters a person rejected a pair of the group with."""
    choice = majority_choice(weighed, "group", "cluster", settings.name_only_majority)
    at_best = weighed.rename({"cluster": "best"}).select(
        "group", "best", "own", "links", "differences", "strongest", "spelled"
    )
    at_own = weighed.filter(pl.col("cluster") == pl.col("own")).select(
        "group", own_strongest="strongest", own_spelled="spelled"
    )
    elsewhere = (
        weighed.filter(pl.col("cluster") != pl.col("own"))
        .group_by("group")
        .agg(other_strongest=pl.col("strongest").max(), other_spelled=pl.col("spelled").any())
    )
    decided = choice.join(at_best, on=["group", "best"]).join(at_own, on="group", how="left")
    decided = decided.join(elsewhere, on="group", how="left")
    decided = decided.join(vetoed.with_columns(vetoed=pl.lit(True)), on=["group", "best"], how="left")
    majority = (
        pl.col("clear")
        & pl.col("vetoed").is_null()
        & links_outvote(
            pl.col("links"),
            pl.col("differences"),
            pl.col("differences"),
            settings.links_per_difference,
            settings.unlocated_difference_weight,
        )
    )
    own_spelling_only = pl.col("own_spelled").fill_null(False) & ~pl.col("other_spelled").fill_null(False)
    reads_closer = pl.col("own_strongest").is_not_null() & (
        (pl.col("strongest") < pl.col("own_strongest")) | (pl.col("own_spelled") & ~pl.col("spelled"))
    )
    clearly_closer = (
        pl.col("own_strongest") - pl.col("other_strongest").fill_null(0.0) > CLOSER_BY
    ) | own_spelling_only
    return decided.select(
        "group",
        "own",
        "best",
        chosen=majority & ~reads_closer,
        stays=(majority & reads_closer) | (~majority & clearly_closer.fill_null(False)),
    )


def _held(group: np.ndarray, confirmed: set[tuple[int, int]]) -> pl.DataFrame:
    """The groups holding a record of a human-confirmed pair."""
    touched = sorted({index for pair in confirmed for index in pair})
    return pl.DataFrame({"group": group[touched].astype(np.int64) if touched else np.zeros(0, np.int64)})


def _rejected_with(group: np.ndarray, labels: np.ndarray, rejected: set[tuple[int, int]]) -> pl.DataFrame:
    """(group, best) for every human rejection, both ways: each record's group with the other's cluster
    (no rows without rejections)."""
    pairs = np.array(sorted(rejected), dtype=np.int64).reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    return pl.DataFrame(
        {"group": np.r_[group[a], group[b]], "best": np.r_[labels[b], labels[a]]},
        schema={"group": pl.Int64, "best": pl.Int64},
    ).unique()
