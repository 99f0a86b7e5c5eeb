"""Build the resolved tables from labelled records: one row per facility, one link per record.

The facility's descriptive fields come from its representative record: an Open Supply Hub record
first (the shared registry), then a brand list, then audits, then worker voice; ties go to the
smallest record_id. List-valued fields (OS IDs, sectors, contributors, ...) are unions over all
records of the facility. A facility whose records name more than one country is flagged. A name
spelling (a record with ``spelling_of``, e.g. OS Hub's local-language name) helps matching only: it
never represents its facility and is not counted in record_count.
"""

from __future__ import annotations

import polars as pl

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


PAIR_FEATURES = [
    "match_score",
    "name_sort",
    "name_set",
    "address_set",
    "address_missing",
    "distance_km",
    "os_id_match",
]
"""The features of a pair that a link's explanation (and a review-queue row) is built from."""
EXPLAINED = ["left", "right", *PAIR_FEATURES]


def _union(column: str) -> pl.Expr:
    return pl.col(column).list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort()


def facility_ids(ids: dict[int, str]) -> pl.Expr:
    """Each record's facility_id from its cluster. With no clusters at all (every record removed)
    Polars' `replace_strict` would keep the Int64 input type, so an empty map yields String nulls."""
    if not ids:
        return pl.lit(None, pl.String)
    return pl.col("cluster").replace_strict(ids, return_dtype=pl.String)


def build_facilities(labelled: pl.DataFrame, ids: dict[int, str]) -> pl.DataFrame:
    """`resolved.facilities` from records labelled with their cluster and the cluster -> ID map."""
    spelling = pl.col("spelling_of").is_not_null() if "spelling_of" in labelled.columns else pl.lit(False)
    ranked = labelled.with_columns(
        priority=pl.col("source_type").replace_strict(SOURCE_PRIORITY, default=9, return_dtype=pl.Int32)
        + spelling.cast(pl.Int32) * 10,
        facility_id=facility_ids(ids),
        is_spelling=spelling,
    ).sort("facility_id", "priority", "record_id")
    return (
        ranked.group_by("facility_id", maintain_order=True)
        .agg(
            pl.col(
                "name",
                "address",
                "country_code",
                "lat",
                "lng",
                "parent_company",
                "workers_min",
                "workers_max",
            ).first(),
            pl.col("os_id").drop_nulls().unique().sort().alias("os_ids"),
            _union("sectors").alias("sectors"),
            _union("product_types").alias("product_types"),
            pl.col("source_type").unique().sort().alias("source_types"),
            pl.col("contributor").drop_nulls().unique().sort().alias("contributors"),
            pl.col("country_code").unique().sort().alias("countries"),
            (~pl.col("is_spelling")).sum().cast(pl.Int64).alias("record_count"),
        )
        .with_columns(
            os_id=pl.col("os_ids").list.first(),
            spans_countries=pl.col("countries").list.len() > 1,
        )
    )


def build_record_links(
    labelled: pl.DataFrame, scored: pl.DataFrame, ids: dict[int, str], confirmed: set[tuple[int, int]]
) -> pl.DataFrame:
    """`resolved.record_links`: each record's facility and its strongest link inside that facility."""
    cluster = labelled.select(pl.col("idx"), "cluster")
    label_of = labelled["cluster"]
    scored = scored.select(EXPLAINED).filter(
        label_of.gather(scored["left"].to_numpy()) == label_of.gather(scored["right"].to_numpy())
    )
    both = pl.concat(
        [
            scored.select(
                pl.col("left").alias("idx"), pl.col("right").alias("other"), pl.exclude("left", "right")
            ),
            scored.select(
                pl.col("right").alias("idx"), pl.col("left").alias("other"), pl.exclude("left", "right")
            ),
        ]
    )
    inside = (
        both.join(cluster, on="idx")
        .join(cluster.rename({"idx": "other", "cluster": "other_cluster"}), on="other")
        .filter(pl.col("cluster") == pl.col("other_cluster"))
        .sort("idx", "match_score", "other", descending=[False, True, False])
        .unique("idx", keep="first", maintain_order=True)
    )
    confirmed_frame = pl.DataFrame(
        [(a, b) for a, b in confirmed] + [(b, a) for a, b in confirmed], schema=["idx", "other"], orient="row"
    ).with_columns(pl.col("idx", "other").cast(labelled["idx"].dtype), human=pl.lit(True))
    record_ids = labelled.select("idx", "record_id")
    links = (
        labelled.select("idx", "record_id", "cluster")
        .join(inside, on=["idx", "cluster"], how="left")
        .join(confirmed_frame.unique("idx"), on="idx", how="left", suffix="_confirmed")
        .join(record_ids.rename({"idx": "other", "record_id": "matched_record_id"}), on="other", how="left")
    )
    return link_rows(links.with_columns(facility_id=facility_ids(ids)))


def link_rows(links: pl.DataFrame) -> pl.DataFrame:
    """`resolved.record_links` rows from each record's facility_id and strongest pair: the pair's
    features (`PAIR_FEATURES`), `other` (null when the record has no pair inside its
    facility), `matched_record_id` and `human` (true when a person confirmed the link)."""
    return (
        links.with_columns(
            method=pl.when(pl.col("human").fill_null(False))
            .then(pl.lit("human_confirmed"))
            .when(pl.col("other").is_null())
            .then(pl.lit("seed"))
            .when(pl.col("os_id_match") > 0)
            .then(pl.lit("os_id"))
            .otherwise(pl.lit("auto_match")),
            name_score=pl.max_horizontal("name_sort", "name_set"),
            address_score=pl.when(pl.col("address_missing") > 0).then(None).otherwise(pl.col("address_set")),
            explanation=_explanation(),
        )
        .select(LINK_SCHEMA.keys())
        .cast(LINK_SCHEMA)
        .sort("record_id")
    )


def _explanation() -> pl.Expr:
    """Plain-language reason per link, from the features of its strongest pair."""
    details = pl.concat_str(
        pl.format("name similarity {}", pl.max_horizontal("name_sort", "name_set").round(2)),
        pl.when(pl.col("address_missing") == 0).then(
            pl.format(", address similarity {}", pl.col("address_set").round(2))
        ),
        pl.when(pl.col("distance_km").is_not_null()).then(
            pl.format(", {} km apart", pl.col("distance_km").round(1))
        ),
        pl.when(pl.col("os_id_match") > 0).then(pl.lit(", same OS ID")),
        pl.format(" -> score {} with record {}", pl.col("match_score").round(2), "matched_record_id"),
        ignore_nulls=True,
    )
    return (
        pl.when(pl.col("human").fill_null(False) & pl.col("other").is_null())
        .then(pl.lit("linked by a human confirmation in resolved.match_decisions"))
        .when(pl.col("other").is_null())
        .then(pl.lit("no other record scored at or above the auto-match threshold: a facility of its own"))
        .otherwise(details)
    )
