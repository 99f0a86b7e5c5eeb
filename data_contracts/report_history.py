"""Past data-quality reports: one dated copy per run and an index of them.

Every build of the report also writes ``runs/<stamp>/`` (its ``index.html``, ``summary.json`` and
quarantine CSVs; the stamp is the generation time, e.g. ``2026-12-05T071200Z``) and rewrites
``runs/index.html``, newest first, with each run's status, checks and quarantined rows read back from
its ``summary.json``. The newest :data:`KEEP_RUNS` copies are kept; older ones are deleted. Great
Expectations Data Docs are kept for the latest run only (they are ~4 MB each).

Pure file handling: no warehouse, no Dagster.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from typing import Any

RUNS_DIR = "runs"
KEEP_RUNS = 200


def run_stamp(generated_at: str) -> str:
    """A folder name from an ISO time (``2026-12-05T07:12:00Z`` -> ``2026-12-05T071200Z``)."""
    return generated_at.replace(":", "")


def run_dir(out_dir: Path, generated_at: str) -> Path:
    """Where this run's dated copy goes (a second build in the same second gets a suffix)."""
    base = out_dir / RUNS_DIR / run_stamp(generated_at)
    candidate, number = base, 2
    while candidate.exists():
        candidate, number = base.with_name(f"{base.name}-{number}"), number + 1
    return candidate


def past_runs(out_dir: Path) -> list[dict[str, Any]]:
    """Every dated report under ``out_dir/runs``, newest first, with the figures of its summary."""
    runs = []
    folder = out_dir / RUNS_DIR
    for summary_file in sorted(folder.glob("*/summary.json"), reverse=True):
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a half-written or damaged copy is left out of the index, never fatal
        totals = summary.get("totals", {})
        runs.append(
            {
                "folder": summary_file.parent.name,
                "generated_at": summary.get("generated_at"),
                "status": summary.get("status"),
                "tables": totals.get("tables"),
                "checks": totals.get("checks"),
                "failed": totals.get("failed"),
                "blocking_failed": totals.get("blocking_failed"),
                "quarantined_rows": sum(f.get("rows", 0) for f in summary.get("quarantined_files", [])),
            }
        )
    return runs


def prune(out_dir: Path, keep: int = KEEP_RUNS) -> list[Path]:
    """Delete all but the newest ``keep`` dated copies; returns the folders removed."""
    folders = sorted((p for p in (out_dir / RUNS_DIR).glob("*") if p.is_dir()), reverse=True)
    removed = folders[keep:]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def write_runs_index(out_dir: Path, css: str) -> Path:
    """``runs/index.html``: one line per dated report, newest first, linking it."""
    rows = "".join(
        f'<tr class="{"good" if run["status"] == "passed" else "bad"}">'
        f'<td><a href="{_e(run["folder"])}/index.html">{_e(run["generated_at"])}</a></td>'
        f'<td>{_e(run["status"])}</td><td class="num">{_e(run["tables"])}</td>'
        f'<td class="num">{_e(run["checks"])}</td><td class="num">{_e(run["failed"])}</td>'
        f'<td class="num">{_e(run["blocking_failed"])}</td><td class="num">{_e(run["quarantined_rows"])}</td>'
        "</tr>\n"
        for run in past_runs(out_dir)
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>flrisk data quality: past runs</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        '<p class="meta"><a href="../index.html">Latest report</a></p>\n'
        "<h1>Data-quality reports of past runs</h1>\n"
        f'<p class="meta">One dated report per run, newest first (the newest {KEEP_RUNS} are kept).</p>\n'
        '<table class="overview"><thead><tr><th>Generated (UTC)</th><th>Status</th><th>Tables</th>'
        "<th>Checks</th><th>Failed</th><th>Blocking</th><th>Quarantined rows</th></tr></thead>\n"
        f"<tbody>\n{rows or '<tr><td colspan=7>No report yet.</td></tr>'}</tbody></table>\n</body>\n</html>\n"
    )
    index = out_dir / RUNS_DIR / "index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(page, encoding="utf-8")
    return index


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)
