"""Worker-voice signals: grievances per indicator normalised by workforce, and survey shares.

Every number a worker-voice driver publishes (its text, its points, its date) is one a reader may
already see, so no driver can give a worker away (issue 17):

- grievances: a facility x indicator with fewer than k cases contributes nothing; above that the count is
  published rounded up to a multiple of 5 (`published_count`), and the points and the rate per 100
  workers are computed from that rounded count, so the points never reveal the exact number;
- surveys: only cells that `published.worker_voice_summary` publishes (k respondents, k reporting and k
  not reporting, not withheld to protect another cell) are used, with the summary's rounded counts:
  text and points derive from them, never from a suppressed cell (points x respondents / 200 used to
  recover such cells exactly);
- evidence dates are coarsened to the first day of their month, so one new case does not move the date
  of a driver to the day it was received.

Workforce defaults to `default_workforce` (parameters.yaml) where no source states a number of workers.
"""

from __future__ import annotations

import polars as pl

from risk_model.inputs import RiskInputs, drivers_frame, label
from risk_model.parameters import RiskParameters
from risk_model.worker_voice_summary import ROUNDING, published_count, summarise


def _rounding(rule: dict) -> int:
    return int(rule.get("count_rounding", ROUNDING))


def grievance_drivers(inputs: RiskInputs, rule: dict) -> pl.DataFrame:
    """One driver per facility x indicator with at least k grievance cases, in rounded numbers."""
    k, rounding = rule["k_anonymity"], _rounding(rule)
    links = inputs.record_links.select("record_id", "facility_id")
    workforce = inputs.facilities.select(
        "facility_id",
        pl.coalesce("workers_max", "workers_min", pl.lit(rule["default_workforce"]))
        .cast(pl.Float64)
        .alias("workers"),
    )
    cases = inputs.grievances.filter(pl.col("ilo_indicator").is_not_null()).join(links, on="record_id")
    return (
        cases.group_by("facility_id", "ilo_indicator")
        .agg(pl.len().alias("exact_cases"), pl.col("received_date").max().alias("latest"))
        .filter(pl.col("exact_cases") >= k)  # a count below k is never used, so never published
        .with_columns(
            cases=published_count(pl.col("exact_cases"), rounding),
            evidence_date=pl.col("latest").dt.truncate("1mo"),
        )
        .join(workforce, on="facility_id", how="left")
        .with_columns(per_100=pl.col("cases") / (pl.col("workers") / 100).clip(1))
        .with_columns(
            points=(pl.col("per_100") * rule["grievance_points_per_case_per_100_workers"]).clip(0, 100),
            description=pl.format(
                "about {} worker grievances on {} ({} per 100 workers)",
                "cases",
                label("ilo_indicator"),
                pl.col("per_100").round(1),
            ),
            evidence_source=pl.lit("worker-voice grievances"),
            component=pl.lit("worker_voice"),
        )
    )


def survey_drivers(inputs: RiskInputs, rule: dict) -> pl.DataFrame:
    """One driver per facility x indicator from its latest survey cell the summary publishes."""
    summary = summarise(
        inputs.grievances, inputs.surveys, inputs.record_links, rule["k_anonymity"], _rounding(rule)
    )
    return (
        summary.filter(~pl.col("suppressed") & (pl.col("respondents") > 0))
        .sort("period", descending=True)
        .unique(["facility_id", "ilo_indicator"], keep="first")
        .with_columns(share=pl.col("reporting") / pl.col("respondents"))
        .with_columns(
            points=(pl.col("share") * rule["survey_share_points"]).clip(0, 100),
            description=pl.format(
                "about {} of about {} surveyed workers report {} ({})",
                "reporting",
                "respondents",
                label("ilo_indicator"),
                "period",
            ),
            evidence_source=pl.format("worker survey {}", "period"),
            evidence_date=pl.col("period").str.slice(0, 4).cast(pl.Int32).pipe(_quarter_start, "period"),
            component=pl.lit("worker_voice"),
        )
    )


def _quarter_start(year: pl.Expr, period: str) -> pl.Expr:
    quarter = pl.col(period).str.slice(6, 1).cast(pl.Int32)
    return pl.date(year, quarter * 3 - 2, 1)


def worker_voice_component(inputs: RiskInputs, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drivers per facility x indicator, and the component score (strongest signal + breadth)."""
    rule = params["worker_voice"]
    drivers = pl.concat(
        [drivers_frame(grievance_drivers(inputs, rule)), drivers_frame(survey_drivers(inputs, rule))]
    )
    scores = drivers.group_by("facility_id").agg(
        (
            pl.col("points").max()
            + rule["breadth_points_per_extra_indicator"] * (pl.col("description").len() - 1)
        )
        .clip(0, 100)
        .cast(pl.Float64)
        .alias("worker_voice_score")
    )
    return drivers, scores
