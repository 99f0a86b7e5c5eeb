"""The drivers a facility's score is explained by: one order, no duplicates, nothing that says nothing.

Every surface (flrisk facility, the HTML report, exports, driver_1..3 of published.facility_risk)
shows drivers in `driver_rank` order, computed here once:
1. forcing evidence first (`driver_kind` = forcing): confirmed list hits, then a risk-region presumption;
2. then by what they add to the score, highest first: points x the component's weight (a 60-point
   audit finding, weight 0.30, adds 18 and comes before the 100-point country baseline, weight 0.15,
   which adds 15); ties: component, description;
3. stated expiries ("Latest audit expired on ...: re-audit due", 0 points) last.
A driver is published once per facility, component, text and evidence record (the same finding sent
twice under two finding ids is one driver), and a driver worth 0 points is dropped unless it is an
expiry note.
"""

from __future__ import annotations

import hashlib

import polars as pl

from risk_model.inputs import DRIVER_SCHEMA, drivers_frame

FORCING, EVIDENCE, INFERRED, EXPIRY = "forcing", "evidence", "inferred", "expiry"
KIND_ORDER = {FORCING: 0, EVIDENCE: 2, INFERRED: 2, EXPIRY: 3}  # a region presumption ranks 1
EXPIRY_PREFIX = "Latest audit expired on"


def location_drivers(locations: pl.DataFrame) -> pl.DataFrame:
    """A forcing driver per facility located in a risk region (risk_model.regions)."""
    located = locations.filter(pl.col("region_id").is_not_null()).with_columns(
        component=pl.lit("location"),
        points=pl.lit(100.0),
        description=pl.format(
            "{} (located by {}; band at least {})", "region_driver", "located_by", "minimum_band"
        ),
        evidence_source=pl.format("risk region {}: {}", "region_id", "region_source"),
    )
    return drivers_frame(located)


def kind_of(drivers: pl.DataFrame) -> pl.Expr:
    """forcing / evidence / inferred / expiry, from the component, status words and evidence source."""
    return (
        pl.when(pl.col("component") == "location")
        .then(pl.lit(FORCING))
        .when((pl.col("component") == "list_exposure") & pl.col("description").str.contains(r", confirmed"))
        .then(pl.lit(FORCING))
        .when(pl.col("description").str.starts_with(EXPIRY_PREFIX))
        .then(pl.lit(EXPIRY))
        .when(pl.col("evidence_source").str.contains("inferred from", literal=True).fill_null(False))
        .then(pl.lit(INFERRED))
        .otherwise(pl.lit(EVIDENCE))
    )


def ranked(drivers: pl.DataFrame, weights: dict[str, float]) -> pl.DataFrame:
    """Drivers deduplicated, stripped of 0-point rows (expiries excepted), with `driver_kind`,
    `driver_rank` (1 = headline) and a stable `driver_id`, sorted by facility and rank. `weights`:
    component -> weight in the score (components without one, such as location, weigh 1)."""
    frame = drivers.with_columns(driver_kind=kind_of(drivers)).filter(
        (pl.col("points") > 0) | (pl.col("driver_kind") == EXPIRY)
    )
    frame = frame.with_columns(
        kind_order=pl.when(pl.col("component") == "location")
        .then(pl.lit(1, pl.Int8))
        .otherwise(pl.col("driver_kind").replace_strict(KIND_ORDER, return_dtype=pl.Int8)),
        weighted=pl.col("points")
        * pl.col("component").replace_strict(weights, default=1.0, return_dtype=pl.Float64),
    ).sort(
        "facility_id",
        "kind_order",
        "weighted",
        "component",
        "description",
        descending=[False, False, True, False, False],
    )
    frame = frame.unique(
        ["facility_id", "component", "description", "evidence_record_id"], keep="first", maintain_order=True
    )
    keys = frame.select(  # a null key hashes as empty: the contract's not_null rule then blocks the publish
        pl.concat_str(
            pl.col("facility_id").fill_null(""),
            pl.col("component").fill_null(""),
            pl.col("description").fill_null(""),
            pl.col("evidence_finding_id").fill_null(""),
            pl.col("evidence_list_entry").fill_null(""),
            separator="|",
        )
    ).to_series()
    return frame.with_columns(
        driver_id=pl.Series([hashlib.sha256(key.encode()).hexdigest()[:20] for key in keys], dtype=pl.String),
        driver_rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("facility_id"),
    ).select("driver_id", *DRIVER_SCHEMA, "driver_kind", "driver_rank")


def top_three(drivers: pl.DataFrame) -> pl.DataFrame:
    """(facility_id, driver_1, driver_2, driver_3, evidence_count) from ranked drivers."""
    top = (
        drivers.filter(pl.col("driver_rank") <= 3)
        .group_by("facility_id", maintain_order=True)
        .agg(pl.col("description").alias("top"))
        .with_columns(pl.col("top").list.get(i, null_on_oob=True).alias(f"driver_{i + 1}") for i in range(3))
        .drop("top")
    )
    evidence = drivers.group_by("facility_id").agg(
        pl.col("component")
        .is_in(["audit", "worker_voice", "list_exposure", "location"])
        .sum()
        .alias("evidence_count")
    )
    return top.join(evidence, on="facility_id", how="full", coalesce=True)
