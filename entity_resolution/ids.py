"""Stable facility IDs: a facility keeps its ID across reruns; when facilities merge, the IDs that
disappear become aliases of the one that stays (as Open Supply Hub does with OS IDs).

A brand-new facility's ID is "FLR-" + 12 hex digits of SHA-256 over its anchor: its smallest OS ID
when it has one, else its smallest record_id (a hash of raw source values). Given the previous run's
record -> facility links, each new cluster instead inherits the previous ID held by most of its
records (ties: the smaller ID); an ID is inherited by one cluster only (the one holding most of its
records). Previous IDs that no cluster inherits but whose records live on become aliases.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

ALIAS_SCHEMA = {"alias_id": pl.String, "facility_id": pl.String, "reason": pl.String}


def anchor_id(os_ids: list[str], record_ids: list[str]) -> str:
    """The ID a brand-new cluster gets."""
    anchor = f"os:{min(os_ids)}" if os_ids else f"rec:{min(record_ids)}"
    return "FLR-" + hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:12].upper()


@dataclass(frozen=True)
class IdAssignment:
    """cluster label -> facility_id, the alias table, and how stable the IDs were."""

    ids: dict[int, str]
    aliases: pl.DataFrame
    stable_share: float | None


def assign_ids(
    labelled: pl.DataFrame,
    previous_links: pl.DataFrame | None = None,
    previous_aliases: pl.DataFrame | None = None,
) -> IdAssignment:
    """IDs for the clusters of `labelled` (record_id, os_id, cluster), inheriting previous IDs."""
    groups = labelled.group_by("cluster").agg(  # the anchor needs only the smallest of each
        pl.col("os_id").min().alias("os_id"), pl.col("record_id").min().alias("record_id")
    )
    ids = {
        c: anchor_id([o] if o is not None else [], [r])
        for c, o, r in groups.select("cluster", "os_id", "record_id").iter_rows()
    }
    if previous_links is None or previous_links.is_empty():
        return IdAssignment(ids, pl.DataFrame(schema=ALIAS_SCHEMA), None)
    held = labelled.select("record_id", "cluster").join(
        previous_links.select("record_id", pl.col("facility_id").alias("previous")), on="record_id"
    )
    votes = (
        held.group_by("cluster", "previous")
        .agg(pl.len().alias("records"))
        .sort("records", "previous", "cluster", descending=[True, False, False])
    )
    taken: set[str] = set()
    settled: set[int] = set()
    for cluster, previous, _ in votes.iter_rows():
        if previous not in taken and cluster not in settled:
            ids[cluster] = previous
            taken.add(previous)
            settled.add(cluster)
    for cluster in set(ids) - settled:  # a fresh anchor ID must not reuse an inherited one
        salt = 1
        while ids[cluster] in taken:
            ids[cluster] = "FLR-" + hashlib.sha256(f"{ids[cluster]}#{salt}".encode()).hexdigest()[:12].upper()
            salt += 1
    aliases = _aliases(held, ids, taken, previous_aliases)
    stable = held.with_columns(now=pl.col("cluster").replace_strict(ids, return_dtype=pl.String))
    share = float((stable["now"] == stable["previous"]).mean()) if stable.height else None
    return IdAssignment(ids, aliases, share)


def _aliases(
    held: pl.DataFrame, ids: dict[int, str], taken: set[str], previous: pl.DataFrame | None
) -> pl.DataFrame:
    """Previous IDs not carried forward -> the ID now holding most of their records (chains resolved)."""
    retired = (
        held.filter(~pl.col("previous").is_in(list(taken)))
        .group_by("previous", "cluster")
        .agg(pl.len().alias("records"))
        .sort("records", "cluster", descending=[True, False])
        .unique("previous", keep="first", maintain_order=True)
    )
    rows = {old: ids[cluster] for old, cluster, _ in retired.iter_rows()}
    if previous is not None:
        for alias, target, _reason in previous.iter_rows():
            rows.setdefault(alias, target)
    current = set(ids.values())
    for alias in list(rows):
        target, hops = rows[alias], 0
        while target not in current and target in rows and hops < len(rows):
            target, hops = rows[target], hops + 1
        rows[alias] = target
    rows = {alias: target for alias, target in rows.items() if alias not in current}
    return pl.DataFrame(
        {"alias_id": list(rows), "facility_id": list(rows.values()), "reason": ["merged"] * len(rows)},
        schema=ALIAS_SCHEMA,
    ).sort("alias_id")
