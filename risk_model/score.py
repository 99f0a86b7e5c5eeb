"""Combine the components into the published risk tables.

risk_score = sum(weight_c x score_c) over the five components (weights in parameters.yaml), 0-100.
Band: by the score thresholds; a confirmed list hit (automatically or by a reviewer) forces "critical";
a hit a reviewer rejected is published as dismissed and counts for nothing. A facility with no
facility-level evidence (no audit and no usable worker voice) is "unknown", never "low", whatever its
score (which then reflects inherent country, sector and list risk only); "low" also needs a confidence
of at least `low_band_min_confidence`, so stale evidence cannot vouch for a facility. Confidence (0-1):
see risk_model/confidence.py. The top three drivers are the strongest evidence of the three components
that add most to the score.
"""

from __future__ import annotations

import hashlib

import polars as pl

from risk_model.components import audit_component, country_component, sector_component
from risk_model.confidence import with_confidence
from risk_model.inputs import RiskInputs
from risk_model.list_decisions import apply_decisions
from risk_model.parameters import RiskParameters
from risk_model.screening import list_component, screen
from risk_model.worker_voice import worker_voice_component

COMPONENTS = ("country", "sector", "list_exposure", "audit", "worker_voice")


def score_facilities(inputs: RiskInputs, params: RiskParameters) -> dict[str, pl.DataFrame]:
    """`facility_risk`, `facility_risk_drivers` and `list_screening_hits` frames."""
    inputs = inputs.current()
    hits = apply_decisions(screen(inputs, params), inputs.list_hit_decisions, inputs.facility_id_aliases)
    parts = [
        country_component(inputs, params),
        sector_component(inputs, params),
        list_component(hits, params),
        audit_component(inputs, params),
        worker_voice_component(inputs, params),
    ]
    weights = params["component_weights"]
    drivers = pl.concat([d for d, _ in parts]).with_columns(
        weighted=pl.col("points") * pl.col("component").replace_strict(weights, return_dtype=pl.Float64)
    )
    risk = inputs.facilities.select("facility_id", "name", "country_code", "os_id", "contributors", "lat")
    for _, scores in parts:
        risk = risk.join(scores, on="facility_id", how="left")
    risk = risk.with_columns(pl.col(f"{c}_score").fill_null(0.0).round(2) for c in COMPONENTS)
    risk = risk.with_columns(
        risk_score=pl.sum_horizontal(weights[c] * pl.col(f"{c}_score") for c in COMPONENTS).round(2)
    )
    risk = with_confidence(risk, inputs, params).join(
        _top_drivers(drivers, risk, weights), on="facility_id", how="left"
    )
    risk = _with_band(risk, hits, params).with_columns(
        facility_name=pl.col("name"),
        as_of_date=pl.lit(inputs.as_of),
        methodology_version=pl.lit(params.methodology_version),
        evidence_count=pl.col("evidence_count").fill_null(0).cast(pl.Int64),
    )
    published_drivers = drivers.sort(
        "facility_id", "weighted", "description", descending=[False, True, False]
    )
    keys = published_drivers.select(
        pl.concat_str(
            "facility_id",
            "component",
            "description",
            pl.col("evidence_finding_id").fill_null(""),
            pl.col("evidence_list_entry").fill_null(""),
            separator="|",
        )
    ).to_series()
    driver_ids = pl.Series(
        "driver_id",
        [None if key is None else hashlib.sha256(key.encode()).hexdigest()[:20] for key in keys],
        dtype=pl.String,
    )
    published_drivers = (
        published_drivers.with_columns(driver_ids)
        .drop("weighted")
        .unique("driver_id", keep="first", maintain_order=True)
    )
    return {
        "facility_risk": risk.sort("risk_score", "facility_id", descending=[True, False]),
        "facility_risk_drivers": published_drivers,
        "list_screening_hits": hits,
    }


def _top_drivers(drivers: pl.DataFrame, risk: pl.DataFrame, weights: dict) -> pl.DataFrame:
    """driver_1..3 in plain language: the strongest evidence of each of the three components that add
    the most to the score; evidence_count: facility-level evidence rows (audits, worker voice, lists)."""
    contribution = risk.select(
        "facility_id", *[(weights[c] * pl.col(f"{c}_score")).alias(c) for c in COMPONENTS]
    ).unpivot(index="facility_id", variable_name="component", value_name="contribution")
    strongest = drivers.sort("facility_id", "weighted", "description", descending=[False, True, False])
    per_component = (
        strongest.unique(["facility_id", "component"], keep="first", maintain_order=True)
        .join(contribution, on=["facility_id", "component"])
        .sort("facility_id", "contribution", "component", descending=[False, True, False])
    )
    top = per_component.group_by("facility_id", maintain_order=True).agg(
        pl.col("description").head(3).alias("top")
    )
    evidence = drivers.group_by("facility_id").agg(
        pl.col("component").is_in(["audit", "worker_voice", "list_exposure"]).sum().alias("evidence_count")
    )
    return (
        top.with_columns(
            pl.col("top").list.get(i, null_on_oob=True).alias(f"driver_{i + 1}") for i in range(3)
        )
        .drop("top")
        .join(evidence, on="facility_id", how="left")
    )


def _with_band(risk: pl.DataFrame, hits: pl.DataFrame, params: RiskParameters) -> pl.DataFrame:
    """Band from thresholds; confirmed hit -> critical; no facility-level evidence or too little
    confidence for "low" -> unknown."""
    thresholds = params["band_thresholds"]
    confirmed = hits.filter(pl.col("status") == "confirmed").select("facility_id").unique()
    score = pl.col("risk_score")
    band = (
        pl.when(pl.col("facility_id").is_in(confirmed["facility_id"].implode()))
        .then(pl.lit("critical"))
        .when(score >= thresholds["critical"])
        .then(pl.lit("critical"))
        .when(score >= thresholds["high"])
        .then(pl.lit("high"))
        .when(score >= thresholds["medium"])
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )
    uncovered = pl.col("latest_audit").is_null() & pl.col("latest_voice").is_null()
    thin = pl.col("confidence") < params["low_band_min_confidence"]
    return risk.with_columns(risk_band=band).with_columns(
        risk_band=pl.when(uncovered & (pl.col("risk_band") != "critical"))
        .then(pl.lit("unknown"))
        .when(thin & (pl.col("risk_band") == "low"))
        .then(pl.lit("unknown"))
        .otherwise(pl.col("risk_band"))
    )
