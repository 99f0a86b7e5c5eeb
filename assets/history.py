"""History: what changed for each facility at this run, appended to published.facility_risk_history.

After a publish that scored only the facilities a load touched (assets/risk_scope.py), only those can
have changed: every other facility's published state is the one the previous run compared, so the
comparison is made for the touched facilities alone and their rows appended (checked as written,
`Warehouse.publish_rows`), provided the history caught up with the previous publish. Otherwise every
facility is compared and the table rewritten, as before.
"""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from assets.metadata import key_of
from assets.resolution_delta import TOUCHED
from assets.resources import WarehouseResource
from assets.risk_scope import SCOPE
from data_contracts import load_contract
from risk_model.history import changes, current_state
from warehouse.sql import quoted

HISTORY = "published.facility_risk_history"
SOURCES = [
    "published.facility_risk",
    "published.list_screening_hits",
    "resolved.record_links",
    "resolved.facility_id_aliases",
]
SCOPED = {  # source -> the rows of the touched facilities only
    **{table: "facility_id IN (SELECT facility_id FROM touched)" for table in SOURCES[:3]},
    HISTORY: "facility_id IN (SELECT facility_id FROM touched)",
}


@dg.asset(
    key=key_of(HISTORY),
    group_name="risk",
    kinds={"duckdb", "polars"},
    deps=[key_of(table) for table in SOURCES],
)
def facility_risk_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """published.facility_risk_history: one row per facility and run in which its band, score (beyond
    the tolerance), drivers, list hits or records (merges, splits) changed, with old and new values."""
    touched = touched_since_history(context)
    recorded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if touched is None:
        facility_risk, hits, links, aliases = [warehouse.read(table) for table in SOURCES]
        history = warehouse.read(HISTORY)
    else:
        facility_risk, hits, links, history = _touched_rows(warehouse, touched)
        aliases = warehouse.read("resolved.facility_id_aliases")
    added = changes(history, current_state(facility_risk, hits, links), aliases, context.run_id, recorded_at)
    contract = load_contract(HISTORY)
    if touched is not None:
        warehouse.publish_rows({HISTORY: contract.conform(added)}, "run_id", [context.run_id])
    elif added.height:
        warehouse.publish(HISTORY, pl.concat([contract.conform(history), contract.conform(added)]))
    counts = added["change_kinds"].explode().value_counts().to_dicts() if added.height else []
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": warehouse.row_count(HISTORY),
            "facilities_changed": added.height,
            "changes": {row["change_kinds"]: row["count"] for row in counts},
            "compared": "all facilities" if touched is None else f"{len(touched)} touched facilities",
        }
    )


def touched_since_history(context: dg.AssetExecutionContext) -> list[str] | None:
    """The facilities this run's publish scored, when it scored only those and the history already
    holds the comparison with the previous publish; else None (compare every facility)."""
    instance = context.instance
    published = instance.fetch_materializations(key_of("published.facility_risk"), limit=2).records
    if len(published) < 2 or published[0].run_id != context.run_id:
        return None
    metadata = published[0].asset_materialization.metadata
    if SCOPE not in metadata or metadata[SCOPE].value != "touched" or TOUCHED not in metadata:
        return None
    last = instance.fetch_materializations(key_of(HISTORY), limit=1).records
    if not last or last[0].storage_id < published[1].storage_id:
        return None
    return list(metadata[TOUCHED].value)


def _touched_rows(warehouse: WarehouseResource, touched: list[str]) -> list[pl.DataFrame]:
    """published.facility_risk, list_screening_hits, resolved.record_links and the history, each only
    for the touched facilities."""
    with warehouse.connect() as con:
        con.register("touched", pl.DataFrame({"facility_id": touched}, schema={"facility_id": pl.String}))
        frames = [
            con.sql(f"SELECT * FROM {quoted(table)} WHERE {where}").pl() for table, where in SCOPED.items()
        ]
        con.unregister("touched")
    return frames
