"""What changed: rows of published.facility_risk_history read for `flrisk changes` and for the change
summary `flrisk load` and `flrisk refresh` end with. Reads the reader copy through `cli.query`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from cli.query import fetch
from risk_model.history import added_list_hits, change_counts

HISTORY_SQL = """
SELECT run_id, recorded_at, facility_id, facility_name, country_code, contributors, change_kinds,
       old_risk_band, new_risk_band, old_risk_score, new_risk_score, old_drivers, new_drivers,
       old_list_hits, new_list_hits, related_facility_ids
FROM published.facility_risk_history
WHERE ($since IS NULL OR recorded_at >= $since)
  AND ($run IS NULL OR run_id = $run)
  AND ($brand IS NULL OR list_contains(contributors, $brand))
ORDER BY recorded_at, facility_id
"""
SUMMARY_KINDS = (
    ("new", "new facility", "new facilities"),
    ("band_up", "moved up a band", "moved up a band"),
    ("band_down", "moved down a band", "moved down a band"),
    ("list_hits", "list hits changed", "list hits changed"),
    ("merged", "merged", "merged"),
    ("split", "split", "split"),
    ("removed", "no longer resolved", "no longer resolved"),
)
NAME_NEW_UP_TO = 5  # a run with at most this many new facilities names them (a small list's load)


def history_rows(
    since: date | None = None,
    brand: str | None = None,
    run_id: str | None = None,
    database: Path | None = None,
) -> pl.DataFrame:
    """History rows recorded on or after `since`, of facilities `brand` lists, of one run; oldest
    first. Empty (not an error) when the warehouse predates the history table."""
    present = fetch(
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_schema = 'published' AND table_name = 'facility_risk_history'",
        database=database,
    )["n"][0]
    if not present:
        return pl.DataFrame()
    return fetch(HISTORY_SQL, {"since": since, "brand": brand, "run": run_id}, database)


def format_summary(rows: pl.DataFrame, detail_limit: int = 10) -> str:
    """'What changed' in a few lines: counts per kind, then the band moves, new hits, merges and splits
    by name (new facilities too when there are at most `NAME_NEW_UP_TO`)."""
    counts = change_counts(rows)
    if not counts:
        return "What changed: nothing (no facility changed band, score, drivers, list hits or records)."
    parts = [
        f"{counts[kind]} {one if counts[kind] == 1 else many}"
        for kind, one, many in SUMMARY_KINDS
        if counts.get(kind)
    ]
    if counts.get("new_list_hits"):
        parts.append(f"{counts['new_list_hits']} with new list hits")
    lines = ["What changed: " + ", ".join(parts) + "."]
    skip_new = counts.get("new", 0) > NAME_NEW_UP_TO
    described = [(row, describe(row, skip_new=skip_new)) for row in rows.iter_rows(named=True)]
    described = sorted(((row, line) for row, line in described if line), key=lambda item: _priority(item[0]))
    lines.extend(f"  {line}" for _, line in described[:detail_limit])
    if len(described) > detail_limit:
        lines.append(f"  ... and {len(described) - detail_limit} more (`flrisk changes`)")
    return "\n".join(lines)


def _priority(row: dict) -> tuple:
    """Most important first: new list hits and band moves up, then merges and splits, band moves
    down, the rest; within each, the highest new score first."""
    kinds = set(row["change_kinds"])
    rank = (
        0
        if added_list_hits(row) or "band_up" in kinds
        else 1
        if kinds & {"merged", "split", "removed"}
        else 2
        if "band_down" in kinds
        else 3
    )
    return rank, -(row.get("new_risk_score") or 0.0), row["facility_id"]


def describe(row: dict, skip_new: bool = False) -> str:
    """One line for one history row; '' for a plain new facility when `skip_new`."""
    kinds = row["change_kinds"]
    if skip_new and kinds == ["new"] and not added_list_hits(row):
        return ""
    who = f"{row['facility_name']} ({row['country_code']}) {row['facility_id']}"
    parts = []
    if "new" in kinds:
        parts.append(f"new, {row['new_risk_band']} {row['new_risk_score']:.0f}")
    if "removed" in kinds:
        parts.append("no longer resolved")
    if {"band_up", "band_down", "score"} & set(kinds):
        parts.append(
            f"{row['old_risk_band']} {row['old_risk_score']:.0f} -> {row['new_risk_band']} "
            f"{row['new_risk_score']:.0f}"
        )
    for hit in added_list_hits(row):
        parts.append(f"new list hit {hit}")
    if "drivers" in kinds:
        added = sorted(set(row["new_drivers"] or []) - set(row["old_drivers"] or []))
        removed = sorted(set(row["old_drivers"] or []) - set(row["new_drivers"] or []))
        parts.extend(f"new driver: {driver}" for driver in added[:2])
        parts.extend(f"driver gone: {driver}" for driver in removed[:2] if not added)
    related = ", ".join(row["related_facility_ids"] or [])
    if "merged" in kinds:
        absorbed = row["new_risk_band"] is None  # its id is retired into the facility it joined
        parts.append(
            f"merged into {related} (this id now points there)" if absorbed else f"merged with {related}"
        )
    if "split" in kinds:
        parts.append(f"split with {related}")
    return f"{who}: " + ("; ".join(parts) or ", ".join(kinds))
