"""Render check results as an offline quality report: ``index.html`` plus ``summary.json``.

Pure function of its inputs (the caller passes ``generated_at``, so the output is reproducible).
The HTML is self-contained: inline CSS, no scripts, no fonts, no images, no external URLs.
Every value is HTML-escaped, and ``://`` inside data is written as ``:&#47;&#47;`` so that even
URLs found in sample rows (e.g. a list's reference_url) never appear as live URL text.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from data_contracts.checks import CheckResult
from data_contracts.report_sections import ReportSection, render_section

_CSS = Path(__file__).with_name("quality_report.css")


@dataclass(frozen=True)
class TableQuality:
    """The results of one table's checks, with the context the report shows beside them."""

    table: str
    results: Sequence[CheckResult]
    row_count: int | None = None
    contract_version: str | None = None
    other_dagster_checks: tuple[str, ...] = ()  # Dagster checks on the asset that are not contract rules

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    @property
    def blocking_failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocking and not r.passed]


def render_report(
    results: Mapping[str, Sequence[CheckResult]] | Iterable[TableQuality],
    out_dir: Path,
    generated_at: str,
    links: Sequence[tuple[str, str]] = (),
    sections: Sequence[ReportSection] = (),
    appendix: Sequence[str] = (),
    extra_summary: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``out_dir/index.html`` and ``out_dir/summary.json``; return the HTML path.

    ``results`` maps table names to check results, or is a sequence of :class:`TableQuality`
    (which adds row counts and contract versions). ``links`` are ``(relative href, label)``
    pairs listed under the heading, e.g. the Great Expectations Data Docs beside the report.
    ``sections`` (quarantine by reason, load reconciliation, ...) follow the overview and are
    written under their ``key`` in the JSON. ``appendix`` holds HTML fragments (already escaped)
    placed after the sections, e.g. the quarantined rows by file; ``extra_summary`` adds JSON keys.
    """
    tables = _as_tables(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = build_summary(tables, generated_at, sections) | dict(extra_summary or {})
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    index = out_dir / "index.html"
    index.write_text(_html_page(tables, summary, links, sections, appendix), encoding="utf-8")
    return index


def build_summary(
    tables: Sequence[TableQuality], generated_at: str, sections: Sequence[ReportSection] = ()
) -> dict[str, Any]:
    """The JSON-ready summary: totals; per table its contract version, every rule with pass/fail and
    the rows it checked, and the failures in detail; then each extra section's rows."""
    rows = [
        {
            "table": t.table,
            "contract_version": t.contract_version,
            "row_count": t.row_count,
            "checks": len(t.results),
            "passed": len(t.results) - len(t.failed),
            "failed": len(t.failed),
            "blocking_failed": len(t.blocking_failed),
            "great_expectations_expectations": len(t.results),
            "dagster_contract_checks": len(t.results),
            "other_dagster_checks": list(t.other_dagster_checks),
            "rules": [_rule(r, t.row_count) for r in t.results],
            "failures": [_failure(r) for r in t.failed],
        }
        for t in tables
    ]
    blocking = sum(row["blocking_failed"] for row in rows)
    section_failures = sum(section.failed_rows for section in sections)
    return {
        "generated_at": generated_at,
        "status": "failed" if blocking or section_failures else "passed",
        "totals": {
            "tables": len(rows),
            "checks": sum(row["checks"] for row in rows),
            "passed": sum(row["passed"] for row in rows),
            "failed": sum(row["failed"] for row in rows),
            "blocking_failed": blocking,
        },
        "tables": rows,
        **{section.key: [_jsonable(dict(row)) for row in section.rows] for section in sections},
    }


def report_css() -> str:
    """The report's inline style sheet (shared by the past-runs index)."""
    return _CSS.read_text("utf-8")


def _as_tables(results: Any) -> list[TableQuality]:
    if isinstance(results, Mapping):
        return [TableQuality(table, list(checks)) for table, checks in results.items()]
    return list(results)


def _rule(result: CheckResult, rows_checked: int | None) -> dict[str, Any]:
    return {
        "name": result.name,
        "passed": result.passed,
        "blocking": result.blocking,
        "rows_checked": rows_checked,
        "offending_rows": result.offending_count,
        "error": result.error,
    }


def _failure(result: CheckResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "description": result.description,
        "blocking": result.blocking,
        "offending_count": result.offending_count,
        "observed_value": _jsonable(result.observed_value),
        "message": result.message,
        "error": result.error,
        "sample_rows": [_jsonable(row) for row in result.sample_rows],
    }


def _jsonable(value: Any) -> Any:
    """Plain JSON values: dates as ISO text, NaN/inf as null, unknown objects as text."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def escape_text(value: Any) -> str:
    """Escape anything for HTML and defuse URL schemes (as every value of the report is)."""
    return _text(value)


def _text(value: Any) -> str:
    """Escape anything for HTML and defuse URL schemes."""
    escaped = html.escape("" if value is None else str(value), quote=True)
    return escaped.replace("://", ":&#47;&#47;")


def _html_page(
    tables: Sequence[TableQuality],
    summary: dict[str, Any],
    links: Sequence[tuple[str, str]] = (),
    sections: Sequence[ReportSection] = (),
    appendix: Sequence[str] = (),
) -> str:
    totals = summary["totals"]
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>flrisk data quality report</title>\n<style>\n{_CSS.read_text('utf-8')}</style>\n"
        "</head>\n<body>\n"
    )
    status = summary["status"]
    intro = (
        f'<h1>flrisk data quality report</h1>\n<p class="meta">Generated '
        f"{_text(summary['generated_at'])}. {totals['tables']} tables, {totals['checks']} "
        f"checks: {totals['passed']} passed, {totals['failed']} failed "
        f"({totals['blocking_failed']} blocking).</p>\n"
        f'<p class="status {status}">Overall: {_text(status)}</p>\n'
    )
    if links:
        items = "".join(f'<li><a href="{_text(href)}">{_text(label)}</a></li>' for href, label in links)
        intro += f'<ul class="links">{items}</ul>\n'

    overview = _overview(summary["tables"]) + "".join(render_section(s, _text) for s in sections)
    overview += "".join(appendix)
    body = "".join(_table_section(t) for t in tables)
    return head + intro + overview + body + "</body>\n</html>\n"


def _overview(rows: list[dict[str, Any]]) -> str:
    lines = [
        '<table class="overview">\n<thead><tr><th>Table</th><th>Contract</th><th>Rows</th>'
        "<th>Passed</th><th>Failed</th><th>Blocking</th></tr></thead>\n<tbody>\n"
    ]
    for row in rows:
        css = "bad" if row["blocking_failed"] else ("warn" if row["failed"] else "good")
        lines.append(
            f'<tr class="{css}"><td><a href="#{_anchor(row["table"])}">{_text(row["table"])}'
            f"</a></td><td>{_text(row['contract_version'] or '')}</td>"
            f'<td class="num">{_text(_count(row["row_count"]))}</td>'
            f'<td class="num">{row["passed"]}</td><td class="num">{row["failed"]}</td>'
            f'<td class="num">{row["blocking_failed"]}</td></tr>\n'
        )
    return "".join(lines) + "</tbody>\n</table>\n"


def _table_section(table: TableQuality) -> str:
    parts = [f'<section id="{_anchor(table.table)}">\n<h2>{_text(table.table)}</h2>\n']
    parts.append(
        f'<p class="meta">Rows: {_text(_count(table.row_count))}. Contract version: '
        f"{_text(table.contract_version or 'n/a')}. {len(table.results) - len(table.failed)} of "
        f"{len(table.results)} checks passed.</p>\n"
        f'<p class="meta counts">{len(table.results)} contract rules: the same {len(table.results)} '
        "run as Dagster asset checks and as Great Expectations expectations."
        + (
            f" Dagster also runs {_text(', '.join(table.other_dagster_checks))}, which are not contract "
            "rules (freshness against the SLA: see Freshness; pipeline invariants of the resolution)."
            if table.other_dagster_checks
            else ""
        )
        + "</p>\n"
    )
    for result in table.failed:
        parts.append(_failure_block(result))
    if table.results:
        parts.append(_rules_table(table))
    return "".join(parts) + "</section>\n"


def _rules_table(table: TableQuality) -> str:
    """Every rule of the table: result, whether it blocks, rows checked and rows offending."""
    rows = "".join(
        f'<tr class="{"good" if r.passed else ("bad" if r.blocking else "warn")}">'
        f"<td>{_text(r.name)}</td><td>{'pass' if r.passed else 'FAIL'}</td>"
        f"<td>{'blocking' if r.blocking else 'warning'}</td>"
        f'<td class="num">{_text(_count(table.row_count))}</td>'
        f'<td class="num">{_text("" if r.offending_count is None else r.offending_count)}</td>'
        f"<td>{_text(r.description)}</td></tr>\n"
        for r in table.results
    )
    return (
        f"<details><summary>All {len(table.results)} rules</summary>\n"
        '<div class="scroll"><table class="overview"><thead><tr><th>Rule</th><th>Result</th>'
        "<th>Level</th><th>Rows checked</th><th>Offending</th><th>What it checks</th></tr></thead>\n"
        f"<tbody>\n{rows}</tbody></table></div>\n</details>\n"
    )


def _failure_block(result: CheckResult) -> str:
    level = "blocking" if result.blocking else "warning"
    block = [
        f'<div class="failure {level}">\n<h3>{_text(result.name)} '
        f'<span class="badge">{level}</span></h3>\n'
        f'<p>{_text(result.description)}</p>\n<p class="meta">{_text(result.message)}'
        f"{'' if result.offending_count is None else f'. Offending rows: {result.offending_count}'}"
        "</p>\n"
    ]
    if result.sample_rows:
        columns = list(result.sample_rows[0])
        header = "".join(f"<th>{_text(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_text(row.get(c))}</td>" for c in columns) + "</tr>\n"
            for row in result.sample_rows
        )
        block.append(
            f'<div class="scroll"><table class="sample"><thead><tr>{header}</tr>'
            f"</thead>\n<tbody>\n{body}</tbody></table></div>\n"
        )
    return "".join(block) + "</div>\n"


def _anchor(table: str) -> str:
    return "t-" + "".join(ch if ch.isalnum() else "-" for ch in table)


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"
