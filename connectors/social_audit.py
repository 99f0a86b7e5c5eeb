"""Social-audit finding exports (CSV, one row per finding) -> staged.facility_records +
staged.audit_findings.

Each accepted row yields one audit finding and (once per distinct record_id, first row kept) a
facility mention of source_type ``social_audit``. The scheme must be known, the severity must be
in that scheme's native scale (mapped to critical/major/minor/observation), the category must be
in the finding vocabulary and dates must parse; anything else is quarantined, never guessed.
"""

from __future__ import annotations

import polars as pl

from connectors.facilities import FacilityFields, facility_mention
from connectors.headers import SourceSpec
from connectors.parsing import clean_text
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
from connectors.vocabulary import lookup_category, lookup_scheme, map_severity, vocabulary_key

SOURCE_TYPE = "social_audit"
SPEC = SourceSpec(
    source_type=SOURCE_TYPE,
    required=(
        "audit_id",
        "scheme",
        "audit_date",
        "facility_name",
        "facility_country",
        "finding_id",
        "finding_category",
        "severity",
    ),
    optional=(
        "scheme_version",
        "audit_expiry_date",
        "auditor",
        "facility_address",
        "os_id",
        "finding_description",
        "corrective_action_status",
    ),
)
FIELDS = FacilityFields(
    name="facility_name", address="facility_address", country="facility_country", os_id="os_id"
)
CORRECTIVE_ACTION_STATUS = {"": "unknown", "open": "open", "closed": "closed", "in progress": "in_progress"}


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.social_audit rows into facility_records and audit_findings."""
    rejections = Rejections(SOURCE_TYPE)
    seen = FirstSeen()
    facilities: dict[str, dict[str, object]] = {}
    findings: list[dict[str, object]] = []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, SPEC, unknown):
        problems: list[Problem] = []
        facility = facility_mention(row, SOURCE_TYPE, FIELDS, SPEC.required, problems)
        finding = _finding(row, problems)
        if not accept_or_reject(row, problems, seen, str(finding["finding_id"]), rejections):
            continue
        facilities.setdefault(str(facility["record_id"]), facility)
        findings.append({**finding, "record_id": facility["record_id"]})
    return Standardised(
        tables={
            "facility_records": frame("facility_records", list(facilities.values())),
            "audit_findings": frame("audit_findings", findings),
        },
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def _finding(row: RawRow, problems: list[Problem]) -> dict[str, object]:
    """The audit_findings fields of one row (record_id is added by the caller)."""
    audit_id, finding_id = row.require("audit_id", problems), row.require("finding_id", problems)
    scheme_raw = row.require("scheme", problems)
    severity_raw = row.require("severity", problems)
    category_raw = row.require("finding_category", problems)
    scheme = severity = indicator = None
    if scheme_raw is not None:
        scheme = lookup_scheme(scheme_raw)
        if scheme is None:
            problems.append(
                Problem("scheme", "unknown_scheme", f"audit scheme {scheme_raw!r} is not a known scheme")
            )
        elif severity_raw is not None:
            severity = map_severity(scheme, severity_raw)
            if severity is None:
                problems.append(
                    Problem(
                        "severity",
                        "unknown_severity",
                        f"severity {severity_raw!r} is not on the {scheme} scale",
                    )
                )
    if category_raw is not None:
        category = lookup_category(category_raw)
        if category is None:
            problems.append(
                Problem(
                    "finding_category",
                    "unknown_category",
                    f"finding category {category_raw!r} is not in the vocabulary",
                )
            )
        else:
            indicator = category[1]
    status_raw = row.cells.get("corrective_action_status", "")
    status = CORRECTIVE_ACTION_STATUS.get(vocabulary_key(status_raw))
    if status is None:
        problems.append(
            Problem(
                "corrective_action_status",
                "unknown_value",
                f"corrective_action_status {status_raw!r} is not Open, Closed, In progress or empty",
            )
        )
    return {
        "finding_id": stable_hash(scheme_raw, audit_id, finding_id),
        "audit_id": clean_text(audit_id),
        "scheme": scheme,
        "scheme_version": clean_text(row.raw("scheme_version")),
        "audit_date": date_cell(row, "audit_date", problems, required=True),
        "audit_expiry_date": date_cell(row, "audit_expiry_date", problems),
        "auditor": clean_text(row.raw("auditor")),
        "category_raw": category_raw,
        "ilo_indicator": indicator,
        "severity_raw": severity_raw,
        "severity": severity,
        "corrective_action_status": status,
        "load_id": row.load_id,
        "source_file": row.source_file,
        "source_row": row.source_row,
    }
