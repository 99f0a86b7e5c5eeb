"""Reports: a static, offline HTML risk report per brand, for sourcing teams.

Writes `$FLRISK_HOME/reports/brands/<brand-slug>.html` for every contributor that sent a supplier list,
and an `index.html` linking them, with each brand's changes since the previous run (the history rows
of the last run that materialized published.facility_risk_history); files from a previous run that no
longer belong to a brand are removed.
"""

import shutil
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.metadata import key_of
from assets.resources import WarehouseResource
from risk_model.report.brand_report import (
    facility_records,
    index_entry,
    render_brand_page,
    render_index,
    slug,
)
from warehouse.home import flrisk_home

SOURCES = ["published.facility_risk", "published.facility_risk_drivers", "resolved.facilities"]
HITS = "published.list_screening_hits"
HISTORY = "published.facility_risk_history"
HISTORY_OF_RUN = "SELECT * FROM published.facility_risk_history WHERE run_id = ?"
LATEST_HISTORY_RUN = (
    "SELECT run_id, recorded_at FROM published.facility_risk_history ORDER BY recorded_at DESC LIMIT 1"
)
# Only the facilities some brand lists are read (at 1M facilities most are listed by none: reading
# every row cost a load ~1.5 s of CPU); the pages and the index are built from exactly these rows.
LISTED = "SELECT facility_id FROM published.facility_risk WHERE list_has_any(contributors, ?)"
LISTED_ROWS = {
    "published.facility_risk": "SELECT * FROM published.facility_risk WHERE list_has_any(contributors, ?)",
    "published.facility_risk_drivers": (
        f"SELECT * FROM published.facility_risk_drivers WHERE facility_id IN ({LISTED})"
    ),
    "resolved.facilities": f"SELECT * FROM resolved.facilities WHERE facility_id IN ({LISTED})",
}
SCORES_SUMMARY = "SELECT as_of_date, methodology_version FROM published.facility_risk LIMIT 1"
BRANDS_QUERY = (
    "SELECT DISTINCT contributor FROM staged.facility_records "
    "WHERE source_type = 'supplier_list' AND contributor IS NOT NULL ORDER BY contributor"
)


@dg.asset(
    key=["quality", "brand_risk_reports"],
    group_name="quality",
    kinds={"html"},
    deps=[
        key_of(t) for t in [*SOURCES, HITS, HISTORY, "published.brand_exposure", "staged.facility_records"]
    ],
)
def brand_risk_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One offline HTML risk report per brand (one page per contributor of a supplier list) plus an
    index: sortable, filterable facility table, map coloured by band, drill-down of drivers, changes
    since the previous run per brand."""
    for table in SOURCES:
        warehouse.ensure(table)
    brands = warehouse.query(BRANDS_QUERY)["contributor"].to_list()
    facility_risk, drivers, facilities = [warehouse.query(LISTED_ROWS[table], [brands]) for table in SOURCES]
    hits = warehouse.read(HITS)
    last_run, changes = _last_run_changes(context, warehouse)
    out_dir = flrisk_home() / "reports" / "brands"
    staging = out_dir.with_name("brands.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    generated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = _summary(warehouse.query(SCORES_SUMMARY))
    taken: set[str] = {"index"}
    listed = []
    for brand in brands:
        records = facility_records(brand, facility_risk, drivers, facilities)
        page_slug = slug(brand, taken)
        page = render_brand_page(brand, records, summary, generated)
        (staging / f"{page_slug}.html").write_text(page, encoding="utf-8")
        listed.append(index_entry(brand, page_slug, records, hits, changes))
    (staging / "index.html").write_text(render_index(listed, generated, last_run), encoding="utf-8")
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(out_dir / "index.html")),
            "brands": len(listed),
            "facilities_reported": sum(entry["facilities"] for entry in listed),
        }
    )


def _summary(scores: pl.DataFrame) -> dict:
    """As-of date and methodology version of the scores (shown on every page), from their first row."""
    if scores.is_empty():
        return {}
    row = scores.row(0, named=True)
    return {"as_of": row["as_of_date"], "methodology_version": row["methodology_version"]}


def _last_run_changes(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> tuple[dict | None, pl.DataFrame | None]:
    """The last run that materialized the history (this run, in any run that rebuilds the reports after
    new scores) and the history rows it recorded: none when nothing changed, which is news too.
    (None, None) before any run recorded history."""
    if not warehouse.exists(HISTORY):
        return None, None
    event = context.instance.get_latest_materialization_event(key_of(HISTORY))
    if event is not None:
        run_id, at = event.run_id, datetime.fromtimestamp(event.timestamp, UTC)
    else:  # this Dagster instance never saw the history built (e.g. the warehouse came from elsewhere)
        latest = warehouse.query(LATEST_HISTORY_RUN)
        if latest.is_empty():
            return None, None
        run_id, at = latest["run_id"][0], latest["recorded_at"][0]
    recorded = {"run_id": run_id, "recorded_at": f"{at:%Y-%m-%d %H:%M} UTC"}
    return recorded, warehouse.query(HISTORY_OF_RUN, [run_id])
