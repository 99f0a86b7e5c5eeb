"""Coverage and confidence: how much facility-level evidence backs a score, and how fresh it is.

Coverage per facility is the date of its latest audit (any audit, with or without forced-labour
findings) and of its latest usable worker-voice aggregate (a facility's grievance cases when there are
at least k of them, a survey cell with at least k respondents). Confidence (0-1) adds up:
`registry_record` for the record itself, `recent_audit` and `worker_voice` each scaled by
0.5 ** (age / half_life_days), and `coordinates` when the facility is located. A facility with neither
audit nor worker-voice coverage has no facility-level evidence: its band is "unknown", never "low".
"""

from __future__ import annotations

import polars as pl

from risk_model.inputs import RiskInputs
from risk_model.parameters import RiskParameters


def survey_period_end(column: str) -> pl.Expr:
    """Last day of a survey period written YYYY-Qn."""
    year = pl.col(column).str.slice(0, 4).cast(pl.Int32, strict=False)
    quarter = pl.col(column).str.slice(6, 1).cast(pl.Int32, strict=False)
    return pl.date(year, quarter * 3, 1).dt.month_end()


def coverage(inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    """(facility_id, latest_audit, latest_voice): dates of the freshest facility-level evidence."""
    k = params["worker_voice"]["k_anonymity"]
    links = inputs.record_links.select("record_id", "facility_id")
    audits = (
        inputs.audit_list()
        .join(links, on="record_id")
        .group_by("facility_id")
        .agg(pl.col("audit_date").max().alias("latest_audit"))
    )
    grievances = (
        inputs.grievances.join(links, on="record_id")
        .group_by("facility_id")
        .agg(pl.len().alias("cases"), pl.col("received_date").max().dt.truncate("1mo").alias("voice_date"))
        .filter(pl.col("cases") >= k)
        .select("facility_id", "voice_date")
    )
    surveys = (
        inputs.surveys.filter(pl.col("respondents") >= k)
        .join(links, on="record_id")
        .select("facility_id", survey_period_end("survey_period").alias("voice_date"))
    )
    voice = (
        pl.concat([grievances, surveys], how="vertical_relaxed")
        .group_by("facility_id")
        .agg(pl.col("voice_date").max().alias("latest_voice"))
    )
    return (
        inputs.facilities.select("facility_id")
        .join(audits, on="facility_id", how="left")
        .join(voice, on="facility_id", how="left")
    )


def with_confidence(risk: pl.DataFrame, inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    """Add `confidence` and the coverage dates (`latest_audit`, `latest_voice`) to `risk`."""
    rule = params["confidence"]
    half_life = params["audit"]["half_life_days"]

    def fresh(column: str, weight: float) -> pl.Expr:
        age = (pl.lit(inputs.as_of) - pl.col(column)).dt.total_days().clip(0)
        return pl.when(pl.col(column).is_not_null()).then(weight * 0.5 ** (age / half_life)).otherwise(0.0)

    return risk.join(coverage(inputs, params), on="facility_id", how="left").with_columns(
        confidence=(
            rule["registry_record"]
            + fresh("latest_audit", rule["recent_audit"])
            + fresh("latest_voice", rule["worker_voice"])
            + pl.when(pl.col("lat").is_not_null()).then(rule["coordinates"]).otherwise(0.0)
        )
        .clip(0, 1)
        .round(3)
    )
