"""Controlled vocabularies loaded from the CSV files in ``connectors/reference``.

One source of truth per fact: reason codes, ILO indicators, finding categories and audit severity
scales live in data files (see ``reference/README.md``); this module only reads them. Lookups are
case- and spacing-insensitive through :func:`vocabulary_key`; the returned values are canonical.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

REFERENCE_PACKAGE = "connectors.reference"


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
def _finding_categories() -> dict[str, tuple[str, str | None]]:
    rows = read_reference_csv("finding_categories.csv")
    indicators = ilo_indicators()
    table: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        indicator = row["ilo_indicator"].strip() or None
        if indicator is not None and indicator not in indicators:
            raise ValueError(f"finding_categories.csv: unknown ILO indicator {indicator!r}")
        table[vocabulary_key(row["category"])] = (row["category"], indicator)
    return table


def lookup_category(value: str) -> tuple[str, str | None] | None:
    """Return (canonical category, ILO indicator or None), or None when the category is unknown."""
    return _finding_categories().get(vocabulary_key(value))


@cache
def _severity_scales() -> dict[str, tuple[str, dict[str, str]]]:
    scales: dict[str, tuple[str, dict[str, str]]] = {}
    for row in read_reference_csv("audit_severity_scales.csv"):
        scheme, scale = scales.setdefault(vocabulary_key(row["scheme"]), (row["scheme"], {}))
        scale[vocabulary_key(row["native_severity"])] = row["severity"]
    return scales


def lookup_scheme(value: str) -> str | None:
    """Return the canonical scheme name ("SMETA", "amfori BSCI", ...) or None when unknown."""
    found = _severity_scales().get(vocabulary_key(value))
    return found[0] if found else None


def map_severity(scheme: str, native_severity: str) -> str | None:
    """Map a scheme's native severity to critical/major/minor/observation; None when not in scale."""
    found = _severity_scales().get(vocabulary_key(scheme))
    if found is None:
        return None
    return found[1].get(vocabulary_key(native_severity))
