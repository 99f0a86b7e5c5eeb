"""Controlled vocabularies loaded from the CSV files in ``connectors/reference``.

One source of truth per fact: reason codes, ILO indicators, finding categories (with their HTCDS
"method of control"), audit severity scales, corrective-action and case statuses live in data files
(see ``reference/README.md``); this module only reads and cross-checks them. Lookups are case- and
spacing-insensitive through :func:`vocabulary_key`; the returned values are canonical.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import NamedTuple

REFERENCE_PACKAGE = "connectors.reference"
NO_FINDING = "none"  # severity of a rating that carries no finding (amfori BSCI A and B)
SEVERITIES = frozenset({"critical", "major", "minor", "observation"})


def read_reference_csv(file_name: str) -> list[dict[str, str]]:
    """Return the rows of a reference CSV shipped inside the package."""
    text = resources.files(REFERENCE_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def vocabulary_key(value: str) -> str:
    """Comparison key for controlled values: trimmed, inner whitespace collapsed, case-folded."""
    return " ".join(value.split()).casefold()


@cache
def reason_codes() -> dict[str, str]:
    """Quarantine reason code -> meaning."""
    return {row["reason_code"]: row["meaning"] for row in read_reference_csv("reason_codes.csv")}


@cache
def ilo_indicators() -> dict[str, str]:
    """ILO indicator code -> label (the 11 forced-labour indicators)."""
    return {row["code"]: row["label"] for row in read_reference_csv("ilo_indicators.csv")}


@cache
def htcds_picklist(field_name: str) -> tuple[str, ...]:
    """The value names of one HTCDS v2 picklist field (e.g. ``vic_MethodsOfControl``)."""
    for row in read_reference_csv("htcds_fields_subset.csv"):
        if row["Field Name including Prefix"] == field_name:
            return tuple(row["Value Names (if picklist)"].split())
    raise KeyError(f"htcds_fields_subset.csv has no field {field_name!r}")


class CategoryEntry(NamedTuple):
    """One finding / grievance category and what it maps to (None = no counterpart)."""

    category: str
    ilo_indicator: str | None
    htcds_method_of_control: str | None


@cache
def _finding_categories() -> dict[str, CategoryEntry]:
    indicators, methods = ilo_indicators(), htcds_picklist("vic_MethodsOfControl")
    table: dict[str, CategoryEntry] = {}
    for row in read_reference_csv("finding_categories.csv"):
        entry = CategoryEntry(
            row["category"],
            row["ilo_indicator"].strip() or None,
            row["htcds_method_of_control"].strip() or None,
        )
        if entry.ilo_indicator is not None and entry.ilo_indicator not in indicators:
            raise ValueError(f"finding_categories.csv: unknown ILO indicator {entry.ilo_indicator!r}")
        if entry.htcds_method_of_control is not None and entry.htcds_method_of_control not in methods:
            raise ValueError(
                f"finding_categories.csv: {entry.htcds_method_of_control!r} is not an HTCDS value"
            )
        table[vocabulary_key(entry.category)] = entry
    return table


def category_entry(value: str) -> CategoryEntry | None:
    """The vocabulary entry of a finding / grievance category, or None when it is unknown."""
    return _finding_categories().get(vocabulary_key(value))


def lookup_category(value: str) -> tuple[str, str | None] | None:
    """Return (canonical category, ILO indicator or None), or None when the category is unknown."""
    entry = category_entry(value)
    return None if entry is None else (entry.category, entry.ilo_indicator)


@cache
def _severity_scales() -> dict[str, tuple[str, dict[str, str]]]:
    scales: dict[str, tuple[str, dict[str, str]]] = {}
    for row in read_reference_csv("audit_severity_scales.csv"):
        if row["severity"] not in SEVERITIES | {NO_FINDING}:
            raise ValueError(f"audit_severity_scales.csv: unknown severity {row['severity']!r}")
        scheme, scale = scales.setdefault(vocabulary_key(row["scheme"]), (row["scheme"], {}))
        scale[vocabulary_key(row["native_severity"])] = row["severity"]
    return scales


def lookup_scheme(value: str) -> str | None:
    """Return the canonical scheme name ("SMETA", "amfori BSCI", ...) or None when unknown."""
    found = _severity_scales().get(vocabulary_key(value))
    return found[0] if found else None


def map_severity(scheme: str, native_severity: str) -> str | None:
    """Map a scheme's native severity to critical/major/minor/observation, or to ``NO_FINDING``
    for a rating that carries no finding (amfori BSCI A/B); None when it is not on the scale."""
    found = _severity_scales().get(vocabulary_key(scheme))
    if found is None:
        return None
    return found[1].get(vocabulary_key(native_severity))


@cache
def _two_column_map(file_name: str, key_column: str, value_column: str) -> dict[str, str]:
    return {vocabulary_key(row[key_column]): row[value_column] for row in read_reference_csv(file_name)}


def corrective_action_status(value: str | None) -> str | None:
    """Normalise a corrective-action status (empty -> unknown); None when it is not listed."""
    return _two_column_map("corrective_action_statuses.csv", "native_status", "status").get(
        vocabulary_key(value or "")
    )


def htcds_case_status(status: str) -> str | None:
    """The HTCDS ``cas_Status`` value of a canonical grievance status, or None when unmapped."""
    value = _two_column_map("worker_voice_statuses.csv", "status", "htcds_case_status").get(status)
    if value is not None and value not in htcds_picklist("cas_Status"):
        raise ValueError(f"worker_voice_statuses.csv: {value!r} is not an HTCDS cas_Status value")
    return value


def grievance_statuses() -> frozenset[str]:
    """The canonical grievance statuses (worker_voice_statuses.csv)."""
    return frozenset(_two_column_map("worker_voice_statuses.csv", "status", "status").values())


def entity_list_status(value: str) -> str | None:
    """Normalise a trade-restriction list status (active/modified/revoked/inactive); None if unknown."""
    return _two_column_map("entity_list_statuses.csv", "native_status", "status").get(vocabulary_key(value))
