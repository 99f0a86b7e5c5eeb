"""Entity resolution: staged facility mentions become resolved facilities with stable IDs."""

import dagster as dg

from assets.metadata import asset_spec_metadata, key_of, timed
from entity_resolution.resolve import resolve
from entity_resolution.settings import ResolutionSettings
from pipelines.warehouse import WarehouseResource

RESOLVED_TABLES = {
    "resolved.facilities": "one row per resolved real facility",
    "resolved.record_links": "one row per staged facility record, linking it to its facility",
    "resolved.review_queue": "one row per candidate pair in the grey band awaiting a human decision",
}

match_decisions = dg.AssetSpec(
    key_of("resolved.match_decisions"),
    group_name="entity_resolution",
    description="resolved.match_decisions: one row per human confirm/reject decision on a record pair; "
    "written by reviewers, read (never overwritten) by the pipeline.",
    kinds={"duckdb"},
    metadata=asset_spec_metadata("resolved.match_decisions"),
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key_of(table),
            group_name="entity_resolution",
            kinds={"duckdb", "polars"},
            description=f"{table}: {grain}.",
            deps=[key_of("staged.facility_records"), key_of("resolved.match_decisions")],
            metadata=asset_spec_metadata(table),
        )
        for table, grain in RESOLVED_TABLES.items()
    ],
    can_subset=False,
)
def resolved_tables(warehouse: WarehouseResource):
    """Resolve staged facility records (honouring human decisions) and replace the resolved tables."""
    settings = ResolutionSettings()
    with timed() as clock:
        records = warehouse.read("staged.facility_records")
        decisions = warehouse.read("resolved.match_decisions")
        result = resolve(records, decisions, settings)
        counts = warehouse.replace_many(
            {
                "resolved.facilities": result.facilities,
                "resolved.record_links": result.record_links,
                "resolved.review_queue": result.review_queue,
            }
        )
    for table, count in counts.items():
        yield dg.MaterializeResult(
            asset_key=key_of(table),
            metadata={
                "dagster/row_count": count,
                "seconds": clock["seconds"],
                **result.report,
                "settings": settings.to_json(),
            },
        )
