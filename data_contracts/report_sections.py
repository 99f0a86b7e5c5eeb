"""Extra sections of the data-quality summary: quarantine counts by reason code and load reconciliation.

A :class:`ReportSection` is plain rows plus the columns to show; the summary writes the rows under
``key`` in ``summary.json`` and renders them as one HTML table. Rows come from the caller (the
quality asset queries the warehouse), so this module stays a pure function of its inputs.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportSection:
    """One titled table of the summary. ``bad_when`` names a boolean column that marks a row red
    when false (or a status column whose value ``failed``/``stale`` marks it red)."""

    key: str
    title: str
    note: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[Mapping[str, Any], ...]
    bad_when: str | None = None
    legend: tuple[tuple[str, str], ...] = ()  # (term, what it means), shown under the note

    @property
    def failed_rows(self) -> int:
        if self.bad_when is None:
            return 0
        return sum(1 for row in self.rows if _is_bad(row.get(self.bad_when)))


def quarantine_section(rows: Sequence[Mapping[str, Any]]) -> ReportSection:
    """Rows quarantined per source type and reason code (columns source_type, reason_code, rows)."""
    return ReportSection(
        key="quarantine_by_reason",
        title="Quarantine by reason code",
        note=(
            "Input rows that could not be standardised; each sits in quarantine.rejected_rows with its "
            "file, row, column and message (codes: docs/reason-codes.md)."
        ),
        columns=(("source_type", "Source type"), ("reason_code", "Reason code"), ("rows", "Rows")),
        rows=tuple(rows),
    )


def reconciliation_section(rows: Sequence[Mapping[str, Any]]) -> ReportSection:
    """Per load: rows read = rows staged + rows quarantined (quarantine.load_summary)."""
    return ReportSection(
        key="load_reconciliation",
        title="Load reconciliation",
        note="Every row read from a file is either staged or quarantined; a red row lost or invented rows.",
        columns=(
            ("source_type", "Source type"),
            ("source_file", "File"),
            ("rows_read", "Read"),
            ("rows_staged", "Staged"),
            ("rows_quarantined", "Quarantined"),
            ("reconciled", "Reconciled"),
        ),
        rows=tuple(rows),
        bad_when="reconciled",
    )


def render_section(section: ReportSection, escape: Any = None) -> str:
    """The section as an HTML ``<section>`` with one table; every value escaped with ``escape``."""
    text = escape or (lambda value: html.escape("" if value is None else str(value), quote=True))
    header = "".join(f"<th>{text(label)}</th>" for _, label in section.columns)
    body = []
    for row in section.rows:
        css = "bad" if section.bad_when and _is_bad(row.get(section.bad_when)) else "good"
        cells = "".join(f"<td>{text(_shown(row.get(column)))}</td>" for column, _ in section.columns)
        body.append(f'<tr class="{css}">{cells}</tr>\n')
    if not body:
        body.append(f'<tr><td colspan="{len(section.columns)}">None.</td></tr>\n')
    legend = "".join(f"<dt>{text(term)}</dt><dd>{text(meaning)}</dd>" for term, meaning in section.legend)
    return (
        f'<section id="{text(section.key)}">\n<h2>{text(section.title)}</h2>\n'
        f'<p class="meta">{text(section.note)}</p>\n'
        + (f'<dl class="legend">{legend}</dl>\n' if legend else "")
        + f'<div class="scroll"><table class="overview"><thead><tr>{header}</tr></thead>\n'
        f"<tbody>\n{''.join(body)}</tbody></table></div>\n</section>\n"
    )


def _is_bad(value: Any) -> bool:
    return value is False or value in {"failed", "stale", "missing"}


def _shown(value: Any) -> Any:
    if value is True:
        return "yes"
    if value is False:
        return "NO"
    return value
