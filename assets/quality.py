"""Quality: the data-quality report auditors open before they trust a number.

Runs every contracted table's rules (staged, quarantine, resolved, published) against the warehouse
and writes an offline HTML page and a JSON summary under `$FLRISK_HOME/reports/data_quality/`, with
quarantine counts by reason code, the quarantined rows per file (first 100 inline, all in CSVs; worker
voice withheld), the load reconciliation and freshness (every state explained); a dated copy of each
run's report stays under `runs/` with an index of past runs; plus Great Expectations Data Docs of
every contract-checked table (validated with its contract's GE suite, one expectation per rule,
rewritten to call no external host) under `data_docs/`, linked from the summary page. `flrisk report`
rebuilds the same reports outside a run.
"""

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.checks import DECISION_TABLES
from assets.freshness import last_updates
from assets.metadata import key_of, timed
from assets.resolution import resolved_tables
from assets.resources import WarehouseResource
from assets.risk import PUBLISHED_TABLES
from connectors.reason_codes import catalogue
from data_contracts import all_contracts
from data_contracts import quarantine_listing as listing
from data_contracts.freshness import FRESHNESS_STATES, freshness_rows, freshness_section, sla_of
from data_contracts.ge_docs import DocsTableResult, build_data_docs
from data_contracts.ge_suite import verdict_frame
from data_contracts.quality_report import TableQuality, escape_text, render_report, report_css
from data_contracts.report_history import RUNS_DIR, prune, run_dir, write_runs_index
from data_contracts.report_sections import ReportSection, quarantine_section, reconciliation_section
from warehouse.home import reports_dir
from warehouse.locking import file_lock
from warehouse.sql import quoted

GE_TABLES = [*PUBLISHED_TABLES, "published.worker_voice_summary"]
DATA_DOCS_DIR = "data_docs"
REPORTS_LOCK_WAIT = 600.0
DATA_DOCS_LINK = "Great Expectations Data Docs (validation results per table)"
REPORT_LAYERS = ("published", "resolved", "staged", "quarantine")
PRESENT_TABLES = "SELECT table_schema, table_name FROM information_schema.tables"
QUARANTINE_COUNTS = (
    "SELECT source_type, reason_code, count(*) AS rows FROM quarantine.rejected_rows "
    "GROUP BY ALL ORDER BY source_type, rows DESC, reason_code"
)
QUARANTINED_ROWS = (
    "SELECT source_type, source_file, source_row, column_name, reason_code, message, payload "
    "FROM quarantine.rejected_rows ORDER BY source_type, source_file, source_row NULLS FIRST, column_name"
)
RECONCILIATION = (
    "SELECT source_type, source_file, rows_read, rows_staged, rows_quarantined, "
    "rows_read = rows_staged + rows_quarantined AS reconciled "
    "FROM quarantine.load_summary ORDER BY source_type, source_file"
)


@dataclass(frozen=True)
class QualityReports:
    """Where the reports went and what they found."""

    index: Path
    data_docs_index: Path
    tables: list[TableQuality]
    data_docs_results: list[DocsTableResult]

    @property
    def failed_rules(self) -> int:
        return sum(len(t.failed) for t in self.tables)

    @property
    def blocking_failed_rules(self) -> int:
        return sum(len(t.blocking_failed) for t in self.tables)


def build_quality_reports(
    warehouse: WarehouseResource, instance: dg.DagsterInstance | None = None
) -> QualityReports:
    """Check every contracted table present in the warehouse and (re)write the summary and Data Docs;
    with a Dagster `instance`, the summary also gives each table's freshness against its SLA."""
    tables, frames = [], {}
    with warehouse.connect(read_only=True) as con:
        present = {f"{s}.{t}" for s, t in con.sql(PRESENT_TABLES).fetchall()}
        for contract in sorted(all_contracts(), key=_report_order):
            table_key = contract.qualified_name
            if table_key not in present:
                continue
            row_count = con.sql(f"SELECT count(*) FROM {quoted(table_key)}").fetchall()[0][0]
            results = contract.run_checks(con, table_key)
            other = _other_dagster_checks(table_key)
            tables.append(TableQuality(table_key, results, row_count, contract.version, other))
            frames[table_key] = (contract, verdict_frame(con, contract, table_key))
        quarantined = _rows(con, QUARANTINED_ROWS, "quarantine.rejected_rows" in present)
        sections = [
            quarantine_section(_rows(con, QUARANTINE_COUNTS, "quarantine.rejected_rows" in present)),
            reconciliation_section(_rows(con, RECONCILIATION, "quarantine.load_summary" in present)),
        ]
    if instance is not None:
        updates = last_updates(instance, [table.table for table in tables])
        sections.append(freshness_section(freshness_rows(updates, datetime.now(UTC))))
    out_dir = reports_dir()
    # a run and `flrisk report` may rebuild the reports at once: one writer of the folder at a time
    with file_lock(out_dir.parent / ".reports.lock", "the data-quality reports folder", REPORTS_LOCK_WAIT):
        shutil.rmtree(out_dir / DATA_DOCS_DIR, ignore_errors=True)  # only this run's validations
        docs_index, docs_results = build_data_docs(frames, out_dir / DATA_DOCS_DIR)
        generated_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        index = _write_reports(tables, sections, quarantined, out_dir, generated_at)
    return QualityReports(index, docs_index, tables, docs_results)


def _write_reports(
    tables: list[TableQuality],
    sections: list[ReportSection],
    quarantined: list[dict],
    out_dir: Path,
    generated_at: str,
) -> Path:
    """The latest report (`index.html`) and this run's dated copy (`runs/<stamp>/`), each with the
    quarantined rows per file and their CSVs, then the index of past runs."""
    meanings = {code.reason_code: code.meaning for code in catalogue()}
    files = listing.group_by_file(quarantined, meanings)
    extra = {"quarantined_files": listing.summary_rows(files), "freshness_states": dict(FRESHNESS_STATES)}
    dated = run_dir(out_dir, generated_at)
    latest_links = [
        (f"{DATA_DOCS_DIR}/index.html", DATA_DOCS_LINK),
        (f"{RUNS_DIR}/{dated.name}/index.html", "This report, dated (kept after later runs)"),
        (f"{RUNS_DIR}/index.html", "Reports of past runs"),
    ]
    dated_links = [
        (f"../../{DATA_DOCS_DIR}/index.html", DATA_DOCS_LINK + ", latest run only"),
        ("../index.html", "Reports of past runs"),
        ("../../index.html", "Latest report"),
    ]
    index = out_dir / "index.html"
    for folder, links in ((dated, dated_links), (out_dir, latest_links)):
        shutil.rmtree(folder / listing.FOLDER, ignore_errors=True)
        listing.write_csvs(files, folder)
        index = render_report(
            tables,
            folder,
            generated_at,
            links=links,
            sections=sections,
            appendix=[listing.render_listing(files, escape_text)],
            extra_summary=extra,
        )
    prune(out_dir)
    write_runs_index(out_dir, report_css())
    return index


def _other_dagster_checks(table_key: str) -> tuple[str, ...]:
    """Dagster checks on the table's asset beside its contract rules: the SLA freshness check (for a
    contract with a frequency) and the resolution's pipeline invariants."""
    pipeline = [spec.name for spec in resolved_tables.check_specs if spec.asset_key == key_of(table_key)]
    dated = sla_of(table_key).max_age is not None and table_key not in DECISION_TABLES
    freshness = ["freshness_check"] if dated else []
    return tuple(freshness + sorted(pipeline))


def _report_order(contract) -> int:
    """Published tables first: they are what auditors check before trusting a number."""
    return REPORT_LAYERS.index(contract.qualified_name.split(".")[0])


def _rows(con, sql: str, table_present: bool) -> list[dict]:
    return con.sql(sql).pl().to_dicts() if table_present else []


@dg.asset(
    key=["quality", "data_quality_report"],
    group_name="quality",
    kinds={"html"},
    deps=[key_of(t) for t in GE_TABLES],
)
def data_quality_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One offline report (HTML + JSON) covering every contracted table and each of its rules, with
    quarantined rows, load reconciliation and freshness, a dated copy per run, and offline Great
    Expectations Data Docs of every contract-checked table for auditors."""
    with timed() as clock:
        reports = build_quality_reports(warehouse, context.instance)
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(reports.index)),
            "data_docs": dg.MetadataValue.path(str(reports.data_docs_index)),
            "tables": len(reports.tables),
            "failed_rules": reports.failed_rules,
            "ge_failed_expectations": sum(len(r.failed_expectations) for r in reports.data_docs_results),
            "ge_engine_errors": sum(len(r.engine_errors) for r in reports.data_docs_results),
            "seconds": clock["seconds"],
        }
    )
