"""Build the resolved tables from labelled records: one row per facility, one link per record.

The facility's descriptive fields come from its representative record: an Open Supply Hub record
first (the shared registry), then a brand list, then audits, then worker voice; ties go to the
smallest record_id. List-valued fields (OS IDs, sectors, contributors, ...) are unions over all
records of the facility.
"""

from __future__ import annotations

import polars as pl

from entity_resolution.ids import facility_id
from entity_resolution.scoring import explain

SOURCE_PRIORITY = {
    "oshub_download": 0,
    "oshub_api": 0,
    "supplier_list": 1,
    "social_audit": 2,
    "worker_voice_grievance": 3,
    "worker_voice_survey": 3,
}


LINK_SCHEMA = {
    "record_id": pl.String,
    "facility_id": pl.String,
    "method": pl.String,
    "match_score": pl.Float64,
    "matched_record_id": pl.String,
    "name_score": pl.Float64,
    "address_score": pl.Float64,
    "distance_km": pl.Float64,
    "explanation": pl.String,
}


def _union(column: str) -> pl.Expr:
    return pl.col(column).list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort()


def build_facilities(labelled: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, str]]:
    """`resolved.facilities` and the mapping cluster label -> facility_id."""
    ranked = labelled.with_columns(
        priority=pl.col("source_type").replace_strict(SOURCE_PRIORITY, default=9, return_dtype=pl.Int32)
    ).sort("cluster", "priority", "record_id")
    grouped = ranked.group_by("cluster", maintain_order=True).agg(
        pl.col(
            "name", "address", "country_code", "lat", "lng", "parent_company", "workers_min", "workers_max"
        ).first(),
        pl.col("os_id").drop_nulls().unique().sort().alias("os_ids"),
        _union("sectors").alias("sectors"),
        _union("product_types").alias("product_types"),
        pl.col("source_type").unique().sort().alias("source_types"),
        pl.col("contributor").drop_nulls().unique().sort().alias("contributors"),
        pl.col("record_id").alias("record_ids"),
        pl.len().alias("record_count"),
    )
    ids = [
        facility_id(os_ids, record_ids)
        for os_ids, record_ids in grouped.select("os_ids", "record_ids").iter_rows()
    ]
    cluster_ids = dict(zip(grouped["cluster"].to_list(), ids, strict=True))
    facilities = grouped.with_columns(
        facility_id=pl.Series(ids, dtype=pl.String),
        os_id=pl.col("os_ids").list.first(),
        record_count=pl.col("record_count").cast(pl.Int64),
    ).drop("cluster", "record_ids")
    return facilities.sort("facility_id"), cluster_ids


def build_record_links(
    labelled: pl.DataFrame, scored: pl.DataFrame, cluster_ids: dict[int, str], confirmed: set
) -> pl.DataFrame:
    """`resolved.record_links`: each record's facility and its strongest link inside that facility."""
    cluster = labelled["cluster"].to_list()
    record_id = labelled["record_id"].to_list()
    best: dict[int, dict] = {}
    for row in scored.iter_rows(named=True):
        left, right = row["left"], row["right"]
        if cluster[left] != cluster[right]:
            continue
        for this, other in ((left, right), (right, left)):
            if this not in best or row["match_score"] > best[this]["match_score"]:
                best[this] = row | {"other": other}
    rows = []
    for index, rid in enumerate(record_id):
        link = best.get(index)
        base = {"record_id": rid, "facility_id": cluster_ids[cluster[index]]}
        if link is None:
            human = any(index in pair for pair in confirmed)
            method = "human_confirmed" if human else "seed"
            rows.append(base | {"method": method, "explanation": _lone_explanation(method)})
            continue
        pair = (min(index, link["other"]), max(index, link["other"]))
        method = "human_confirmed" if pair in confirmed else "os_id" if link["os_id_match"] else "auto_match"
        rows.append(
            base
            | {
                "method": method,
                "match_score": link["match_score"],
                "matched_record_id": record_id[link["other"]],
                "name_score": link["name_score"],
                "address_score": link["address_score"],
                "distance_km": link["distance_km"],
                "explanation": explain(link),
            }
        )
    return pl.DataFrame(rows, schema=LINK_SCHEMA)


def _lone_explanation(method: str) -> str:
    if method == "human_confirmed":
        return "linked by a human confirmation in resolved.match_decisions"
    return "no other record scored at or above the auto-match threshold: a facility of its own"
