"""Export worker-voice grievance cases with HTCDS v2 field names and picklist values (IOM, CC BY 4.0).

The mapping is data (``reference/htcds_mapping.csv``): HTCDS field, flrisk source column, rule, note.
Columns flrisk has but HTCDS lacks travel as ``x_flrisk_*`` extension columns (received month, channel,
ILO indicator). Every HTCDS field without a mapping is listed in the export report with the reason
for its prefix (``reference/htcds_unmapped.csv``). Case keys, reporter fields and narratives are never
read (``sql/htcds_cases.sql``); dates are coarsened to months, and the facility is named only where it
has at least k cases in the export.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import polars as pl

REFERENCE = Path(__file__).resolve().parent / "reference"
SQL = Path(__file__).resolve().parent / "sql" / "htcds_cases.sql"
RECRUITMENT_CATEGORIES = frozenset({"recruitment fees", "deceptive recruitment"})
EXTENSIONS = {
    "received_month": "x_flrisk_received_month",
    "channel": "x_flrisk_channel",
    "ilo_indicator": "x_flrisk_ilo_indicator",
}


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def htcds_fields() -> dict[str, dict[str, str]]:
    """HTCDS v2 fields by full name (``vic_MethodsOfControl``), as copied from the standard."""
    return {row["Field Name including Prefix"]: row for row in _read("htcds_fields.csv")}


def mapping() -> list[dict[str, str]]:
    """The documented mapping rows, in export column order."""
    return _read("htcds_mapping.csv")


def picklist(field: str) -> frozenset[str]:
    """The picklist value names of an HTCDS field (empty for a non-picklist field)."""
    return frozenset((htcds_fields()[field].get("Value Names (if picklist)") or "").split())


def source_sql() -> str:
    """The read-only query for the cases to export."""
    return SQL.read_text(encoding="utf-8")


def to_htcds(cases: pl.DataFrame, k: int) -> pl.DataFrame:
    """One row per case: mapped HTCDS fields, then the ``x_flrisk_*`` extensions."""
    counts = cases.group_by("facility_id").len("facility_cases")
    cases = cases.join(counts, on="facility_id", how="left", nulls_equal=True)
    rules = {
        "copy": lambda source: pl.col(source),
        "recruitment_or_exploitation": lambda source: (
            pl.when(pl.col(source).is_in(RECRUITMENT_CATEGORIES))
            .then(pl.lit("Recruitment"))
            .otherwise(pl.lit("Exploitation"))
        ),
        "facility_if_k": lambda source: pl.when(pl.col("facility_cases") >= k).then(pl.col(source)),
    }
    mapped = [rules[row["rule"]](row["source_column"]).alias(row["htcds_field"]) for row in mapping()]
    extensions = [pl.col(source).alias(name) for source, name in EXTENSIONS.items()]
    return cases.select(*mapped, *extensions)


def export_report(exported: pl.DataFrame, k: int) -> dict:
    """What was mapped, what was not, and whether every picklist value is a valid HTCDS value."""
    mapped = {row["htcds_field"]: {"source": row["source_column"], "note": row["note"]} for row in mapping()}
    reasons = {row["prefix"]: row["reason"] for row in _read("htcds_unmapped.csv")}
    invalid = {}
    for field in mapped:
        allowed = picklist(field)
        values = set(exported[field].drop_nulls().unique().to_list())
        if allowed and values - allowed:
            invalid[field] = sorted(values - allowed)
    return {
        "standard": "IOM Human Trafficking Case Data Standard v2 (CC BY 4.0)",
        "rows": exported.height,
        "k": k,
        "mapped_fields": mapped,
        "extension_columns": list(EXTENSIONS.values()),
        "cases_without_location": exported["vic_LocationOfExploitation"].null_count(),
        "invalid_picklist_values": invalid,
        "unmapped_htcds_fields": {
            name: reasons.get(row["Field Name Prefix"], "not collected")
            for name, row in htcds_fields().items()
            if name not in mapped
        },
        "flrisk_columns_not_exported": [
            "case_key",
            "record_id",
            "category_raw",
            "received_date (day)",
            "reporter_id",
            "reporter_phone",
            "narrative",
            "load_id",
            "source_file",
            "source_row",
        ],
    }


def write_export(exported: pl.DataFrame, report: dict, output: Path) -> Path:
    """Write the cases (CSV or Parquet by extension) and ``<stem>.htcds-report.json`` beside them."""
    if output.suffix.lower() == ".parquet":
        exported.write_parquet(output)
    else:
        exported.write_csv(output)
    report_path = output.with_name(f"{output.stem}.htcds-report.json")
    report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report_path
