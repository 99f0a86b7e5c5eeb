"""Resolve staged facility records into facilities: prepare -> block -> score -> cluster -> IDs.

Input: `staged.facility_records`, `resolved.match_decisions` and (optionally) the previous run's
record links and ID aliases, as Polars frames. Output: the resolved tables and a report of figures
(counts and seconds per stage). Every record is linked to exactly one facility; human decisions
always win over scores; facility IDs persist across runs.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

import polars as pl

from entity_resolution.blocking import blocking_report, candidate_pairs
from entity_resolution.chain_probes import cluster_with_probes
from entity_resolution.facilities import build_facilities, build_record_links
from entity_resolution.ids import assign_ids
from entity_resolution.normalise import address_column, name_columns
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings

NO_DECISIONS = pl.DataFrame(
    schema={"record_id_left": pl.String, "record_id_right": pl.String, "decision": pl.String}
)
"""An empty resolved.match_decisions, for runs without human decisions."""
QUEUE_COLUMNS = [
    "pair_id",
    "record_id_left",
    "record_id_right",
    "match_score",
    "name_score",
    "address_score",
    "distance_km",
    "status",
]


@dataclass(frozen=True)
class Resolution:
    """The resolved tables plus figures for run metadata."""

    facilities: pl.DataFrame
    record_links: pl.DataFrame
    review_queue: pl.DataFrame
    aliases: pl.DataFrame
    report: dict[str, float]
    prepared: pl.DataFrame | None = None  # the records with their comparison columns (for the match index)


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """Records in a stable order with the normalised comparison columns and an `idx`."""
    ordered = records.sort("record_id").with_row_index("idx")
    names = name_columns(ordered["name"], ordered["country_code"])
    return ordered.with_columns(
        name_norm=names["name_norm"],
        core_norm=names["core_norm"],
        address_norm=address_column(ordered["address"], ordered["country_code"]),
        units=names["units"],
        numbers=names["numbers"],
    )


def latest_decisions(decisions: pl.DataFrame) -> pl.DataFrame:
    """The latest decision per unordered pair of records: a reviewer who changes their mind appends a
    new row (`flrisk review-match`), and the newer one applies."""
    if decisions.is_empty() or "decided_at" not in decisions.columns:
        return decisions
    pair = [
        pl.min_horizontal("record_id_left", "record_id_right").alias("_low"),
        pl.max_horizontal("record_id_left", "record_id_right").alias("_high"),
    ]
    return (
        decisions.with_columns(pair)
        .sort("decided_at", maintain_order=True)
        .unique(["_low", "_high"], keep="last", maintain_order=True)
        .drop("_low", "_high")
    )


def _decision_pairs(prepared: pl.DataFrame, decisions: pl.DataFrame, decision: str) -> set[tuple[int, int]]:
    chosen = (
        latest_decisions(decisions)
        .filter(pl.col("decision") == decision)
        .select("record_id_left", "record_id_right")
    )
    index = prepared.select("record_id", "idx")
    pairs = chosen.join(index.rename({"record_id": "record_id_left", "idx": "a"}), on="record_id_left").join(
        index.rename({"record_id": "record_id_right", "idx": "b"}), on="record_id_right"
    )
    return {(min(a, b), max(a, b)) for a, b in pairs.select("a", "b").iter_rows()}


def resolve(
    records: pl.DataFrame,
    decisions: pl.DataFrame,
    settings: ResolutionSettings | None = None,
    previous_links: pl.DataFrame | None = None,
    previous_aliases: pl.DataFrame | None = None,
) -> Resolution:
    """Resolve `records` into facilities, honouring human `decisions` and keeping previous IDs."""
    settings = settings or ResolutionSettings()
    seconds: dict[str, float] = {}
    clock, cpu = time.perf_counter(), time.process_time()

    def lap(stage: str) -> None:
        nonlocal clock, cpu
        seconds[f"seconds_{stage}"] = round(time.perf_counter() - clock, 3)
        seconds[f"cpu_seconds_{stage}"] = round(time.process_time() - cpu, 3)
        seconds[f"peak_rss_mb_after_{stage}"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        clock, cpu = time.perf_counter(), time.process_time()

    prepared = prepare(records)
    lap("normalise")
    pairs = candidate_pairs(prepared, settings)
    lap("block")
    scoring = score_pairs(prepared, pairs, settings)
    scored = scoring.scored
    lap("score")
    confirmed = _decision_pairs(prepared, decisions, "confirm")
    rejected = _decision_pairs(prepared, decisions, "reject")
    labels = cluster_with_probes(prepared, scoring, settings, confirmed, rejected)
    labelled = prepared.with_columns(cluster=pl.Series(labels, dtype=pl.Int64))
    lap("cluster")
    assignment = assign_ids(labelled, previous_links, previous_aliases)
    facilities = build_facilities(labelled, assignment.ids)
    links = build_record_links(labelled, scored, assignment.ids, confirmed)
    queue = review_queue(labelled, scored, settings, confirmed | rejected)
    lap("build")
    report = (
        blocking_report(prepared, pairs)
        | seconds
        | {
            "scored_pairs": scored.height,
            "auto_links": scored.filter(pl.col("match_score") >= settings.auto_match_threshold).height,
            "facilities": facilities.height,
            "review_pairs": queue.height,
            "id_stable_share": assignment.stable_share if assignment.stable_share is not None else -1.0,
        }
    )
    return Resolution(facilities, links, queue, assignment.aliases, report, prepared)


def review_queue(
    labelled: pl.DataFrame, scored: pl.DataFrame, settings: ResolutionSettings, decided: set[tuple[int, int]]
) -> pl.DataFrame:
    """Grey-band pairs whose records ended in different facilities and nobody has decided yet."""
    ids = labelled.select("idx", "record_id", "cluster")
    grey = scored.filter(
        pl.col("match_score").is_between(
            settings.review_threshold, settings.auto_match_threshold, closed="left"
        )
    )
    if decided:
        done = pl.DataFrame(sorted(decided), schema=["left", "right"], orient="row").cast(
            {"left": grey["left"].dtype, "right": grey["right"].dtype}
        )
        grey = grey.join(done, on=["left", "right"], how="anti")
    grey = (
        grey.join(ids.rename({"idx": "left", "record_id": "record_id_left", "cluster": "cl"}), on="left")
        .join(ids.rename({"idx": "right", "record_id": "record_id_right", "cluster": "cr"}), on="right")
        .filter(pl.col("cl") != pl.col("cr"))
    )
    return queue_rows(grey)


def queue_rows(grey: pl.DataFrame) -> pl.DataFrame:
    """`resolved.review_queue` rows (status pending) from grey-band pairs with their record ids
    (`record_id_left` < `record_id_right`) and pair features."""
    return (
        grey.with_columns(
            pair_id=pl.concat_str("record_id_left", "record_id_right", separator=":"),
            name_score=pl.max_horizontal("name_sort", "name_set"),
            address_score=pl.when(pl.col("address_missing") > 0).then(None).otherwise(pl.col("address_set")),
            status=pl.lit("pending"),
        )
        .select(QUEUE_COLUMNS)
        .sort("pair_id")
    )
