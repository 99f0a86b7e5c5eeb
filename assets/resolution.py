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
    "resolved.facility_id_aliases": "one row per retired facility_id and the facility that absorbed it",
}
LINKED_ONCE_SQL = """
SELECT (SELECT count(*) FROM staged.facility_records r ANTI JOIN resolved.record_links l USING (record_id))
     + (SELECT count(*) FROM resolved.record_links l ANTI JOIN staged.facility_records r USING (record_id))
     + (SELECT count(*) - count(DISTINCT record_id) FROM resolved.record_links)
"""
UNFLAGGED_BORDER_SQL = """
SELECT count(*) FROM (
    SELECT l.facility_id FROM resolved.record_links l JOIN staged.facility_records r USING (record_id)
    GROUP BY l.facility_id HAVING count(DISTINCT r.country_code) > 1
) spanning JOIN resolved.facilities f USING (facility_id) WHERE NOT f.spans_countries
"""

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
    check_specs=[
        dg.AssetCheckSpec(
            "every_record_linked_exactly_once",
            asset=key_of("resolved.record_links"),
            blocking=True,
            description="Every staged facility record has exactly one link, and no link is orphaned.",
        ),
        dg.AssetCheckSpec(
            "no_unflagged_cross_border_facility",
            asset=key_of("resolved.facilities"),
            blocking=True,
            description="A facility whose records name two countries is flagged spans_countries.",
        ),
        dg.AssetCheckSpec(
            "facility_ids_stable_since_last_run",
            asset=key_of("resolved.facilities"),
            description="Share of records whose facility_id did not change since the last run.",
        ),
    ],
    can_subset=False,
)
def resolved_tables(warehouse: WarehouseResource):
    """Resolve staged facility records (honouring human decisions, keeping previous IDs) and replace the
    resolved tables in one transaction."""
    settings = ResolutionSettings()
    with timed() as clock:
        result = resolve(
            warehouse.read("staged.facility_records"),
            warehouse.read("resolved.match_decisions"),
            settings,
            previous_links=warehouse.read("resolved.record_links"),
            previous_aliases=warehouse.read("resolved.facility_id_aliases"),
        )
        counts = warehouse.replace_many(
            {
                "resolved.facilities": result.facilities,
                "resolved.record_links": result.record_links,
                "resolved.review_queue": result.review_queue,
                "resolved.facility_id_aliases": result.aliases,
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
    yield from _checks(warehouse, result.report["id_stable_share"])


def _checks(warehouse: WarehouseResource, stable_share: float):
    """The cross-table checks of the resolved layer (they need staged and resolved tables together)."""
    unlinked = warehouse.query(LINKED_ONCE_SQL).item()
    yield dg.AssetCheckResult(
        check_name="every_record_linked_exactly_once",
        asset_key=key_of("resolved.record_links"),
        passed=unlinked == 0,
        metadata={"offending_records": int(unlinked)},
    )
    unflagged = warehouse.query(UNFLAGGED_BORDER_SQL).item()
    yield dg.AssetCheckResult(
        check_name="no_unflagged_cross_border_facility",
        asset_key=key_of("resolved.facilities"),
        passed=unflagged == 0,
        metadata={"unflagged_facilities": int(unflagged)},
    )
    first_run = stable_share < 0
    yield dg.AssetCheckResult(
        check_name="facility_ids_stable_since_last_run",
        asset_key=key_of("resolved.facilities"),
        passed=first_run or stable_share >= 0.9,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"stable_share": None if first_run else round(stable_share, 4), "first_run": first_run},
    )
