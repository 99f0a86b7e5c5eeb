"""History: what changed for each facility at this run, appended to published.facility_risk_history."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.metadata import key_of
from assets.resources import WarehouseResource
from data_contracts import load_contract
from risk_model.history import changes, current_state

HISTORY = "published.facility_risk_history"
SOURCES = [
    "published.facility_risk",
    "published.list_screening_hits",
    "resolved.record_links",
    "resolved.facility_id_aliases",
]


@dg.asset(
    key=key_of(HISTORY),
    group_name="risk",
    kinds={"duckdb", "polars"},
    deps=[key_of(table) for table in SOURCES],
)
def facility_risk_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """published.facility_risk_history: one row per facility and run in which its band, score (beyond
    the tolerance), drivers, list hits or records (merges, splits) changed, with old and new values."""
    facility_risk, hits, links, aliases = [warehouse.read(table) for table in SOURCES]
    history = warehouse.read(HISTORY)
    recorded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    added = changes(history, current_state(facility_risk, hits, links), aliases, context.run_id, recorded_at)
    if added.height:
        contract = load_contract(HISTORY)
        warehouse.publish(HISTORY, pl.concat([contract.conform(history), contract.conform(added)]))
    counts = added["change_kinds"].explode().value_counts().to_dicts() if added.height else []
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": history.height + added.height,
            "facilities_changed": added.height,
            "changes": {row["change_kinds"]: row["count"] for row in counts},
        }
    )
