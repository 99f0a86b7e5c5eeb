"""Worker-voice signals: grievances per indicator normalised by workforce, and survey shares.

Only aggregates built from at least k people/cases (the k-anonymity threshold) are used: a facility x
indicator with fewer than k grievance cases contributes no grievance signal (and so never appears in a
published driver), and a survey cell with fewer than k respondents is ignored.
Workforce defaults to `default_workforce` (parameters.yaml) where no source states a number of workers.
"""

from __future__ import annotations

import polars as pl

from risk_model.inputs import RiskInputs, drivers_frame, label
from risk_model.parameters import RiskParameters


def worker_voice_component(inputs: RiskInputs, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drivers per facility x indicator, and the component score (strongest signal + breadth)."""
    rule = params["worker_voice"]
    k = rule["k_anonymity"]
    links = inputs.record_links.select("record_id", "facility_id")
    workforce = inputs.facilities.select(
        "facility_id",
        pl.coalesce("workers_max", "workers_min", pl.lit(rule["default_workforce"]))
        .cast(pl.Float64)
        .alias("workers"),
    )
    cases = inputs.grievances.filter(pl.col("ilo_indicator").is_not_null()).join(links, on="record_id")
    grievance = (
        cases.group_by("facility_id", "ilo_indicator")
        .agg(pl.len().alias("cases"), pl.col("received_date").max().alias("evidence_date"))
        .filter(pl.col("cases") >= k)  # a count below k is never used, so never published in a driver
        .join(workforce, on="facility_id", how="left")
        .with_columns(per_100=pl.col("cases") / (pl.col("workers") / 100).clip(1))
        .with_columns(
            points=(pl.col("per_100") * rule["grievance_points_per_case_per_100_workers"]).clip(0, 100),
            description=pl.format(
                "{} worker grievances on {} ({} per 100 workers)",
                "cases",
                label("ilo_indicator"),
                pl.col("per_100").round(1),
            ),
            evidence_source=pl.lit("worker-voice grievances"),
        )
    )
    survey = (
        inputs.surveys.join(links, on="record_id")
        .filter(pl.col("respondents") >= k)
        .sort("survey_period", descending=True)
        .unique(["facility_id", "ilo_indicator"], keep="first")
        .with_columns(share=pl.col("respondents_reporting") / pl.col("respondents"))
        .with_columns(
            points=(pl.col("share") * rule["survey_share_points"]).clip(0, 100),
            description=pl.format(
                "{}% of {} surveyed workers report {} ({})",
                (pl.col("share") * 100).round(0),
                "respondents",
                label("ilo_indicator"),
                "survey_period",
            ),
            evidence_source=pl.format("worker survey {}", "survey_period"),
            evidence_record_id=pl.col("record_id"),
        )
    )
    drivers = pl.concat(
        [
            drivers_frame(grievance.with_columns(component=pl.lit("worker_voice"))),
            drivers_frame(survey.with_columns(component=pl.lit("worker_voice"))),
        ]
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
