"""Finished API pulls that must not replace the previous one by themselves: held, discarded, accepted.

An Open Supply Hub pull lands page by page in raw.oshub_api under its load_id, and only a pull
registered in raw.loads is ever staged. A pull that cannot be shown complete is discarded (its rows
and checkpoint deleted; the previous pull stays in use). A complete pull that removes more than a
configured share of the previous pull's facilities (OS IDs) is held: its rows stay, it is listed in
raw.api_pulls_held with the figures, and staging keeps using the previous pull until someone accepts it
(`flrisk accept-pull`, or the sync's `accept_removals` run config). `flrisk status` lists held pulls.

A pull that stopped without failing is noted in raw.api_pull_notes (one row per pull key): `quota_stop`
(OS Hub's "API limit exceeded": the rows so far and the checkpoint stay, the next run resumes) and
`no_permission` (the account may not read merge history: the previous merges stay in use). The note
goes when that pull next completes; `flrisk status` lists the notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from warehouse.database import WarehouseTables
from warehouse.sql import create_statement, register_load

HELD = "raw.api_pulls_held"
PULL_IDS = (
    "SELECT DISTINCT json_extract_string(payload, '$.os_id') AS os_id FROM raw.oshub_api WHERE load_id = ?"
)
LATEST_REGISTERED = (
    "SELECT load_id FROM raw.loads WHERE source_file = ? AND source_type = ? ORDER BY loaded_at DESC LIMIT 1"
)


@dataclass(frozen=True)
class Removal:
    """How many facilities of the previous registered pull a new pull no longer has."""

    previous: int
    removed: int

    @property
    def share(self) -> float:
        return self.removed / self.previous if self.previous else 0.0


def _ids(warehouse: WarehouseTables, load_id: str) -> set[str]:
    rows = warehouse.query(PULL_IDS, [load_id])
    return {value for value in rows["os_id"].to_list() if value}


def removal(warehouse: WarehouseTables, load: dict) -> Removal:
    """What the finished pull `load` (raw.loads fields) removes from the previous registered pull of
    the same source file (nothing when there is none)."""
    if not warehouse.exists("raw.loads"):
        return Removal(0, 0)
    latest = warehouse.query(LATEST_REGISTERED, [load["source_file"], load["source_type"]])
    if latest.is_empty():
        return Removal(0, 0)
    before = _ids(warehouse, latest["load_id"][0])
    return Removal(len(before), len(before - _ids(warehouse, load["load_id"])))


def hold(warehouse: WarehouseTables, checkpoint_key: str, load: dict, found: Removal, reason: str) -> None:
    """Keep the pull's rows but do not register it; list it as held (its checkpoint goes)."""
    with warehouse.transaction() as con:
        for key in (HELD, "raw.api_checkpoints"):
            con.execute(create_statement(key))
        con.execute(
            f"INSERT INTO {HELD} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [
                load["load_id"],
                load["source_type"],
                load["source_file"],
                load["contributor"],
                load["row_count"],
                load["received_at"],
                found.previous,
                found.removed,
                round(found.share, 4),
                reason,
            ],
        )
        con.execute("DELETE FROM raw.api_checkpoints WHERE checkpoint_key = ?", [checkpoint_key])


def discard(warehouse: WarehouseTables, checkpoint_key: str, load_id: str) -> None:
    """Delete an unusable pull's rows and checkpoint (the previous pull stays in use)."""
    with warehouse.transaction() as con:
        for key in ("raw.oshub_api", "raw.api_checkpoints"):
            con.execute(create_statement(key))
        con.execute("DELETE FROM raw.oshub_api WHERE load_id = ?", [load_id])
        con.execute("DELETE FROM raw.api_checkpoints WHERE checkpoint_key = ?", [checkpoint_key])


def held_pulls(warehouse: WarehouseTables) -> pl.DataFrame:
    """Every held pull, newest first (empty when none)."""
    if not warehouse.exists(HELD):
        return pl.DataFrame()
    return warehouse.query(f"SELECT * FROM {HELD} ORDER BY held_at DESC")


def drop_superseded(warehouse: WarehouseTables, source_file: str, keep: str | None = None) -> int:
    """Forget the held pulls of `source_file` other than `keep` (a newer pull replaced them), rows
    included; returns how many."""
    if not warehouse.exists(HELD):
        return 0
    held = warehouse.query(f"SELECT load_id FROM {HELD} WHERE source_file = ?", [source_file])
    doomed = [load_id for load_id in held["load_id"].to_list() if load_id != keep]
    with warehouse.transaction() as con:
        for load_id in doomed:
            con.execute("DELETE FROM raw.oshub_api WHERE load_id = ?", [load_id])
            con.execute(f"DELETE FROM {HELD} WHERE load_id = ?", [load_id])
    return len(doomed)


def accept(warehouse: WarehouseTables, load_id: str | None = None) -> dict:
    """Register the held pull `load_id` (default: the newest) so staging reads it; the other held
    pulls of its source file are forgotten. `LookupError` when there is no such held pull."""
    held = held_pulls(warehouse)
    if held.is_empty():
        raise LookupError("no Open Supply Hub pull is held for review")
    chosen = held.filter(pl.col("load_id") == load_id) if load_id else held.head(1)
    if chosen.is_empty():
        listed = ", ".join(held["load_id"].to_list())
        raise LookupError(f"no held pull {load_id!r}; held: {listed}")
    row = chosen.row(0, named=True)
    with warehouse.transaction() as con:
        con.execute(create_statement("raw.loads"))
        register_load(con, {**row, "file_sha256": ""}, row["row_count"])
        con.execute(f"DELETE FROM {HELD} WHERE load_id = ?", [row["load_id"]])
    drop_superseded(warehouse, row["source_file"])
    return row


def forget_held(con, source_file: str) -> None:
    """Drop the held pulls of `source_file` from the database on `con` (the reader copy after an
    accept); nothing when it has no such table."""
    con.execute(create_statement(HELD))
    con.execute(f"DELETE FROM {HELD} WHERE source_file = ?", [source_file])


NOTES = "raw.api_pull_notes"


def note(
    warehouse: WarehouseTables, pull_key: str, load_id: str | None, kind: str, records: int, message: str
) -> None:
    """Record why the pull `pull_key` stopped without failing (replacing its earlier note)."""
    with warehouse.transaction() as con:
        con.execute(create_statement(NOTES))
        con.execute(f"DELETE FROM {NOTES} WHERE pull_key = ?", [pull_key])
        con.execute(
            f"INSERT INTO {NOTES} VALUES (?, ?, ?, ?, ?, current_timestamp)",
            [pull_key, load_id, kind, records, message],
        )


def clear_note(warehouse: WarehouseTables, pull_key: str) -> None:
    """Forget the note of `pull_key` (it completed)."""
    if warehouse.exists(NOTES):
        with warehouse.transaction() as con:
            con.execute(f"DELETE FROM {NOTES} WHERE pull_key = ?", [pull_key])


def pull_notes(warehouse: WarehouseTables) -> pl.DataFrame:
    """Every pull that stopped without failing, newest first (empty when none)."""
    if not warehouse.exists(NOTES):
        return pl.DataFrame()
    return warehouse.query(f"SELECT * FROM {NOTES} ORDER BY noted_at DESC")
