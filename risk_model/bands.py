"""Band, score floor and the one-line reason for the band: band and score always agree.

Bands by score: critical >= 70, high >= 45, medium >= 25, else low (parameters.yaml). Then, in order:
1. no audit and no usable worker voice -> unknown (absence of evidence is not low risk); a low score
   whose confidence is under `low_band_min_confidence` -> unknown too;
2. a facility located in a risk region -> at least the region's minimum band (XUAR: high);
3. a confirmed list hit -> critical.
A band forced above its score's band floors the score at that band's threshold (a confirmed hit puts
the score at 70 at least, the XUAR presumption at 45 at least), so every published score lies in its
band's range; unknown covers whatever inherent risk alone scores (below 45 by construction: three
inherent components of weight 0.15, the list one below 100 unless confirmed). Lists sort by band
severity (`BAND_ORDER`), then score, highest first.
"""

from __future__ import annotations

import polars as pl

from risk_model.parameters import RiskParameters

BAND_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unknown": 4}
SEVERITY = {"critical": 3, "high": 2, "medium": 1, "low": 0}


def band_ranges(params: RiskParameters) -> dict[str, tuple[float, float]]:
    """band -> [lower, upper) score range (critical includes 100; unknown spans the scale)."""
    t = params["band_thresholds"]
    return {
        "critical": (t["critical"], 100.0001),
        "high": (t["high"], t["critical"]),
        "medium": (t["medium"], t["high"]),
        "low": (0.0, t["medium"]),
        "unknown": (0.0, 100.0001),
    }


def _score_band(thresholds: dict) -> pl.Expr:
    score = pl.col("risk_score")
    return (
        pl.when(score >= thresholds["critical"])
        .then(pl.lit("critical"))
        .when(score >= thresholds["high"])
        .then(pl.lit("high"))
        .when(score >= thresholds["medium"])
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )


def with_band(risk: pl.DataFrame, confirmed: pl.DataFrame, params: RiskParameters) -> pl.DataFrame:
    """`risk` (with risk_score, confidence, latest_audit, latest_voice, minimum_band, region_driver and
    the component scores) plus risk_band, the floored risk_score and band_reason. `confirmed` holds
    (facility_id, confirmed_hit): the first confirmed list hit per facility."""
    t = params["band_thresholds"]
    risk = risk.join(confirmed, on="facility_id", how="left")
    uncovered = pl.col("latest_audit").is_null() & pl.col("latest_voice").is_null()
    thin = pl.col("confidence") < params["low_band_min_confidence"]
    by_score = _score_band(t)
    floor_band = pl.col("minimum_band").replace_strict(SEVERITY, default=-1, return_dtype=pl.Int8)
    base = (
        pl.when(by_score == "critical")
        .then(by_score)
        .when(uncovered | (thin & (by_score == "low")))
        .then(pl.lit("unknown"))
        .otherwise(by_score)
    )
    base_severity = base.replace_strict(SEVERITY, default=-1, return_dtype=pl.Int8)
    band = (
        pl.when(pl.col("confirmed_hit").is_not_null())
        .then(pl.lit("critical"))
        .when(floor_band > base_severity)
        .then(pl.col("minimum_band"))
        .otherwise(base)
    )
    risk = risk.with_columns(score_band=by_score, risk_band=band)
    floor = pl.col("risk_band").replace_strict(
        {"critical": t["critical"], "high": t["high"], "medium": t["medium"]},
        default=0.0,
        return_dtype=pl.Float64,
    )
    floored = pl.col("risk_band") != pl.col("score_band")
    risk = risk.with_columns(
        risk_score=pl.when(floored & (pl.col("risk_band") != "unknown"))
        .then(pl.max_horizontal("risk_score", floor))
        .otherwise(pl.col("risk_score"))
        .round(2)
    )
    return risk.with_columns(band_reason=_reason(params)).drop("score_band", "confirmed_hit")


def _reason(params: RiskParameters) -> pl.Expr:
    t = params["band_thresholds"]
    band = pl.col("risk_band")
    inherent = pl.format(
        "country {}, sector {}, list {}",
        pl.col("country_score").round(0).cast(pl.Int64),
        pl.col("sector_score").round(0).cast(pl.Int64),
        pl.col("list_exposure_score").round(0).cast(pl.Int64),
    )
    uncovered = pl.col("latest_audit").is_null() & pl.col("latest_voice").is_null()
    return (
        pl.when(pl.col("confirmed_hit").is_not_null())
        .then(
            pl.format(
                "{}: band forced to critical, score floored at {}", "confirmed_hit", pl.lit(t["critical"])
            )
        )
        .when(pl.col("region_driver").is_not_null() & (band == pl.col("minimum_band")))
        .then(
            pl.format(
                "{}: band at least {}, score floored at {}",
                "region_driver",
                band,
                band.replace_strict(
                    {"critical": t["critical"], "high": t["high"], "medium": t["medium"]},
                    default=0,
                    return_dtype=pl.Float64,
                ),
            )
        )
        .when((band == "unknown") & uncovered)
        .then(pl.format("no audit or worker-voice evidence; inherent risk only: {}", inherent))
        .when(band == "unknown")
        .then(
            pl.format(
                "evidence too old to vouch for low: confidence {} below {}",
                pl.col("confidence").round(2),
                pl.lit(params["low_band_min_confidence"]),
            )
        )
        .when(band == "low")
        .then(
            pl.format(
                "score below {} with recent evidence (latest audit {}, latest worker voice {})",
                pl.lit(t["medium"]),
                pl.col("latest_audit").cast(pl.String).fill_null("none"),
                pl.col("latest_voice").cast(pl.String).fill_null("none"),
            )
        )
        .otherwise(pl.format("score {} in the {} band", pl.col("risk_score").round(1), band))
    )


def severity_order(frame: pl.DataFrame, band: str = "risk_band", score: str = "risk_score") -> pl.DataFrame:
    """`frame` sorted by band severity, then score (highest first), then facility_id."""
    return (
        frame.with_columns(
            _band_rank=pl.col(band).replace_strict(BAND_ORDER, default=9, return_dtype=pl.Int8)
        )
        .sort("_band_rank", score, "facility_id", descending=[False, True, False])
        .drop("_band_rank")
    )
