"""Portfolio views over the facility scores: brand exposure and country x commodity risk."""

from __future__ import annotations

import polars as pl

from risk_model.components import dol_points
from risk_model.parameters import RiskParameters

BANDS = ("critical", "high", "medium", "low", "unknown")
WORST_SHOWN = 5


def brand_exposure(facility_risk: pl.DataFrame) -> pl.DataFrame:
    """One row per contributor: facility count, share per band, mean score, worst facilities."""
    exploded = (
        facility_risk.explode("contributors")
        .drop_nulls("contributors")
        .rename({"contributors": "contributor"})
    )
    ranked = exploded.sort("contributor", "risk_score", "facility_id", descending=[False, True, False])
    return ranked.group_by("contributor", maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("facility_count"),
        *[(pl.col("risk_band") == band).mean().alias(f"share_{band}") for band in BANDS],
        pl.col("risk_score").mean().round(2).alias("mean_risk_score"),
        pl.col("facility_id").head(WORST_SHOWN).alias("worst_facility_ids"),
        pl.col("facility_name").head(WORST_SHOWN).alias("worst_facility_names"),
    )


def country_commodity_risk(
    dol_goods: pl.DataFrame, facility_drivers: pl.DataFrame, params: RiskParameters
) -> pl.DataFrame:
    """One row per country x good on the DOL list, with its score and how many of our facilities match."""
    rule = params["sector"]
    matched = (
        facility_drivers.filter(pl.col("component") == "sector")
        .group_by("evidence_list_entry")
        .agg(pl.col("facility_id").n_unique().alias("facility_count"))
    )
    return (
        dol_goods.join(matched, left_on="entry_id", right_on="evidence_list_entry", how="left")
        .with_columns(
            commodity_risk_score=dol_points(rule),
            facility_count=pl.col("facility_count").fill_null(0).cast(pl.Int64),
        )
        .unique(["country_code", "good"], keep="first", maintain_order=True)
        .sort("country_code", "good")
    )
