"""The k-anonymous worker-voice summary: facility x period x indicator.

A cell counts people (survey respondents) or cases (grievances). Primary suppression: a cell built from
fewer than k respondents or cases is suppressed. Complementary suppression: within a facility x period
(row) and within a facility x indicator (column), a single suppressed cell could be recovered from a
total published elsewhere, so the smallest other published cell of that group is suppressed too,
repeatedly until no group has exactly one suppressed cell. Suppressed cells are published with null
counts, `suppressed = true` and the reason: never as a silent zero.
"""

from __future__ import annotations

import polars as pl

KEYS = ["facility_id", "period", "ilo_indicator"]


def _cells(grievances: pl.DataFrame, surveys: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    links = links.select("record_id", "facility_id")
    cases = (
        grievances.filter(pl.col("ilo_indicator").is_not_null())
        .join(links, on="record_id")
        .with_columns(
            period=pl.format(
                "{}-Q{}", pl.col("received_date").dt.year(), pl.col("received_date").dt.quarter()
            )
        )
        .group_by(KEYS)
        .agg(pl.len().cast(pl.Int64).alias("grievance_cases"))
    )
    survey = (
        surveys.join(links, on="record_id")
        .rename({"survey_period": "period"})
        .group_by(KEYS)
        .agg(
            pl.col("respondents").sum().cast(pl.Int64),
            pl.col("respondents_reporting").sum().cast(pl.Int64).alias("reporting"),
        )
    )
    return survey.join(cases, on=KEYS, how="full", coalesce=True).sort(KEYS)


def summarise(grievances: pl.DataFrame, surveys: pl.DataFrame, links: pl.DataFrame, k: int) -> pl.DataFrame:
    """The published summary with primary and complementary suppression applied."""
    cells = _cells(grievances, surveys, links).with_columns(
        size=pl.max_horizontal(pl.col("respondents").fill_null(0), pl.col("grievance_cases").fill_null(0))
    )
    below_k = (pl.col("respondents").is_not_null() & (pl.col("respondents") < k)) | (
        pl.col("grievance_cases").is_not_null() & (pl.col("grievance_cases") < k)
    )
    cells = cells.with_columns(
        suppression_reason=pl.when(below_k).then(pl.lit("below_k")).otherwise(pl.lit(None, dtype=pl.String))
    )
    reasons = cells["suppression_reason"].to_list()
    rows = cells.select(KEYS + ["size"]).to_dicts()
    changed = True
    while changed:
        changed = False
        for group in (("facility_id", "period"), ("facility_id", "ilo_indicator")):
            members: dict[tuple, list[int]] = {}
            for i, row in enumerate(rows):
                members.setdefault(tuple(row[g] for g in group), []).append(i)
            for indexes in members.values():
                hidden = [i for i in indexes if reasons[i] is not None]
                shown = [i for i in indexes if reasons[i] is None]
                if len(hidden) == 1 and shown:
                    smallest = min(
                        shown, key=lambda i: (rows[i]["size"], rows[i]["ilo_indicator"], rows[i]["period"])
                    )
                    reasons[smallest] = "complementary"
                    changed = True
    suppressed = pl.Series("suppression_reason", reasons, dtype=pl.String).is_not_null()
    hide = pl.col("suppressed")
    return (
        cells.with_columns(
            suppression_reason=pl.Series(reasons, dtype=pl.String),
            suppressed=suppressed,
            k_threshold=pl.lit(k, pl.Int64),
        )
        .with_columns(
            respondents=pl.when(hide).then(None).otherwise(pl.col("respondents")),
            reporting=pl.when(hide).then(None).otherwise(pl.col("reporting")),
            grievance_cases=pl.when(hide).then(None).otherwise(pl.col("grievance_cases")),
        )
        .drop("size")
    )
