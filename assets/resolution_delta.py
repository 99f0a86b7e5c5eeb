"""What an incremental resolution changed, so that it writes only that and later steps redo only that.

An incremental run (entity_resolution/update.py) returns whole tables, most rows as they were. Rows are
compared with the previous tables by a hash of every column after both sides are conformed to the
contract (so a type difference is no change): for `resolved.facilities` and `resolved.record_links`
only the rows that are new or differ are written (their keys and the gone keys deleted first), and the
facilities whose row or record links changed are the ones the risk step must score again
(`touched_facilities`). The two small tables (review queue, aliases) are still replaced whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from data_contracts import load_contract

# table -> its key column, for the tables written by difference
DIFFERENCED = {"resolved.facilities": "facility_id", "resolved.record_links": "record_id"}
# written by difference in an incremental run, so their contract checks can look at the change only
DELTA_CHECKED = (
    "resolved.facilities",
    "resolved.record_links",
    "resolved.match_index",
    "resolved.match_index_keys",
)
TOUCHED_LIMIT = 20_000  # beyond this many changed rows later steps redo everything anyway
TOUCHED = "touched_facilities"  # metadata key on resolved.facilities: the facilities to score again
CHANGED_KEYS = "changed_keys"  # metadata key: {"column": key column, "keys": keys of the rows written}


@dataclass(frozen=True)
class TableChange:
    """The rows to write (new or changed) and the keys to delete first (changed or gone)."""

    rows: pl.DataFrame
    doomed: list[str]


def table_change(table_key: str, previous: pl.DataFrame, current: pl.DataFrame) -> TableChange:
    """The rows of `current` that are not in `previous` as they are, and the keys to delete."""
    key = DIFFERENCED[table_key]
    contract = load_contract(table_key)
    before, now = contract.conform(previous), contract.conform(current)
    hashes_before = before.select(key, row_hash=before.hash_rows())
    hashes_now = now.select(key, row_hash=now.hash_rows())
    changed = hashes_now.join(hashes_before, on=[key, "row_hash"], how="anti")[key]
    gone = hashes_before.join(hashes_now, on=key, how="anti")[key]
    rows = now.filter(pl.col(key).is_in(changed.implode()))
    return TableChange(rows, sorted(set(changed.to_list()) | set(gone.to_list())))


def touched_facilities(
    facilities: TableChange, links: TableChange, previous_links: pl.DataFrame
) -> list[str]:
    """Facilities whose row changed or went, or that gained or lost a record link (old and new owner
    of every changed or gone link)."""
    doomed_links = pl.Series(links.doomed, dtype=pl.String).implode()
    old_owners = previous_links.filter(pl.col("record_id").is_in(doomed_links))["facility_id"]
    touched = set(facilities.doomed) | set(links.rows["facility_id"].to_list()) | set(old_owners.to_list())
    return sorted(touched)
