"""Social-audit exports -> staged.facility_records + staged.audit_findings (+ staged.audits).

One canonical finding model for every export shape (``shapes``: flrisk, smeta_nc, rba_vap,
amfori_bsci, whose per-audit ratings ``amfori_bsci`` turns into findings), detected per file from its
header set or declared with ``shape=``. A finding carries the facility reference (a facility
mention, once per distinct record_id, first row kept), scheme and version, audit date and expiry,
auditor, category mapped to an ILO indicator, severity normalised to critical/major/minor/observation
from the scheme's own scale, corrective-action status and closure date. Unknown schemes, severities,
categories and statuses, unreadable dates and a closure date before the audit are quarantined, never
guessed. IDs hash raw values: finding_id = hash(scheme|audit_id|finding_id), audit_key =
hash(scheme|audit_id), the scheme being the shape's implied scheme for vendor shapes.

``with_audits=True`` also returns ``audits`` (one row per audit). That table is what accounts for
amfori BSCI rows rated A/B throughout (an audit with no finding): without it such rows are neither
staged nor quarantined, so the staging asset should pass ``with_audits=True`` once
``staged.audits`` is wired.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from connectors.facilities import FacilityFields, facility_mention
from connectors.ids import stable_hash
from connectors.layouts import Layout, contract_frame, iter_layout_rows
from connectors.parsing import clean_text
from connectors.schemas import frame
from connectors.sources.social_audit.amfori_bsci import bsci_findings, overall_rating
from connectors.sources.social_audit.shapes import PER_AUDIT_SHAPES, SOURCE_TYPE, audit_layouts
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    date_cell,
)
from connectors.vocabulary import (
    NO_FINDING,
    category_entry,
    corrective_action_status,
    lookup_scheme,
    map_severity,
)

FIELDS = FacilityFields(
    name="facility_name", address="facility_address", country="facility_country", os_id="os_id"
)


def standardise(raw: pl.DataFrame, shape: str | None = None, with_audits: bool = False) -> Standardised:
    """Standardise raw.social_audit rows (any known export shape) into the staged audit tables."""
    rejections, seen = Rejections(SOURCE_TYPE), FirstSeen()
    facilities: dict[str, dict[str, object]] = {}
    audits: dict[str, dict[str, object]] = {}
    findings: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    unknown: dict[str, tuple[str, ...]] = {}
    for layout, row in iter_layout_rows(raw, audit_layouts(), unknown, shape):
        problems: list[Problem] = []
        facility = facility_mention(row, SOURCE_TYPE, FIELDS, layout.required, problems)
        audit = _audit(row, layout, problems)
        row_findings = _findings(row, layout, audit, problems)
        per_audit = layout.name in PER_AUDIT_SHAPES
        key = str(audit["audit_key"] if per_audit else row_findings[0]["finding_id"])
        if not accept_or_reject(row, problems, seen, key, rejections):
            continue
        record = {"record_id": facility["record_id"]}
        facilities.setdefault(str(facility["record_id"]), facility)
        audits.setdefault(str(audit["audit_key"]), {**audit, **record})
        counts[str(audit["audit_key"])] = counts.get(str(audit["audit_key"]), 0) + len(row_findings)
        findings += [{**finding, **record} for finding in row_findings]
    tables = {
        "facility_records": frame("facility_records", list(facilities.values())),
        "audit_findings": frame("audit_findings", findings),
    }
    if with_audits:
        tables["audits"] = contract_frame("audits", [{**a, "findings": counts[k]} for k, a in audits.items()])
    return Standardised(tables=tables, rejected=rejections.frame(), unknown_columns=unknown)


def _audit(row: RawRow, layout: Layout, problems: list[Problem]) -> dict[str, object]:
    """The audit-level values of one row (shared by every finding of the row)."""
    audit_id, scheme_raw = row.require("audit_id", problems), row.require("scheme", problems)
    scheme = lookup_scheme(scheme_raw) if scheme_raw is not None else None
    if scheme_raw is not None and scheme is None:
        problems.append(
            Problem("scheme", "unknown_scheme", f"audit scheme {scheme_raw!r} is not a known scheme")
        )
    audit_date = date_cell(row, "audit_date", problems, required=True)
    per_audit = layout.name in PER_AUDIT_SHAPES
    return {
        "audit_key": stable_hash(scheme_raw, audit_id),
        "audit_id_raw": audit_id,
        "scheme_raw": scheme_raw,
        "audit_id": clean_text(audit_id),
        "scheme": scheme,
        "scheme_version": clean_text(row.raw("scheme_version")),
        "audit_date": audit_date,
        "audit_expiry_date": date_cell(row, "audit_expiry_date", problems),
        "auditor": clean_text(row.raw("auditor")),
        "overall_rating_raw": overall_rating(row, scheme, problems) if scheme and per_audit else None,
        "export_shape": layout.name,
        **_corrective_action(row, audit_date, problems),
        "load_id": row.load_id,
        "source_file": row.source_file,
        "source_row": row.source_row,
    }


def _corrective_action(row: RawRow, audit_date: dt.date | None, problems: list[Problem]) -> dict[str, object]:
    """Normalised corrective-action status and closure date (which may not precede the audit)."""
    status_raw = row.raw("corrective_action_status")
    status = corrective_action_status(status_raw)
    if status is None:
        problems.append(
            Problem(
                "corrective_action_status",
                "unknown_value",
                f"corrective_action_status {status_raw!r} is not in corrective_action_statuses.csv",
            )
        )
    closed = date_cell(row, "corrective_action_closed_date", problems)
    if closed is not None and audit_date is not None and closed < audit_date:
        problems.append(
            Problem(
                "corrective_action_closed_date",
                "invalid_date",
                f"corrective_action_closed_date {closed} is before the audit date {audit_date}",
            )
        )
    return {"corrective_action_status": status, "corrective_action_closed_date": closed}


def _findings(
    row: RawRow, layout: Layout, audit: dict[str, object], problems: list[Problem]
) -> list[dict[str, object]]:
    """The findings of one raw row: none or several for per-audit shapes, else exactly one."""
    scheme = audit["scheme"]
    if layout.name in PER_AUDIT_SHAPES:
        parts = bsci_findings(row, str(scheme), problems) if scheme else []
        return [_finding_row(audit, p.finding_ref, p.category_raw, p.severity_raw, p.severity) for p in parts]
    finding_ref = row.require("finding_id", problems)
    category_raw = row.require("finding_category", problems)
    if category_raw is not None and category_entry(category_raw) is None:
        problems.append(
            Problem(
                "finding_category",
                "unknown_category",
                f"finding category {category_raw!r} is not in the vocabulary",
            )
        )
    severity_raw = row.require("severity", problems)
    severity = map_severity(str(scheme), severity_raw) if scheme and severity_raw is not None else None
    if scheme and severity_raw is not None and severity in (None, NO_FINDING):
        problems.append(
            Problem(
                "severity",
                "unknown_severity",
                f"severity {severity_raw!r} is not a finding severity on the {scheme} scale",
            )
        )
    return [_finding_row(audit, finding_ref, category_raw, severity_raw, severity)]


def _finding_row(
    audit: dict[str, object],
    finding_ref: str | None,
    category_raw: str | None,
    severity_raw: str | None,
    severity: str | None,
) -> dict[str, object]:
    """One audit_findings row from the audit's values and the finding's own (record_id: caller)."""
    entry = category_entry(category_raw) if category_raw is not None else None
    return {
        **audit,
        "finding_id": stable_hash(
            _raw_text(audit["scheme_raw"]), _raw_text(audit["audit_id_raw"]), finding_ref
        ),
        "category_raw": category_raw,
        "ilo_indicator": entry.ilo_indicator if entry else None,
        "severity_raw": severity_raw,
        "severity": None if severity == NO_FINDING else severity,
    }


def _raw_text(value: object) -> str | None:
    return value if isinstance(value, str) else None
