"""Export worker-voice grievance cases with HTCDS v2 field names and picklist values (IOM, CC BY 4.0).

Only cases with a forced-labour or trafficking indicator (an ILO forced-labour indicator, mapped at
staging from the category) are HTCDS cases: a fire-safety or health-and-safety grievance is left out
(the report counts them). The mapping is data (``reference/htcds_mapping.csv``): HTCDS field, flrisk
source column, rule, note. Columns flrisk has but HTCDS lacks travel as ``x_flrisk_*`` extension
columns (received month, channel, ILO indicator). Every HTCDS field without a mapping is listed in the
export report with its reason (``reference/htcds_unmapped_fields.csv``, else the reason for its prefix
in ``reference/htcds_unmapped.csv``), and the report says how many of the standard's Core fields are
filled. Case keys, reporter fields and narratives are never read (``sql/htcds_cases.sql``); dates are
coarsened to months, the facility is named only where it has at least k cases in the export, and its
industry only where at least k exported cases share the country and the industry.
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
INDICATOR = "ilo_indicator"  # a case is exported only when it has one
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


def forced_labour_cases(cases: pl.DataFrame) -> pl.DataFrame:
    """The cases with a forced-labour or trafficking indicator (the others are not HTCDS cases)."""
    return cases.filter(pl.col(INDICATOR).is_not_null())


@cache
def industry_by_sector() -> dict[str, str]:
    """Open Supply Hub sector (lower case) -> HTCDS vic_ForcedLabourIndustry value (ISIC v4 section)."""
    return {
        row["sector"].casefold(): row["vic_ForcedLabourIndustry"]
        for row in _read("htcds_industry_by_sector.csv")
    }


def with_industry(cases: pl.DataFrame) -> pl.DataFrame:
    """``cases`` plus ``industry``: the one ISIC section its facility's sectors map to (None when none
    maps or they disagree)."""
    table = industry_by_sector()
    sections = pl.DataFrame({"sector_key": list(table), "section": list(table.values())})
    per_case = (
        cases.with_row_index("_case")
        .select("_case", pl.col("facility_sectors").alias("sector"))
        .explode("sector")
        .with_columns(sector_key=pl.col("sector").str.to_lowercase())
        .join(sections, on="sector_key", how="left")
        .group_by("_case")
        .agg(pl.col("section").drop_nulls().unique())
        .select(
            "_case", industry=pl.when(pl.col("section").list.len() == 1).then(pl.col("section").list.first())
        )
    )
    return cases.with_row_index("_case").join(per_case, on="_case", how="left").drop("_case")


def to_htcds(cases: pl.DataFrame, k: int) -> pl.DataFrame:
    """One row per case with a forced-labour indicator: mapped HTCDS fields, then the ``x_flrisk_*``
    extensions."""
    cases = forced_labour_cases(cases)
    if "facility_sectors" not in cases.columns:
        cases = cases.with_columns(facility_sectors=pl.lit(None, pl.List(pl.String)))
    cases = with_industry(cases)
    counts = cases.group_by("facility_id").len("facility_cases")
    cases = cases.join(counts, on="facility_id", how="left", nulls_equal=True)
    shared = cases.group_by("country_code", "industry").len("industry_cases")
    cases = cases.join(shared, on=["country_code", "industry"], how="left", nulls_equal=True)
    rules = {
        "copy": lambda source: pl.col(source),
        "recruitment_or_exploitation": lambda source: (
            pl.when(pl.col(source).is_in(RECRUITMENT_CATEGORIES))
            .then(pl.lit("Recruitment"))
            .otherwise(pl.lit("Exploitation"))
        ),
        "facility_if_k": lambda source: pl.when(pl.col("facility_cases") >= k).then(pl.col(source)),
        "forced_labour": lambda source: pl.lit("ForcedLabour"),
        "possible_victim": lambda source: pl.lit("PossibleVictimOfTrafficking"),
        "industry_if_k": lambda source: pl.when(pl.col("industry_cases") >= k).then(pl.col("industry")),
        "month_start": lambda source: (pl.col(source) + "-01").str.to_date("%Y-%m-%d"),
    }
    mapped = [rules[row["rule"]](row["source_column"]).alias(row["htcds_field"]) for row in mapping()]
    extensions = [pl.col(source).alias(name) for source, name in EXTENSIONS.items()]
    return cases.select(*mapped, *extensions)


def core_fields() -> list[str]:
    """The HTCDS v2 fields marked Core, in the standard's order."""
    return [name for name, row in htcds_fields().items() if row.get("Core") == "Core"]


def unmapped_reason(field: str) -> str:
    """Why ``field`` is not filled: its own reason, else its section's."""
    own = {row["field"]: row["reason"] for row in _read("htcds_unmapped_fields.csv")}
    sections = {row["prefix"]: row["reason"] for row in _read("htcds_unmapped.csv")}
    return own.get(field) or sections.get(htcds_fields()[field]["Field Name Prefix"], "not collected")


def export_report(exported: pl.DataFrame, k: int, left_out: int = 0) -> dict:
    """What was mapped, what was not (Core fields first), how many cases were left out for want of a
    forced-labour indicator, and whether every picklist value is a valid HTCDS value."""
    mapped = {row["htcds_field"]: {"source": row["source_column"], "note": row["note"]} for row in mapping()}
    core = core_fields()
    invalid = {}
    for field in mapped:
        allowed = picklist(field)
        values = set(exported[field].drop_nulls().unique().to_list())
        if allowed and values - allowed:
            invalid[field] = sorted(values - allowed)
    return {
        "standard": "IOM Human Trafficking Case Data Standard v2 (CC BY 4.0)",
        "rows": exported.height,
        "cases_left_out_without_forced_labour_indicator": left_out,
        "k": k,
        "core_fields": {
            "total": len(core),
            "mapped": [name for name in core if name in mapped],
            "unmapped": {name: unmapped_reason(name) for name in core if name not in mapped},
        },
        "mapped_fields": mapped,
        "extension_columns": list(EXTENSIONS.values()),
        "cases_without_location": exported["vic_LocationOfExploitation"].null_count(),
        "invalid_picklist_values": invalid,
        "cases_without_industry": exported["vic_ForcedLabourIndustry"].null_count(),
        "unmapped_htcds_fields": {
            name: unmapped_reason(name) for name in htcds_fields() if name not in mapped
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
