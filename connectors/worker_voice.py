"""Worker-voice exports -> pseudonymised grievances and survey aggregates.

Grievances: ``case_key`` = HMAC-SHA256 (hex) of the raw case_id under the pseudonymisation key.
reporter_id, reporter_phone and narrative are SENSITIVE: never staged, and quarantine payloads are
rebuilt from an allow-list (known, non-sensitive columns; case_id replaced by case_key), so neither
they nor any undeclared column can leak. Surveys: respondents_reporting <= respondents.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import polars as pl

from connectors.facilities import FacilityFields, facility_mention
from connectors.headers import SourceSpec
from connectors.parsing import parse_count
from connectors.schemas import frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    date_cell,
    iter_raw_rows,
    stable_hash,
)
from connectors.vocabulary import ilo_indicators, lookup_category, vocabulary_key

GRIEVANCE_SOURCE_TYPE = "worker_voice_grievance"
SURVEY_SOURCE_TYPE = "worker_voice_survey"
GRIEVANCE_SPEC = SourceSpec(
    source_type=GRIEVANCE_SOURCE_TYPE,
    required=(
        "case_id",
        "facility_name",
        "facility_country",
        "received_date",
        "channel",
        "category",
        "status",
    ),
    sensitive=("reporter_id", "reporter_phone", "narrative"),
)
SURVEY_SPEC = SourceSpec(
    source_type=SURVEY_SOURCE_TYPE,
    required=(
        "facility_name",
        "facility_country",
        "survey_period",
        "indicator",
        "respondents",
        "respondents_reporting",
    ),
)
FIELDS = FacilityFields(name="facility_name", address=None, country="facility_country", os_id=None)
CHANNELS = frozenset({"hotline", "app", "chat", "in_person"})
STATUSES = frozenset({"open", "resolved", "closed", "referred"})
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def case_key(case_id: str, pseudonymisation_key: bytes) -> str:
    """HMAC-SHA256 hex digest of a raw case_id."""
    return hmac.new(pseudonymisation_key, case_id.encode("utf-8"), hashlib.sha256).hexdigest()


def standardise_grievances(raw: pl.DataFrame, pseudonymisation_key: bytes) -> Standardised:
    """Standardise raw.worker_voice_grievance rows into facility_records + grievances."""
    if not isinstance(pseudonymisation_key, bytes | bytearray) or not pseudonymisation_key:
        raise ValueError(
            "worker-voice grievances need a non-empty pseudonymisation key (bytes); "
            "refusing to stage case identifiers without one"
        )
    key = bytes(pseudonymisation_key)
    rejections = Rejections(GRIEVANCE_SOURCE_TYPE, redact=lambda row: _redacted(row, key))
    seen, facilities, grievances = FirstSeen(), {}, []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, GRIEVANCE_SPEC, unknown):
        problems: list[Problem] = []
        facility = facility_mention(row, GRIEVANCE_SOURCE_TYPE, FIELDS, GRIEVANCE_SPEC.required, problems)
        case_id = row.require("case_id", problems)
        grievance = {
            "case_key": case_key(case_id, key) if case_id is not None else None,
            "record_id": facility["record_id"],
            "received_date": date_cell(row, "received_date", problems, required=True),
            "channel": _controlled(row, "channel", CHANNELS, problems),
            "category_raw": row.raw("category"),
            "ilo_indicator": _indicator_of_category(row, problems),
            "status": _controlled(row, "status", STATUSES, problems),
            "load_id": row.load_id,
            "source_file": row.source_file,
            "source_row": row.source_row,
        }
        if accept_or_reject(row, problems, seen, str(grievance["case_key"]), rejections):
            facilities.setdefault(str(facility["record_id"]), facility)
            grievances.append(grievance)
    return Standardised(
        tables={
            "facility_records": frame("facility_records", list(facilities.values())),
            "worker_voice_grievances": frame("worker_voice_grievances", grievances),
        },
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def standardise_surveys(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.worker_voice_survey rows into facility_records + survey aggregates."""
    rejections = Rejections(SURVEY_SOURCE_TYPE)
    seen, facilities, surveys = FirstSeen(), {}, []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, SURVEY_SPEC, unknown):
        problems: list[Problem] = []
        facility = facility_mention(row, SURVEY_SOURCE_TYPE, FIELDS, SURVEY_SPEC.required, problems)
        period, indicator = _period(row, problems), _indicator(row, problems)
        respondents = _count(row, "respondents", problems)
        reporting = _count(row, "respondents_reporting", problems)
        if respondents is not None and reporting is not None and reporting > respondents:
            problems.append(
                Problem(
                    "respondents_reporting",
                    "invalid_number",
                    f"respondents_reporting {reporting} exceeds respondents {respondents}",
                )
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


def _redacted(row: RawRow, key: bytes) -> str:
    """Quarantine payload: known non-sensitive cells only, case_id replaced by its case_key."""
    kept = {
        row.headers.original(name) or name: value
        for name, value in row.cells.items()
        if name not in GRIEVANCE_SPEC.sensitive and name != "case_id"
    }
    case_id = row.raw("case_id")
    if case_id is not None:
        kept["case_key"] = case_key(case_id, key)
    return json.dumps(kept, ensure_ascii=False)


def _controlled(row: RawRow, field_name: str, allowed: frozenset[str], problems: list[Problem]) -> str | None:
    value = row.require(field_name, problems)
    if value is None:
        return None
    canonical = vocabulary_key(value).replace(" ", "_")
    if canonical not in allowed:
        problems.append(
            Problem(field_name, "unknown_value", f"{field_name} {value!r} is not one of {sorted(allowed)}")
        )
        return None
    return canonical


def _indicator_of_category(row: RawRow, problems: list[Problem]) -> str | None:
    value = row.require("category", problems)
    if value is None:
        return None
    found = lookup_category(value)
    if found is None:
        problems.append(
            Problem("category", "unknown_category", f"category {value!r} is not in the finding vocabulary")
        )
        return None
    return found[1]


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


def _count(row: RawRow, field_name: str, problems: list[Problem]) -> int | None:
    value = row.require(field_name, problems)
    if value is None:
        return None
    try:
        return parse_count(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "invalid_number", f"{field_name}: {exc}"))
        return None
