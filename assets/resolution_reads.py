"""What an incremental resolution reads from the warehouse: only the rows its update can touch.

`warehouse_source` is the warehouse as an `entity_resolution.update.UpdateSource`: the new records'
staged rows, the match index slice their keys reach (`assets.match_index.index_lookup`), and the
neighbourhood of the facilities that slice reaches (those facilities, all their links and the staged
records of those links), each read by key with a semi join instead of reading whole tables (at 1M
facilities a load of 1,000 rows reads a few thousand rows of each instead of a million). The review
queue and the aliases are read whole: they are replaced whole. `planning_ids` gives the planner the
record IDs it compares, one column each.
"""

from __future__ import annotations

import polars as pl

from assets.match_index import index_lookup
from assets.resources import WarehouseResource
from entity_resolution.settings import ResolutionSettings
from entity_resolution.update import Neighbourhood, UpdateSource

STAGED_OF_IDS_SQL = "SELECT * FROM staged.facility_records WHERE record_id IN (SELECT id FROM wanted_ids)"
OWNERS_SQL = (
    "SELECT DISTINCT facility_id FROM resolved.record_links WHERE record_id IN (SELECT id FROM wanted_ids)"
)
FACILITIES_SQL = "SELECT * FROM resolved.facilities WHERE facility_id IN (SELECT id FROM wanted_ids)"
LINKS_SQL = "SELECT * FROM resolved.record_links WHERE facility_id IN (SELECT id FROM wanted_ids)"
HELD_SQL = "SELECT facility_id FROM resolved.facilities WHERE facility_id IN (SELECT id FROM wanted_ids)"


def planning_ids(warehouse: WarehouseResource) -> tuple[pl.Series, pl.DataFrame]:
    """The staged record IDs and the previous links' record IDs (a one-column frame), for `plan_run`."""
    for table in ("staged.facility_records", "resolved.record_links"):
        warehouse.ensure(table)
    staged = warehouse.query("SELECT record_id FROM staged.facility_records")["record_id"]
    return staged, warehouse.query("SELECT record_id FROM resolved.record_links")


def _by_ids(warehouse: WarehouseResource, sql: str, ids) -> pl.DataFrame:
    """`sql` (reading the registered `wanted_ids(id)`) with `ids` as the wanted IDs."""
    wanted = pl.DataFrame({"id": sorted(set(ids))}, schema={"id": pl.String})
    with warehouse.connect() as con:
        con.register("wanted_ids", wanted)
        try:
            return con.sql(sql).pl()
        finally:
            con.unregister("wanted_ids")


def warehouse_source(
    warehouse: WarehouseResource, settings: ResolutionSettings, staged_records: int
) -> UpdateSource:
    """The warehouse as the `UpdateSource` of an incremental run (see the module docstring);
    `staged_records` is how many records are staged now."""
    aliases = warehouse.read("resolved.facility_id_aliases")
    alias_ids = set(aliases["alias_id"].to_list())

    def around(facility_ids: list[str], removed_ids: list[str]) -> Neighbourhood:
        owners = _by_ids(warehouse, OWNERS_SQL, removed_ids)["facility_id"].to_list() if removed_ids else []
        wanted = set(facility_ids) | set(owners)
        links = _by_ids(warehouse, LINKS_SQL, wanted)
        return Neighbourhood(
            _by_ids(warehouse, FACILITIES_SQL, wanted),
            links,
            _by_ids(warehouse, STAGED_OF_IDS_SQL, links["record_id"].to_list()),
        )

    def in_use(ids: set[str]) -> set[str]:
        return set(_by_ids(warehouse, HELD_SQL, ids)["facility_id"].to_list()) | (ids & alias_ids)

    return UpdateSource(
        arrived=lambda new_ids: _by_ids(warehouse, STAGED_OF_IDS_SQL, new_ids),
        lookup=index_lookup(warehouse, settings),
        around=around,
        in_use=in_use,
        review_queue=warehouse.read("resolved.review_queue"),
        aliases=aliases,
        records_total=staged_records,
        facilities_total=warehouse.row_count("resolved.facilities"),
    )
