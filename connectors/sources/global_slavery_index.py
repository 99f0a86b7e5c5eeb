"""Global Slavery Index country data (user-supplied) -> staged.reference_country_risk.

Walk Free's Global Slavery Index (GSI) estimates, per country, the prevalence of modern slavery per
1,000 people and scores vulnerability and government response (0-100). flrisk bundles no copy of
its data workbook (we have not cleared its terms for redistribution): the user supplies the file
(source type ``reference_country_risk``) and this connector stages it.
Layouts (``reference_list_columns.csv``): ``gsi_2023`` (the GSI 2023 headers, e.g. "Estimated
prevalence of modern slavery per 1,000 population", "Total Vulnerability score (%)"; title rows
above the header are skipped by :func:`connectors.reading.workbooks.read_located_table`) and
``flrisk`` (country, prevalence_per_1000, vulnerability_score, ...).

FALLBACK: without a GSI file the table is empty and country risk stays derived from the US DOL List
of Goods (staged.reference_dol_goods), as before; consumers must treat an empty table as "no GSI
input", not as zero risk. The edition comes from an ``edition`` column, else is passed in (per file
with ``editions``), else is read from the file name ("...2023..." -> 2023); see
:func:`connectors.layouts.list_edition`. Values are numbers with optional thousands commas and "%";
out-of-range or unreadable values and unknown countries are quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import polars as pl

from connectors.ids import stable_hash
from connectors.layouts import (
    contract_frame,
    country_code,
    iter_layout_rows,
    list_edition,
    reference_layouts,
)
from connectors.parsing import clean_text
from connectors.staging import FirstSeen, Problem, RawRow, Rejections, Standardised, accept_or_reject

SOURCE_TYPE = "reference_country_risk"
SOURCE = "global_slavery_index"
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
RANGES = {
    "prevalence_per_1000": (0, 1000),
    "vulnerability_score": (0, 100),
    "government_response_score": (0, 100),
}


def standardise_country_risk(
    raw: pl.DataFrame,
    edition: int | None = None,
    layout: str | None = None,
    editions: Mapping[str, int] | None = None,
) -> Standardised:
    """Standardise raw.reference_country_risk rows (one per country) into reference_country_risk."""
    rejections, seen, entries = Rejections(SOURCE_TYPE), FirstSeen(), []
    unknown: dict[str, tuple[str, ...]] = {}
    for _, row in iter_layout_rows(raw, reference_layouts(SOURCE_TYPE), unknown, layout):
        problems: list[Problem] = []
        row_edition = list_edition(row, edition, editions)
        country_raw = row.require("country", problems)
        entry: dict[str, object] = {
            "entry_id": stable_hash(SOURCE, str(row_edition), country_raw),
            "source": SOURCE,
            "edition": row_edition,
            "country_raw": country_raw,
            "country_code": country_code(country_raw, problems),
            "region": clean_text(row.raw("region")),
            "prevalence_per_1000": _number(row, "prevalence_per_1000", problems, required=True),
            "estimated_people": _whole(row, "estimated_people", problems),
            "vulnerability_score": _number(row, "vulnerability_score", problems),
            "government_response_score": _number(row, "government_response_score", problems),
            "population": _whole(row, "population", problems),
            "load_id": row.load_id,
            "source_file": row.source_file,
            "source_row": row.source_row,
        }
        key = stable_hash(SOURCE, str(row_edition), str(entry["country_code"] or country_raw))
        if accept_or_reject(row, problems, seen, key, rejections):
            entries.append(entry)
    return Standardised(
        tables={"reference_country_risk": contract_frame("reference_country_risk", entries)},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def parse_number(value: str) -> Decimal:
    """Parse "6.2", "1,234,000" or "56.4%" (the % is dropped); ValueError otherwise. A comma is
    only read as a thousands separator ("6,2" is refused rather than read as 62)."""
    text = value.strip().removesuffix("%").strip()
    if "," in text and not _THOUSANDS.fullmatch(text):
        raise ValueError(f"{value!r} has a comma that is not a thousands separator")
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _number(row: RawRow, field_name: str, problems: list[Problem], required: bool = False) -> float | None:
    value = row.require(field_name, problems) if required else row.raw(field_name)
    if value is None:
        return None
    try:
        number = parse_number(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "invalid_number", f"{field_name}: {exc}"))
        return None
    low, high = RANGES[field_name]
    if not low <= number <= high:
        problems.append(
            Problem(field_name, "invalid_number", f"{field_name} {value!r} is outside {low}..{high}")
        )
        return None
    return float(number)


def _whole(row: RawRow, field_name: str, problems: list[Problem]) -> int | None:
    value = row.raw(field_name)
    if value is None:
        return None
    try:
        number = parse_number(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "invalid_number", f"{field_name}: {exc}"))
        return None
    if number < 0 or number != number.to_integral_value():
        problems.append(
            Problem(field_name, "invalid_number", f"{field_name} {value!r} is not a whole number >= 0")
        )
        return None
    return int(number)
