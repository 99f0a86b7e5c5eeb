"""Worker-survey aggregates -> staged.facility_records + staged.worker_voice_surveys.

One row per facility x quarter x ILO indicator with the number of respondents and either the
number reporting the indicator (``respondents_reporting``) or its ``share``; a share becomes a count
as round-half-up(share x respondents). A share is a fraction (0..1) or a percentage (0..100): a
value ending in "%" is always a percentage; otherwise ``share_scale`` says which, and "auto" decides
per file: percentages when any bare value in the file exceeds 1, else fractions. When both a count
and a share are given they must agree within the share's own rounding. Counts above respondents,
shares out of range and unreadable numbers are quarantined (``invalid_number``). Quarantine payloads keep
only declared columns, made safe like the grievances' (``connectors.worker_privacy``): a comment column is
never copied.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

import polars as pl

from connectors.facilities import FacilityFields, facility_mention
from connectors.headers import SourceSpec, normalise_header
from connectors.ids import stable_hash
from connectors.parsing import parse_count
from connectors.schemas import frame
from connectors.staging import FirstSeen, Problem, RawRow, Standardised, accept_or_reject, iter_raw_rows
from connectors.vocabulary import ilo_indicators
from connectors.worker_privacy import (
    PrivateRejections,
    identity_problems,
    people_in,
    scrub_facility_cells,
)

SURVEY_SOURCE_TYPE = "worker_voice_survey"
SURVEY_SPEC = SourceSpec(
    source_type=SURVEY_SOURCE_TYPE,
    required=("facility_name", "facility_country", "survey_period", "indicator", "respondents"),
    optional=("respondents_reporting", "share", "facility_address", "os_id"),
)
FIELDS = FacilityFields(
    name="facility_name", address="facility_address", country="facility_country", os_id="os_id"
)
ShareScale = Literal["auto", "fraction", "percent"]
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def standardise_surveys(raw: pl.DataFrame, share_scale: ShareScale = "auto") -> Standardised:
    """Standardise raw.worker_voice_survey rows into facility_records + survey aggregates."""
    rejections = PrivateRejections(SURVEY_SPEC, withhold_failing=False)
    seen, facilities, surveys = FirstSeen(), {}, []
    unknown: dict[str, tuple[str, ...]] = {}
    scales = _file_scales(raw, share_scale)
    for row in iter_raw_rows(raw, SURVEY_SPEC, unknown):
        people = people_in(row, SURVEY_SPEC)
        problems: list[Problem] = identity_problems(row, people)
        scrub_facility_cells(row, people)
        facility = facility_mention(row, SURVEY_SOURCE_TYPE, FIELDS, SURVEY_SPEC.required, problems)
        period, indicator = _period(row, problems), _indicator(row, problems)
        respondents = count_cell(row, "respondents", problems)
        reporting = _reporting(
            row, respondents, scales.get((row.load_id, row.source_file), "fraction"), problems
        )
        survey_id = stable_hash(str(facility["record_id"]), period, indicator)
        if accept_or_reject(row, problems, seen, survey_id, rejections):
            facilities.setdefault(str(facility["record_id"]), facility)
            surveys.append(
                {
                    "survey_id": survey_id,
                    "record_id": facility["record_id"],
                    "survey_period": period,
                    "ilo_indicator": indicator,
                    "respondents": respondents,
                    "respondents_reporting": reporting,
                    "share_raw": row.raw("share"),
                    "reporting_derived": row.raw("respondents_reporting") is None,
                    "load_id": row.load_id,
                    "source_file": row.source_file,
                    "source_row": row.source_row,
                }
            )
    return Standardised(
        tables={
            "facility_records": frame("facility_records", list(facilities.values())),
            "worker_voice_surveys": frame("worker_voice_surveys", surveys),
        },
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def parse_share(value: str, scale: Literal["fraction", "percent"]) -> tuple[Decimal, Decimal]:
    """(fraction 0..1, half a unit of the value's last decimal as a fraction); ValueError otherwise."""
    text = value.strip()
    percent = scale == "percent" or text.endswith("%")
    try:
        number = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError(f"share {value!r} is not a number") from None
    divisor = Decimal(100 if percent else 1)
    if not number.is_finite() or not 0 <= number <= divisor:
        raise ValueError(f"share {value!r} is outside 0..{'100%' if percent else '1'}")
    exponent = number.as_tuple().exponent
    half_unit = Decimal(5).scaleb(int(exponent) - 1 if isinstance(exponent, int) else -1)
    return number / divisor, half_unit / divisor


def count_cell(row: RawRow, field_name: str, problems: list[Problem], required: bool = True) -> int | None:
    """Parse a count cell; record missing_required / invalid_number problems and return None."""
    value = row.require(field_name, problems) if required else row.raw(field_name)
    if value is None:
        return None
    try:
        return parse_count(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "invalid_number", f"{field_name}: {exc}"))
        return None


def _reporting(row: RawRow, respondents: int | None, scale: str, problems: list[Problem]) -> int | None:
    """The reporting count, given or derived from the share, checked against respondents."""
    count = count_cell(row, "respondents_reporting", problems, required=False)
    share_raw = row.raw("share")
    if share_raw is None and row.raw("respondents_reporting") is None:
        problems.append(
            Problem(
                "respondents_reporting",
                "missing_required",
                "give respondents_reporting or share (both are empty)",
            )
        )
        return None
    if share_raw is not None and respondents is not None:
        try:
            fraction, tolerance = parse_share(share_raw, "percent" if scale == "percent" else "fraction")
        except ValueError as exc:
            problems.append(Problem("share", "invalid_number", str(exc)))
            return None
        exact = fraction * respondents
        if count is None:
            count = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        elif abs(count - exact) > max(Decimal("0.5"), tolerance * respondents):
            problems.append(
                Problem(
                    "share",
                    "invalid_number",
                    f"share {share_raw!r} of {respondents} does not match {count} reporting",
                )
            )
    if count is not None and respondents is not None and count > respondents:
        problems.append(
            Problem(
                "respondents_reporting",
                "invalid_number",
                f"respondents_reporting {count} exceeds respondents {respondents}",
            )
        )
    return count


def _file_scales(raw: pl.DataFrame, share_scale: ShareScale) -> dict[tuple[str, str], str]:
    """Per (load_id, source_file): "percent" or "fraction" for bare share values."""
    if any(name not in raw.columns for name in ("load_id", "source_file", "payload")):
        return {}  # iter_raw_rows reports the malformed frame
    if share_scale != "auto":
        return _constant(raw, share_scale)
    scales: dict[tuple[str, str], str] = {}
    for load_id, source_file, payload in raw.select("load_id", "source_file", "payload").iter_rows():
        key = (load_id, source_file)
        cells = {normalise_header(header): value for header, value in json.loads(payload).items()}
        text = (cells.get("share") or "").strip()
        scales.setdefault(key, "fraction")
        try:
            if text and not text.endswith("%") and Decimal(text) > 1:
                scales[key] = "percent"
        except InvalidOperation:
            continue
    return scales


def _constant(raw: pl.DataFrame, scale: str) -> dict[tuple[str, str], str]:
    return {key: scale for key in raw.select("load_id", "source_file").unique().iter_rows()}


def _indicator(row: RawRow, problems: list[Problem]) -> str | None:
    value = row.require("indicator", problems)
    if value is None:
        return None
    code = value.strip().casefold()
    if code not in ilo_indicators():
        problems.append(
            Problem(
                "indicator",
                "unknown_category",
                f"indicator {value!r} is not one of the 11 ILO indicator codes",
            )
        )
        return None
    return code


def _period(row: RawRow, problems: list[Problem]) -> str | None:
    value = row.require("survey_period", problems)
    if value is None:
        return None
    match = _PERIOD.match(value.strip().upper())
    if match is None:
        problems.append(
            Problem("survey_period", "invalid_date", f"survey_period {value!r} is not a quarter like 2026-Q2")
        )
        return None
    return f"{match[1]}-Q{match[2]}"
