"""The sensitive tables flrisk can synthesise, and how each is read, discretised and checked.

A spec names only shareable columns: identifiers (case keys, finding and audit ids, facility links),
provenance (load, file, row) and free text never enter the query, so they cannot reach a synthetic
table. Dates are synthesised as a month and drawn uniformly within it. The quasi-identifiers are what
someone who knows a worker or an audit could also know (where, when, through which channel or
scheme); a synthetic row must never equal a real row on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

SQL_DIR = Path(__file__).resolve().parent / "sql"
NULL = "<null>"


@dataclass(frozen=True)
class SynthesisSpec:
    """How to synthesise one sensitive table: its shareable columns in order (the query's), which of
    them are dates synthesised by month, its quasi-identifiers and the columns deliberately left out."""

    name: str
    description: str
    columns: tuple[str, ...]
    month_dates: tuple[str, ...]
    quasi_identifiers: tuple[str, ...]
    dropped: tuple[str, ...]

    def sql(self) -> str:
        """The read-only query that selects the table's shareable columns from the warehouse."""
        return (SQL_DIR / f"{self.name}.sql").read_text(encoding="utf-8")


SPECS = {
    "worker_voice_grievances": SynthesisSpec(
        name="worker_voice_grievances",
        description="worker-voice grievance cases (staged.worker_voice_grievances + facility country)",
        columns=(
            "country_code",
            "received_date",
            "channel",
            "category",
            "ilo_indicator",
            "htcds_method_of_control",
            "status",
            "htcds_case_status",
        ),
        month_dates=("received_date",),
        quasi_identifiers=("country_code", "received_date", "channel", "category"),
        dropped=("case_key", "record_id", "category_raw", "load_id", "source_file", "source_row"),
    ),
    "audit_findings": SynthesisSpec(
        name="audit_findings",
        description="social-audit findings (staged.audit_findings + facility country)",
        columns=(
            "country_code",
            "scheme",
            "scheme_version",
            "auditor",
            "audit_date",
            "category",
            "ilo_indicator",
            "severity",
            "corrective_action_status",
        ),
        month_dates=("audit_date",),
        quasi_identifiers=("country_code", "scheme", "auditor", "audit_date"),
        dropped=(
            "finding_id",
            "audit_id",
            "record_id",
            "category_raw",
            "severity_raw",
            "audit_expiry_date",
            "corrective_action_closed_date",
            "export_shape",
            "load_id",
            "source_file",
            "source_row",
        ),
    ),
}
ALIASES = {"grievances": "worker_voice_grievances", "worker_voice_cases": "worker_voice_grievances"}


def spec_for(table: str) -> SynthesisSpec:
    """The spec for ``table`` (``staged.`` prefix and a few aliases accepted); KeyError names the choices."""
    name = table.removeprefix("staged.")
    name = ALIASES.get(name, name)
    if name not in SPECS:
        raise KeyError(f"cannot synthesise {table!r}: choose one of {', '.join(sorted(SPECS))}")
    return SPECS[name]


def discretise(frame: pl.DataFrame, spec: SynthesisSpec) -> pl.DataFrame:
    """Every spec column as strings: month dates as ``YYYY-MM``, nulls as ``<null>``."""
    return frame.select(
        (pl.col(c).dt.strftime("%Y-%m") if c in spec.month_dates else pl.col(c).cast(pl.String))
        .fill_null(NULL)
        .alias(c)
        for c in spec.columns
    )
