"""Worker-voice grievance exports -> staged.facility_records + pseudonymised grievance cases
(staged.worker_voice_grievances). Survey aggregates are ``worker_voice_surveys``.

Grievances: channel, received date, facility reference (name, country, optional address and OS ID),
category, status. ``case_key`` = HMAC-SHA256 (hex) of the raw case_id under the pseudonymisation key
passed in. reporter_id, reporter_phone and narrative are SENSITIVE: never staged, and quarantine
payloads are rebuilt from an allow-list (known, non-sensitive columns; case_id replaced by case_key),
so neither they nor any undeclared column can leak; kept cells and messages are scrubbed of free
text, phone numbers and e-mail addresses (``connectors.worker_privacy``), e.g. after a column shift.
The facility name and address are scrubbed before they are staged, and a row whose facility cell
names a worker of the same row is quarantined (``suspected_identity``).

The category maps (``finding_categories.csv``) to an ILO indicator and, where the HTCDS v2
``vic_MethodsOfControl`` picklist has a counterpart, to that value (``htcds_method_of_control``;
null where none fits, e.g. restriction of movement or delayed wages). The status maps to HTCDS
``cas_Status`` (``worker_voice_statuses.csv``). Unknown categories, channels and statuses are
quarantined, never guessed.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

from connectors.facilities import FacilityFields, facility_mention
from connectors.headers import SourceSpec
from connectors.schemas import frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Standardised,
    accept_or_reject,
    date_cell,
    iter_raw_rows,
)
from connectors.vocabulary import category_entry, grievance_statuses, htcds_case_status, vocabulary_key
from connectors.worker_privacy import (
    PrivateRejections,
    identity_problems,
    people_in,
    scrub_facility_cells,
)

GRIEVANCE_SOURCE_TYPE = "worker_voice_grievance"
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
    optional=("facility_address", "os_id"),
    sensitive=("reporter_id", "reporter_phone", "narrative"),
)
FIELDS = FacilityFields(
    name="facility_name", address="facility_address", country="facility_country", os_id="os_id"
)
REDACTED_SPEC = SourceSpec(  # what never enters a quarantine payload: the sensitive cells and case_id
    source_type=GRIEVANCE_SOURCE_TYPE, required=(), sensitive=(*GRIEVANCE_SPEC.sensitive, "case_id")
)
CHANNELS = frozenset({"hotline", "app", "chat", "in_person"})


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
    rejections = PrivateRejections(REDACTED_SPEC, lambda row: _case_key_cell(row, key))
    seen, facilities, grievances = FirstSeen(), {}, []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, GRIEVANCE_SPEC, unknown):
        people = people_in(row, GRIEVANCE_SPEC)
        problems: list[Problem] = identity_problems(row, people)
        scrub_facility_cells(row, people)
        facility = facility_mention(row, GRIEVANCE_SOURCE_TYPE, FIELDS, GRIEVANCE_SPEC.required, problems)
        grievance = _grievance(row, key, problems)
        if accept_or_reject(row, problems, seen, str(grievance["case_key"]), rejections):
            facilities.setdefault(str(facility["record_id"]), facility)
            grievances.append({**grievance, "record_id": facility["record_id"]})
    return Standardised(
        tables={
            "facility_records": frame("facility_records", list(facilities.values())),
            "worker_voice_grievances": frame("worker_voice_grievances", grievances),
        },
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def _grievance(row: RawRow, key: bytes, problems: list[Problem]) -> dict[str, object]:
    """The worker_voice_grievances fields of one row (record_id is added by the caller)."""
    case_id = row.require("case_id", problems)
    category_raw = row.require("category", problems)
    entry = category_entry(category_raw) if category_raw is not None else None
    if category_raw is not None and entry is None:
        problems.append(
            Problem(
                "category", "unknown_category", f"category {category_raw!r} is not in the finding vocabulary"
            )
        )
    status = _controlled(row, "status", grievance_statuses(), problems)
    return {
        "case_key": case_key(case_id, key) if case_id is not None else None,
        "received_date": date_cell(row, "received_date", problems, required=True),
        "channel": _controlled(row, "channel", CHANNELS, problems),
        "category_raw": category_raw,
        "ilo_indicator": entry.ilo_indicator if entry else None,
        "htcds_method_of_control": entry.htcds_method_of_control if entry else None,
        "status": status,
        "htcds_case_status": htcds_case_status(status) if status else None,
        "load_id": row.load_id,
        "source_file": row.source_file,
        "source_row": row.source_row,
    }


def _case_key_cell(row: RawRow, key: bytes) -> dict[str, str]:
    """The quarantine payload's stand-in for case_id: its case_key."""
    case_id = row.raw("case_id")
    return {"case_key": case_key(case_id, key)} if case_id is not None else {}


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
