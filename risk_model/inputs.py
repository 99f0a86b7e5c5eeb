"""The evidence the risk model reads, as one frozen bundle of Polars frames, and the driver layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

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
