"""The reason-code catalogue: every code flrisk reports about input data, with its severity and level.

``reference/reason_codes.csv`` is the single source of truth; ``docs/reason-codes.md`` is generated
from it (``python -m connectors.reason_codes`` rewrites the page; a test keeps the committed
page equal to :func:`render_markdown`).

- severity ``reject``: the row (applies_to ``row``) goes to ``quarantine.rejected_rows``, or the
  whole file (applies_to ``file``) is refused with :class:`connectors.reading.errors.MalformedFileError`
  (or ``HeaderConflictError``) carrying the code as ``reason_code``.
- severity ``flag``: the data is staged and the finding is recorded on it (a column such as
  ``coordinate_flag``, or ``Standardised.unknown_columns``); nothing is quarantined, so
  read = staged + quarantined still holds per file.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

from connectors.vocabulary import read_reference_csv

SEVERITIES = ("reject", "flag")
LEVELS = ("row", "file")
DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "reason-codes.md"
_SECTIONS = (
    ("reject", "row", "Rows rejected into `quarantine.rejected_rows`"),
    ("flag", "row", "Rows staged with a flag"),
    ("reject", "file", "Files refused before staging"),
    ("flag", "file", "Files staged with a flag"),
)


class ReasonCode(NamedTuple):
    """One catalogue entry."""

    reason_code: str
    severity: str
    applies_to: str
    meaning: str
    oshub_rule: str = ""  # the Open Supply Hub parser rule or ContriBot check the code mirrors


@cache
def catalogue() -> tuple[ReasonCode, ...]:
    """All reason codes in file order; ValueError on a duplicate code or an unknown severity/level."""
    entries = tuple(ReasonCode(**row) for row in read_reference_csv("reason_codes.csv"))
    seen: set[str] = set()
    for entry in entries:
        if entry.reason_code in seen:
            raise ValueError(f"reason_codes.csv: duplicate code {entry.reason_code!r}")
        if entry.severity not in SEVERITIES or entry.applies_to not in LEVELS:
            raise ValueError(
                f"reason_codes.csv: {entry.reason_code!r}: severity must be one of {SEVERITIES}, "
                f"applies_to one of {LEVELS}"
            )
        seen.add(entry.reason_code)
    return entries


def codes(severity: str | None = None, applies_to: str | None = None) -> tuple[str, ...]:
    """The codes with the given severity and / or level, in catalogue order."""
    return tuple(
        entry.reason_code
        for entry in catalogue()
        if severity in (None, entry.severity) and applies_to in (None, entry.applies_to)
    )


def quarantine_codes() -> tuple[str, ...]:
    """Codes that may appear in ``quarantine.rejected_rows.reason_code`` (row-level rejects)."""
    return codes("reject", "row")


def render_markdown() -> str:
    """The text of docs/reason-codes.md, generated from the catalogue."""
    lines = [
        "# Reason codes",
        "",
        "<!-- Generated from connectors/reference/reason_codes.csv by "
        "`python -m connectors.reason_codes`; do not edit by hand. -->",
        "",
        "Every problem flrisk finds in received data is reported with one of these codes and a",
        "plain-language message naming the file, the row and the column. `reject` keeps the data out",
        "of the staged tables (a row goes to `quarantine.rejected_rows`, a file is refused as a whole);",
        "`flag` stages the data and records the finding on it. Per file, rows read = rows staged + rows",
        "quarantined. At most one problem is reported per column of a row.",
        "",
    ]
    for severity, applies_to, title in _SECTIONS:
        entries = [e for e in catalogue() if (e.severity, e.applies_to) == (severity, applies_to)]
        lines += [f"## {title}", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{e.reason_code}` | {e.meaning.replace('|', '/')} |" for e in entries]
        lines.append("")
    lines += _oshub_section()
    return "\n".join(lines)


def _oshub_section() -> list[str]:
    """The table of Open Supply Hub rules flrisk mirrors, with each code's level."""
    lines = [
        "## Open Supply Hub rules mirrored on supplier lists",
        "",
        "Supplier lists follow Open Supply Hub's upload template and rules (its ContriCleaner parser and",
        "its ContriBot list checks). Level **error**: the row is quarantined (OS Hub would refuse it).",
        "Level **warning**: the row is staged and the problem is reported with its row and column by",
        "`flrisk check-list` and `flrisk load` (OS Hub's moderators would query it).",
        "",
        "Where flrisk is more forgiving than OS Hub, on purpose: headers match whatever their case and",
        'spacing ("Product Type" is `product_type`; OS Hub wants them exact); files in cp1252, GBK,',
        "GB18030, Big5, Shift-JIS, cp1250, cp1254, cp1258 (Vietnamese) or UTF-16 are read when their",
        "encoding is certain (OS Hub takes UTF-8 only); a name under 10 or an address under 25 characters",
        "is a warning. Where it is stricter: an LEI's check digits are verified, bad coordinates refuse",
        "the row instead of being dropped silently. What flrisk cannot do offline: look a",
        "parent_company_os_id up in OS Hub.",
        "",
        "| code | level | OS Hub rule mirrored |",
        "|---|---|---|",
    ]
    for entry in catalogue():
        if entry.oshub_rule:
            level = "warning" if entry.severity == "flag" else "error"
            level = "file refused" if entry.applies_to == "file" else level
            lines.append(f"| `{entry.reason_code}` | {level} | {entry.oshub_rule.replace('|', '/')} |")
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Write docs/reason-codes.md (or the path given) from the catalogue."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DOC_PATH
    path.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {path} ({len(catalogue())} codes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
