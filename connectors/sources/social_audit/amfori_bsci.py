"""amfori BSCI-style audit rows (one row per audit) -> findings, one per performance area at issue.

Each performance area (PA1..PA13, ``amfori_bsci_performance_areas.csv``) carries an A-E rating and a
zero-tolerance flag. The mapping (``audit_severity_scales.csv``, scheme "amfori BSCI") is:

* zero-tolerance flag "Yes" -> one **critical** finding for that area, whatever its rating;
* rating A or B -> no finding (the area meets the code or nearly so);
* rating C -> minor, D -> major, E -> critical;
* rating empty and no flag -> the area was not rated: no finding.

The finding's category is the area's category in the finding vocabulary (e.g. PA6 "Decent working
hours" -> excessive_overtime); its raw finding id is the area code, so ids stay stable per audit. A
rating outside A-E or a flag other than Yes/No/empty is quarantined, never guessed.
"""

from __future__ import annotations

from typing import NamedTuple

from connectors.parsing import parse_yes_no
from connectors.sources.social_audit.shapes import performance_areas
from connectors.staging import Problem, RawRow
from connectors.vocabulary import NO_FINDING, map_severity, vocabulary_key

RATINGS = frozenset({"a", "b", "c", "d", "e"})
ZERO_TOLERANCE = "Zero Tolerance"


class FindingParts(NamedTuple):
    """The finding-specific values of one finding (audit-level values live elsewhere)."""

    finding_ref: str
    category_raw: str
    severity_raw: str
    severity: str


def overall_rating(row: RawRow, scheme: str, problems: list[Problem]) -> str | None:
    """The audit's overall A-E rating as received, checked against the scale."""
    rating = row.require("overall_rating", problems)
    if rating is not None and not _is_rating(scheme, rating):
        problems.append(
            Problem("overall_rating", "unknown_severity", f"overall rating {rating!r} is not A, B, C, D or E")
        )
    return rating


def bsci_findings(row: RawRow, scheme: str, problems: list[Problem]) -> list[FindingParts]:
    """One finding per performance area with a C/D/E rating or a zero-tolerance flag."""
    findings: list[FindingParts] = []
    for area in performance_areas():
        rating = row.raw(area.rating_field)
        flagged = _flag(row, area.zero_tolerance_field, problems)
        if rating is not None and not _is_rating(scheme, rating):
            problems.append(
                Problem(
                    area.rating_field,
                    "unknown_severity",
                    f"{area.area} rating {rating!r} is not A, B, C, D or E",
                )
            )
            continue
        if flagged:
            severity = map_severity(scheme, ZERO_TOLERANCE)
            findings.append(FindingParts(area.area, area.category, ZERO_TOLERANCE, str(severity)))
        elif rating is not None and map_severity(scheme, rating) != NO_FINDING:
            findings.append(FindingParts(area.area, area.category, rating, str(map_severity(scheme, rating))))
    return findings


def _is_rating(scheme: str, value: str) -> bool:
    return vocabulary_key(value) in RATINGS and map_severity(scheme, value) is not None


def _flag(row: RawRow, field_name: str, problems: list[Problem]) -> bool:
    value = row.raw(field_name)
    if value is None:
        return False
    try:
        return parse_yes_no(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "unknown_value", f"{field_name}: {exc}"))
        return False
