"""The persisted match index in the warehouse (resolved.match_index, resolved.match_index_keys) and the
run history (resolved.resolution_runs), read for incremental resolution.

An incremental run reads only the slice of the index its new records reach: the index keys they
share (with each key's frequency over the whole index, so rarity is judged as in a full run) and the
index rows of every member of the facilities those keys lead to.
"""

import polars as pl

from assets.resources import WarehouseResource
from entity_resolution.blocking import IDENTITY_PASSES
from entity_resolution.incremental import NAME_KEY_CAP, NAME_PASSES, MatchIndex
from entity_resolution.settings import ResolutionSettings

INDEX_TABLES = ("resolved.match_index", "resolved.match_index_keys")
SHARED_KEYS_SQL = """
WITH wanted AS (SELECT DISTINCT blocking_pass, blocking_key FROM new_keys),
frequency AS (
    SELECT k.blocking_pass, k.blocking_key, count(*) AS frequency
    FROM resolved.match_index_keys k JOIN wanted USING (blocking_pass, blocking_key)
    GROUP BY ALL
),
kept AS (
    SELECT * FROM frequency
    WHERE frequency < $block_cap OR list_contains($identity_passes, blocking_pass)
        OR (list_contains($name_passes, blocking_pass) AND frequency < $name_cap)
)
SELECT k.record_id, k.blocking_pass, k.blocking_key, f.frequency
FROM resolved.match_index_keys k JOIN kept f USING (blocking_pass, blocking_key)
"""  # the rare keys are chosen before joining back: the second scan then keeps only their rows
MEMBERS_SQL = """
SELECT i.*, l.facility_id
FROM resolved.match_index i JOIN resolved.record_links l USING (record_id)
WHERE l.facility_id IN (
    SELECT facility_id FROM resolved.record_links WHERE record_id IN (SELECT DISTINCT record_id FROM shared)
)
"""


def shareable_keys(settings: ResolutionSettings) -> dict:
    """The parameters of SHARED_KEYS_SQL: the same rule as `entity_resolution.incremental.candidates`
    (rare keys, identity keys, core names below their cap)."""
    return {
        "block_cap": settings.max_block_size,
        "identity_passes": list(IDENTITY_PASSES),
        "name_passes": list(NAME_PASSES),
        "name_cap": NAME_KEY_CAP,
    }


def index_lookup(warehouse: WarehouseResource, settings: ResolutionSettings):
    """A `lookup(new_keys) -> MatchIndex` over the warehouse's persisted index (for `resolve_update`)."""

    def lookup(new_keys: pl.DataFrame) -> MatchIndex:
        with warehouse.connect() as con:
            con.register("new_keys", new_keys.select("blocking_pass", "blocking_key"))
            shared = con.sql(SHARED_KEYS_SQL, params=shareable_keys(settings)).pl()
            con.register("shared", shared.select("record_id"))
            members = con.sql(MEMBERS_SQL).pl()
        return MatchIndex(members, shared)

    return lookup


def last_run(warehouse: WarehouseResource) -> dict | None:
    """The latest resolved.resolution_runs row, or None when no run has recorded one (or the match index
    is missing, e.g. a warehouse from before incremental resolution)."""
    if not all(warehouse.exists(table) for table in (*INDEX_TABLES, "resolved.resolution_runs")):
        return None
    rows = warehouse.query("SELECT * FROM resolved.resolution_runs ORDER BY resolved_at DESC LIMIT 1")
    return rows.row(0, named=True) if rows.height else None
