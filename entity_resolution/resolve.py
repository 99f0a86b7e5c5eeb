"""Resolve staged facility records into facilities: prepare -> block -> score -> cluster -> IDs.

Input: `staged.facility_records` and `resolved.match_decisions` as Polars frames. Output: the three
resolved tables (facilities, record_links, review_queue) and a report of figures. Every record is
linked to exactly one facility; human decisions always win over scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from entity_resolution.blocking import blocking_report, candidate_pairs
from entity_resolution.clustering import GuardedClusters
from entity_resolution.facilities import build_facilities, build_record_links
from entity_resolution.normalise import (
    normalise_address_expr,
    normalise_name_expr,
    unit_numbers_expr,
)
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings


@dataclass(frozen=True)
class Resolution:
    """The resolved tables plus figures for run metadata."""

    facilities: pl.DataFrame
    record_links: pl.DataFrame
    review_queue: pl.DataFrame
    report: dict[str, float]


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """Records in a stable order with the normalised comparison columns and an `idx`."""
    return (
        records.sort("record_id")
        .with_row_index("idx")
        .with_columns(
            name_norm=normalise_name_expr("name"),
            address_norm=normalise_address_expr("address"),
            units=unit_numbers_expr("name"),
        )
    )


def _decision_pairs(prepared: pl.DataFrame, decisions: pl.DataFrame, decision: str) -> set[tuple[int, int]]:
    index = dict(zip(prepared["record_id"].to_list(), prepared["idx"].to_list(), strict=True))
    pairs = set()
    for row in decisions.filter(pl.col("decision") == decision).iter_rows(named=True):
        left, right = index.get(row["record_id_left"]), index.get(row["record_id_right"])
        if left is not None and right is not None:
            pairs.add((min(left, right), max(left, right)))
    return pairs


def resolve(
    records: pl.DataFrame, decisions: pl.DataFrame, settings: ResolutionSettings | None = None
) -> Resolution:
    """Resolve `records` into facilities, honouring human `decisions` (confirm / reject)."""
    settings = settings or ResolutionSettings()
    prepared = prepare(records)
    pairs = candidate_pairs(prepared, settings)
    scored = score_pairs(prepared, pairs, settings)
    confirmed = _decision_pairs(prepared, decisions, "confirm")
    rejected = _decision_pairs(prepared, decisions, "reject")
    clusters = GuardedClusters(prepared["os_id"].to_list(), prepared["units"].to_list(), rejected)
    for left, right in sorted(confirmed):
        clusters.merge(left, right, force=True)
    accepted = scored.filter(pl.col("match_score") >= settings.auto_match_threshold).sort(
        "match_score", "left", "right", descending=[True, False, False]
    )
    for left, right in accepted.select("left", "right").iter_rows():
        if (left, right) not in rejected:
            clusters.merge(left, right)
    labelled = prepared.with_columns(cluster=pl.Series(clusters.labels(), dtype=pl.UInt32))
    facilities, cluster_ids = build_facilities(labelled)
    links = build_record_links(labelled, scored, cluster_ids, confirmed)
    queue = _review_queue(labelled, scored, settings, confirmed | rejected)
    report = blocking_report(prepared, pairs) | {
        "auto_links": accepted.height,
        "facilities": facilities.height,
        "review_pairs": queue.height,
    }
    return Resolution(facilities, links, queue, report)


def _review_queue(
    labelled: pl.DataFrame, scored: pl.DataFrame, settings: ResolutionSettings, decided: set
) -> pl.DataFrame:
    """Grey-band pairs whose records ended in different facilities and nobody has decided yet."""
    cluster = labelled["cluster"].to_list()
    record_id = labelled["record_id"].to_list()
    grey = scored.filter(
        (pl.col("match_score") >= settings.review_threshold)
        & (pl.col("match_score") < settings.auto_match_threshold)
    )
    open_pair = [
        cluster[left] != cluster[right] and (left, right) not in decided
        for left, right in grey.select("left", "right").iter_rows()
    ]
    grey = grey.filter(pl.Series(open_pair, dtype=pl.Boolean))
    return grey.select(
        pl.Series("record_id_left", [record_id[i] for i in grey["left"]], dtype=pl.String),
        pl.Series("record_id_right", [record_id[i] for i in grey["right"]], dtype=pl.String),
        "match_score",
        "name_score",
        "address_score",
        "distance_km",
    ).with_columns(
        pair_id=pl.concat_str("record_id_left", "record_id_right", separator=":"),
        status=pl.lit("pending"),
    )
