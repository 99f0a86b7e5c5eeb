"""The evidence the risk model reads, as one frozen bundle of Polars frames, the driver layout, and the
date scores are computed as of (`scoring_date`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

EARLIEST_AS_OF = date(2000, 1, 1)  # before any evidence the model knows (the DOL list began in 2009)
FUTURE_TOLERANCE = timedelta(days=1)  # a day ahead: "today" somewhere on Earth

DRIVER_SCHEMA = {
    "facility_id": pl.String,
    "component": pl.String,
    "points": pl.Float64,
    "description": pl.String,
    "evidence_source": pl.String,
    "evidence_record_id": pl.String,
    "evidence_date": pl.Date,
    "evidence_list_entry": pl.String,
    "evidence_finding_id": pl.String,
}


def scoring_date(text: str, today: date | None = None) -> date:
    """The as-of date `text` (YYYY-MM-DD; empty = today) as a date; `ValueError` saying what is wrong
    for a date that does not exist, lies before EARLIEST_AS_OF (every piece of evidence would look
    fresh, e.g. confidence 1.00 as of 1900) or more than a day in the future."""
    today = today or date.today()
    if not text.strip():
        return today
    try:
        value = date.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(f"--as-of {text!r} is not a real date in YYYY-MM-DD form ({error})") from error
    if value < EARLIEST_AS_OF:
        raise ValueError(f"--as-of {value} is before {EARLIEST_AS_OF}: all evidence would look new")
    if value > today + FUTURE_TOLERANCE:
        raise ValueError(f"--as-of {value} is in the future (today is {today})")
    return value


@dataclass(frozen=True)
class RiskInputs:
    """Resolved facilities, their record links and every staged evidence table, plus the as-of date."""

    facilities: pl.DataFrame
    record_links: pl.DataFrame
    audit_findings: pl.DataFrame
    grievances: pl.DataFrame
    surveys: pl.DataFrame
    dol_goods: pl.DataFrame
    entity_lists: pl.DataFrame
    as_of: date
    country_risk: pl.DataFrame | None = None  # a user-supplied Global Slavery Index file, if any
    audits: pl.DataFrame | None = None  # staged.audits (also audits without findings); else from findings
    facility_records: pl.DataFrame | None = None  # staged.facility_records: every name seen (aliases)
    list_hit_decisions: pl.DataFrame | None = None  # resolved.list_hit_decisions: reviewers' decisions
    facility_id_aliases: pl.DataFrame | None = None  # resolved.facility_id_aliases: retired ids

    def audit_list(self) -> pl.DataFrame:
        """One row per audit (audit_id, record_id, scheme, scheme_version, audit_date, audit_expiry_date):
        staged.audits when given, plus audits known only from their findings."""
        columns = ["audit_id", "record_id", "scheme", "scheme_version", "audit_date", "audit_expiry_date"]
        frames = [self.audit_findings.select(columns)]
        if self.audits is not None:
            frames.insert(0, self.audits.select(columns))
        return pl.concat(frames, how="vertical_relaxed").unique(
            ["audit_id", "record_id"], keep="first", maintain_order=True
        )

    def current(self) -> RiskInputs:
        """The evidence the model uses: the latest DOL edition per country x good, only active
        list entries (revoked or inactive ones are history, not exposure), the latest GSI edition."""
        dol = self.dol_goods
        if "edition" in dol.columns and dol.height:
            dol = dol.sort("edition").unique(["country_code", "good"], keep="last", maintain_order=True)
        entities = self.entity_lists
        if "status" in entities.columns:
            entities = entities.filter(~pl.col("status").is_in(["revoked", "inactive"]).fill_null(False))
        gsi = self.country_risk
        if gsi is not None and gsi.height:
            gsi = gsi.sort("edition").unique("country_code", keep="last", maintain_order=True)
        return replace(self, dol_goods=dol, entity_lists=entities, country_risk=gsi)


def drivers_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Select/cast `frame` to the driver layout, filling absent evidence columns with nulls."""
    return frame.select(
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in DRIVER_SCHEMA.items()
    )


def empty_drivers() -> pl.DataFrame:
    return pl.DataFrame(schema=DRIVER_SCHEMA)


def label(column: str) -> pl.Expr:
    """Plain-language label of an ILO indicator code column (withholding_of_wages -> withholding of wages)."""
    return pl.col(column).fill_null("unspecified").str.replace_all("_", " ", literal=True)
