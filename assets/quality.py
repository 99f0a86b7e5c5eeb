"""Quality: the data-quality report auditors open before they trust a number.

Runs every published table's contract rules against the warehouse and writes an offline HTML page
and a JSON summary under `$FLRISK_HOME/reports/data_quality/`.
"""

from datetime import UTC, datetime

import dagster as dg

from assets.metadata import key_of
from assets.risk import PUBLISHED_TABLES
from data_contracts import load_contract
from data_contracts.quality_report import TableQuality, render_report
from pipelines.settings import reports_dir
from pipelines.warehouse import WarehouseResource, quoted

REPORTED_TABLES = [*PUBLISHED_TABLES, "published.worker_voice_summary"]


@dg.asset(
    key=["quality", "data_quality_report"],
    group_name="quality",
    kinds={"html"},
    deps=[key_of(t) for t in REPORTED_TABLES],
)
def data_quality_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One offline report (HTML + JSON) covering every published table and each of its contract rules."""
    tables = []
    with warehouse.connect(read_only=True) as con:
        for table_key in REPORTED_TABLES:
            contract = load_contract(table_key)
            row_count = con.sql(f"SELECT count(*) FROM {quoted(table_key)}").fetchall()[0][0]
            results = contract.run_checks(con, table_key)
            tables.append(
                TableQuality(table_key, results, row_count=row_count, contract_version=contract.version)
            )
    generated_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    index = render_report(tables, reports_dir(), generated_at)
    failed = sum(1 for t in tables for r in t.results if not r.passed)
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(index)),
            "tables": len(tables),
            "failed_rules": failed,
        }
    )
