"""Entity resolution: staged facility mentions become resolved facilities with stable IDs.

Runs are incremental by default (a new supplier list touches only the facilities it concerns) and full
when `full: true` is configured (the nightly schedule does) or the previous resolution no longer holds;
see entity_resolution/update.py for when and why.
"""

import time
from dataclasses import dataclass

import dagster as dg
import polars as pl
from pydantic import Field

from assets.known_names_cache import use_saved_known_names
from assets.match_index import INDEX_TABLES, last_run
from assets.metadata import key_of, timed
from assets.resolution_delta import (
    CHANGED_KEYS,
    DELTA_CHECKED,
    TOUCHED,
    TOUCHED_LIMIT,
    table_change,
    touched_facilities,
)
from assets.resolution_reads import planning_ids, warehouse_source
from assets.resources import WarehouseResource
from entity_resolution.incremental import index_keys, index_records
from entity_resolution.resolve import Resolution, resolve
from entity_resolution.run_plan import Plan, PreviousResolution, changes_nothing, plan_run, run_row
from entity_resolution.settings import ResolutionSettings
from entity_resolution.update import update_neighbourhood

RESOLVED_TABLES = {
    "resolved.facilities": "one row per resolved real facility",
    "resolved.record_links": "one row per staged facility record, linking it to its facility",
    "resolved.review_queue": "one row per candidate pair in the grey band awaiting a human decision",
    "resolved.facility_id_aliases": "one row per retired facility_id and the facility that absorbed it",
}
MATCH_STATE_TABLES = {
    "resolved.match_index": "one row per staged facility record with its normalised comparison columns",
    "resolved.match_index_keys": "one row per blocking key of a staged facility record",
    "resolved.resolution_runs": "one row per entity-resolution run (full or incremental, and why)",
}
ASSET_TABLES = RESOLVED_TABLES | MATCH_STATE_TABLES
CACHE_FOLDER = "cache"  # beside the warehouse file: $FLRISK_HOME/cache
LINKED_ONCE_SQL = """
SELECT (SELECT count(*) FROM staged.facility_records r ANTI JOIN resolved.record_links l USING (record_id))
     + (SELECT count(*) FROM resolved.record_links l ANTI JOIN staged.facility_records r USING (record_id))
     + (SELECT count(*) - count(DISTINCT record_id) FROM resolved.record_links)
"""
INDEX_MISMATCH_SQL = """
SELECT (SELECT count(*) FROM staged.facility_records r ANTI JOIN resolved.match_index i USING (record_id))
     + (SELECT count(*) FROM resolved.match_index i ANTI JOIN staged.facility_records r USING (record_id))
"""
UNFLAGGED_BORDER_SQL = """
SELECT count(*) FROM (
    SELECT l.facility_id FROM resolved.record_links l JOIN staged.facility_records r USING (record_id)
    GROUP BY l.facility_id HAVING count(DISTINCT r.country_code) > 1
) spanning JOIN resolved.facilities f USING (facility_id) WHERE NOT f.spans_countries
"""
# The three counts above in one query (~1 s of CPU less at 1M records, same numbers, NULL ids and
# duplicates included): one GROUP BY over the record IDs of the three tables instead of five anti
# joins, and the country count only for facilities that can span two countries (more than one link,
# or a link to a record ID staged twice).
CROSS_TABLE_COUNTS_SQL = """
WITH ids AS (
    SELECT record_id, 1 AS s, 0 AS l, 0 AS i FROM staged.facility_records
    UNION ALL SELECT record_id, 0, 1, 0 FROM resolved.record_links
    UNION ALL SELECT record_id, 0, 0, 1 FROM resolved.match_index
),
per_id AS (SELECT record_id, sum(s) AS s, sum(l) AS l, sum(i) AS i FROM ids GROUP BY record_id),
several AS (
    SELECT facility_id FROM resolved.record_links GROUP BY facility_id HAVING count(*) > 1
    UNION SELECT l.facility_id FROM resolved.record_links l JOIN per_id p USING (record_id) WHERE p.s > 1
),
spanning AS (
    SELECT l.facility_id FROM resolved.record_links l SEMI JOIN several USING (facility_id)
    JOIN staged.facility_records r USING (record_id)
    GROUP BY l.facility_id HAVING count(DISTINCT r.country_code) > 1
)
SELECT
    coalesce(sum(s) FILTER (WHERE l = 0 OR record_id IS NULL), 0)
        + coalesce(sum(l) FILTER (WHERE s = 0 OR record_id IS NULL), 0)
        + coalesce(sum(l - 1) FILTER (WHERE l > 1 AND record_id IS NOT NULL), 0)
        + coalesce(sum(l) FILTER (WHERE record_id IS NULL), 0) AS linked_once,
    (SELECT count(*) FROM spanning JOIN resolved.facilities f USING (facility_id)
     WHERE NOT f.spans_countries) AS unflagged_border,
    coalesce(sum(s) FILTER (WHERE i = 0 OR record_id IS NULL), 0)
        + coalesce(sum(i) FILTER (WHERE s = 0 OR record_id IS NULL), 0) AS index_mismatch
FROM per_id
"""

match_decisions = dg.AssetSpec(
    key_of("resolved.match_decisions"),
    group_name="entity_resolution",
    description="resolved.match_decisions: one row per human confirm/reject decision on a record pair; "
    "written by reviewers, read (never overwritten) by the pipeline.",
    kinds={"duckdb"},
)


class ResolveConfig(dg.Config):
    """Run configuration of the resolution step."""

    full: bool = Field(
        default=False,
        description="Re-resolve every record instead of applying only new and removed records "
        "(the nightly schedule sets it).",
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key_of(table),
            group_name="entity_resolution",
            kinds={"duckdb", "polars"},
            description=f"{table}: {grain}.",
            deps=[key_of("staged.facility_records"), key_of("resolved.match_decisions")],
        )
        for table, grain in ASSET_TABLES.items()
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
            "match_index_matches_staged_records",
            asset=key_of("resolved.match_index"),
            blocking=True,
            description="The match index holds exactly the staged facility records, so the next "
            "incremental run compares new records against every existing one.",
        ),
        dg.AssetCheckSpec(
            "facility_ids_stable_since_last_run",
            asset=key_of("resolved.facilities"),
            description="Share of records whose facility_id did not change since the last run.",
        ),
    ],
    can_subset=False,
)
def resolved_tables(config: ResolveConfig, warehouse: WarehouseResource):
    """Resolve staged facility records (honouring human decisions, keeping previous IDs) and write the
    resolved tables, the match index and a resolution_runs row in one transaction: incrementally (only
    new and removed records) when the previous resolution still holds, else in full."""
    settings = ResolutionSettings()
    with timed() as clock:
        written = resolve_and_write(warehouse, settings, config.full)
    plan, result = written.plan, written.result
    report = result.report if result is not None else {"id_stable_share": 1.0}
    for table in ASSET_TABLES:
        yield dg.MaterializeResult(
            asset_key=key_of(table),
            metadata={
                "dagster/row_count": warehouse.row_count(table),
                "seconds": clock["seconds"],
                "mode": plan.mode,
                "mode_reason": plan.reason,
                "new_records": len(plan.new_ids),
                "removed_records": len(plan.removed_ids),
                **report,
                "settings": settings.to_json(),
                **change_metadata(written, table),
            },
        )
    yield from _checks(warehouse, report["id_stable_share"])


@dataclass(frozen=True)
class Written:
    """What a resolution run wrote: its plan and resolution (None when nothing changed), the
    facilities later steps must redo (None: every one, after a full run) and, per table written by
    difference, `change(...)` (for the contract checks)."""

    plan: Plan
    result: Resolution | None
    touched: list[str] | None
    changed_keys: dict[str, dict]


def change(column: str, keys, rows_before) -> dict:
    """`changed_keys` metadata of a table written by difference: key column, keys of the rows
    written, and how many rows the table held before (a frame or a count)."""
    count = rows_before if isinstance(rows_before, int) else rows_before.height
    return {"column": column, "keys": sorted(keys), "rows_before": count}


def resolve_into_warehouse(
    warehouse: WarehouseResource, settings: ResolutionSettings, full: bool
) -> tuple[Plan, Resolution | None]:
    """Plan the run, resolve (full or incremental) and write everything in one transaction. Returns the
    plan and the resolution (None when no record changed in an incremental run). Nothing is written
    when nothing would change (also a requested full run that reproduces the resolved tables)."""
    written = resolve_and_write(warehouse, settings, full)
    return written.plan, written.result


def resolve_and_write(warehouse: WarehouseResource, settings: ResolutionSettings, full: bool) -> Written:
    """`resolve_into_warehouse`, saying what it wrote (`Written`): an incremental run reads only the
    rows its update can touch (assets/resolution_reads.py) and writes only the facility and link rows
    that changed (assets/resolution_delta.py); its resolution then holds that neighbourhood of the
    facility and link tables, not the whole tables."""
    started = time.perf_counter()
    use_saved_known_names(warehouse.path.parent / CACHE_FOLDER)  # name normalisation's known names
    record_ids, previous_ids = planning_ids(warehouse)
    decisions = warehouse.read("resolved.match_decisions")
    plan = plan_run(record_ids, previous_ids, decisions, last_run(warehouse), settings, full)
    if plan.mode == "full":
        records = warehouse.read("staged.facility_records")
        previous = PreviousResolution(*(warehouse.read(table) for table in RESOLVED_TABLES))
        result = resolve(
            records,
            decisions,
            settings,
            previous_links=previous.record_links,
            previous_aliases=previous.aliases,
        )
        if changes_nothing(plan, result, previous):
            return Written(plan, result, None, {})
        index = {
            "resolved.match_index": index_records(result.prepared),
            "resolved.match_index_keys": index_keys(result.prepared, settings),
        }
        tables = {
            "resolved.facilities": result.facilities,
            "resolved.record_links": result.record_links,
        }
        delete, append, touched, changed = {}, {}, None, {}
        run = run_row(plan, result, decisions, settings, 0.0)
    elif plan.new_ids or plan.removed_ids:
        source = warehouse_source(warehouse, settings, record_ids.len())
        update = update_neighbourhood(source, plan, settings)
        result, before, index, tables = update.resolution, update.before, {}, {}
        facilities = table_change("resolved.facilities", before.facilities, result.facilities)
        links = table_change("resolved.record_links", before.record_links, result.record_links)
        delete = {table: ("record_id", plan.removed_ids) for table in INDEX_TABLES}
        delete |= {
            "resolved.facilities": ("facility_id", facilities.doomed),
            "resolved.record_links": ("record_id", links.doomed),
        }
        append = dict(zip(INDEX_TABLES, (update.index_records, update.index_keys), strict=True))
        append |= {"resolved.facilities": facilities.rows, "resolved.record_links": links.rows}
        touched = touched_facilities(facilities, links, before.record_links)
        changed = {
            "resolved.facilities": change(
                "facility_id", facilities.rows["facility_id"], source.facilities_total
            ),
            "resolved.record_links": change("record_id", links.rows["record_id"], previous_ids.height),
            **{
                table: change("record_id", plan.new_ids, warehouse.row_count(table)) for table in INDEX_TABLES
            },
        }
        linked = previous_ids.height - before.record_links.height + result.record_links.height
        run = run_row(plan, result, decisions, settings, 0.0).with_columns(
            records=pl.lit(linked, pl.Int64), facilities=pl.lit(result.report["facilities"], pl.Int64)
        )
    else:
        unchanged = {
            table: change(
                "facility_id" if table == "resolved.facilities" else "record_id",
                [],
                warehouse.row_count(table),
            )
            for table in DELTA_CHECKED
        }
        return Written(plan, None, [], unchanged)
    tables |= {
        "resolved.review_queue": result.review_queue,
        "resolved.facility_id_aliases": result.aliases,
    }
    run = run.with_columns(seconds=pl.lit(round(time.perf_counter() - started, 3)))
    warehouse.replace_many(tables | index, delete=delete, append=append | {"resolved.resolution_runs": run})
    return Written(plan, result, touched, changed)


def change_metadata(written: Written, table: str) -> dict:
    """Metadata saying what this run changed in `table`, for the steps after it: `changed_keys`
    (key column and keys of the rows written, for the contract checks; absent when the table was
    replaced whole or too many rows changed) and, on resolved.facilities, `touched_facilities`
    (the facilities to score again; null: every one)."""
    metadata = {}
    if table in written.changed_keys and len(written.changed_keys[table]["keys"]) <= TOUCHED_LIMIT:
        metadata[CHANGED_KEYS] = dg.MetadataValue.json(written.changed_keys[table])
    if table == "resolved.facilities":
        touched = written.touched
        fits = touched is not None and len(touched) <= TOUCHED_LIMIT
        metadata[TOUCHED] = dg.MetadataValue.json(touched if fits else None)
    return metadata


# Cross-table checks that pass when a count is zero: check name -> (asset table, SQL, metadata label);
# `_checks` takes the three counts from CROSS_TABLE_COUNTS_SQL, in this order.
ZERO_COUNT_CHECKS = {
    "every_record_linked_exactly_once": ("resolved.record_links", LINKED_ONCE_SQL, "offending_records"),
    "no_unflagged_cross_border_facility": (
        "resolved.facilities",
        UNFLAGGED_BORDER_SQL,
        "unflagged_facilities",
    ),
    "match_index_matches_staged_records": (
        "resolved.match_index",
        INDEX_MISMATCH_SQL,
        "records_missing_or_extra",
    ),
}


def _checks(warehouse: WarehouseResource, stable_share: float):
    """The cross-table checks of the resolved layer (they need staged and resolved tables together)."""
    counts = warehouse.query(CROSS_TABLE_COUNTS_SQL).row(0)
    for (name, (table, _, label)), count in zip(ZERO_COUNT_CHECKS.items(), counts, strict=True):
        count = int(count)
        yield dg.AssetCheckResult(
            check_name=name, asset_key=key_of(table), passed=count == 0, metadata={label: count}
        )
    first_run = stable_share < 0
    yield dg.AssetCheckResult(
        check_name="facility_ids_stable_since_last_run",
        asset_key=key_of("resolved.facilities"),
        passed=first_run or stable_share >= 0.9,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"stable_share": None if first_run else round(stable_share, 4), "first_run": first_run},
    )
