"""Quality: the data-quality report auditors open before they trust a number.

Runs every published table's contract rules against the warehouse and writes an offline HTML page
and a JSON summary under `$FLRISK_HOME/reports/data_quality/`, plus Great Expectations Data Docs
(validated with each contract's GE suite, rewritten to call no external host) under `data_docs/`,
linked from the summary page.
"""

import shutil
from datetime import UTC, datetime

import dagster as dg

from assets.metadata import key_of
from assets.risk import PUBLISHED_TABLES
from data_contracts import load_contract
from data_contracts.ge_docs import build_data_docs
from data_contracts.quality_report import TableQuality, render_report
from pipelines.settings import reports_dir
from pipelines.warehouse import WarehouseResource, quoted

REPORTED_TABLES = [*PUBLISHED_TABLES, "published.worker_voice_summary"]
DATA_DOCS_DIR = "data_docs"


@dg.asset(
    key=["quality", "data_quality_report"],
    group_name="quality",
    kinds={"html"},
    deps=[key_of(t) for t in REPORTED_TABLES],
)
def data_quality_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One offline report (HTML + JSON) covering every published table and each of its contract rules,
    and offline Great Expectations Data Docs of the same tables for auditors."""
    tables, frames = [], {}
    with warehouse.connect(read_only=True) as con:
        for table_key in REPORTED_TABLES:
            contract = load_contract(table_key)
            row_count = con.sql(f"SELECT count(*) FROM {quoted(table_key)}").fetchall()[0][0]
            results = contract.run_checks(con, table_key)
            tables.append(
                TableQuality(table_key, results, row_count=row_count, contract_version=contract.version)
            )
            frames[table_key] = (contract, con.sql(f"SELECT * FROM {quoted(table_key)}").df())
    out_dir = reports_dir()
    shutil.rmtree(out_dir / DATA_DOCS_DIR, ignore_errors=True)  # only this run's validations
    docs_index, docs_results = build_data_docs(frames, out_dir / DATA_DOCS_DIR)
    generated_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    links = [(f"{DATA_DOCS_DIR}/index.html", "Great Expectations Data Docs (validation results per table)")]
    index = render_report(tables, out_dir, generated_at, links=links)
    failed = sum(1 for t in tables for r in t.results if not r.passed)
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(index)),
            "data_docs": dg.MetadataValue.path(str(docs_index)),
            "tables": len(tables),
            "failed_rules": failed,
            "ge_failed_expectations": sum(len(r.failed_expectations) for r in docs_results),
            "ge_engine_errors": sum(len(r.engine_errors) for r in docs_results),
        }
    )
