"""Portfolio views over the facility scores: brand exposure and country x commodity risk."""

from __future__ import annotations

import polars as pl

from risk_model.components import dol_points
from risk_model.parameters import RiskParameters

BANDS = ("critical", "high", "medium", "low", "unknown")
WORST_SHOWN = 5


def brand_exposure(facility_risk: pl.DataFrame, brands: list[str] | None = None) -> pl.DataFrame:
    """One row per contributor: facility count, share per band, mean score, worst facilities, and the
    facilities it shares with other brands (riskiest first) so they can remediate together.

    `brands` are the contributors that sent supplier lists; sharing is counted with them only (every
    facility is "shared" with a data source such as Open Supply Hub). None: every contributor is a brand.
    """
    exploded = (
        facility_risk.select("facility_id", "facility_name", "risk_score", "risk_band", "contributors")
        .explode("contributors")
        .drop_nulls("contributors")
        .rename({"contributors": "contributor"})
        .unique(["facility_id", "contributor"], maintain_order=True)
    )
    ranked = exploded.sort("contributor", "risk_score", "facility_id", descending=[False, True, False])
    exposure = ranked.group_by("contributor", maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("facility_count"),
        *[(pl.col("risk_band") == band).mean().alias(f"share_{band}") for band in BANDS],
        pl.col("risk_score").mean().round(2).alias("mean_risk_score"),
        pl.col("facility_id").head(WORST_SHOWN).alias("worst_facility_ids"),
        pl.col("facility_name").head(WORST_SHOWN).alias("worst_facility_names"),
    )
    return exposure.join(_shared(ranked, brands), on="contributor", how="left").with_columns(
        pl.col("shared_facility_count").fill_null(0).cast(pl.Int64),
        pl.col("shared_facility_ids").fill_null([]),
        pl.col("shared_with").fill_null([]),
    )


def _shared(ranked: pl.DataFrame, brands: list[str] | None) -> pl.DataFrame:
    """Per contributor: its facilities that another brand also lists, and those other brands."""
    brand_rows = ranked if brands is None else ranked.filter(pl.col("contributor").is_in(brands))
    pairs = ranked.join(
        brand_rows.select("facility_id", pl.col("contributor").alias("other")), on="facility_id"
    ).filter(pl.col("contributor") != pl.col("other"))
    pairs = pairs.sort(
        "contributor", "risk_score", "facility_id", "other", descending=[False, True, False, False]
    )
    facilities = (
        pairs.unique(["contributor", "facility_id"], maintain_order=True)
        .group_by("contributor", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("shared_facility_count"),
            pl.col("facility_id").alias("shared_facility_ids"),
        )
    )
    others = (
        pairs.group_by("contributor", "other")
        .agg(pl.len().alias("overlap"))
        .sort("contributor", "overlap", "other", descending=[False, True, False])
        .group_by("contributor", maintain_order=True)
        .agg(pl.col("other").alias("shared_with"))
    )
    return facilities.join(others, on="contributor", how="left")


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
