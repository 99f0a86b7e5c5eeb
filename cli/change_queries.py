"""What changed: rows of published.facility_risk_history read for `flrisk changes` and for the change
summary `flrisk load` and `flrisk refresh` end with. Reads the reader copy through `cli.query`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from cli.query import own_reads
from risk_model.history import BAND_ORDER, PORTFOLIO_KINDS, added_list_hits, change_counts, for_brand

HISTORY_SQL = """
SELECT run_id, recorded_at, facility_id, facility_name, country_code, contributors, change_kinds,
       old_risk_band, new_risk_band, old_risk_score, new_risk_score, old_drivers, new_drivers,
       old_list_hits, new_list_hits, related_facility_ids, brands_added, brands_removed
FROM published.facility_risk_history
WHERE ($since IS NULL OR recorded_at >= $since)
  AND ($run IS NULL OR run_id = $run)
  AND ($brand IS NULL OR list_contains(contributors, $brand) OR list_contains(brands_removed, $brand))
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
    ("added_to_brand", "newly on a brand's list", "newly on brands' lists"),
    ("removed_from_brand", "dropped from a brand's list", "dropped from brands' lists"),
)
PORTFOLIO_LINES = (("brands_added", "'s list adds"), ("brands_removed", "'s list no longer includes"))
NAME_PER_BRAND_UP_TO = 5
NAME_NEW_UP_TO = 5  # a run with at most this many new facilities names them (a small list's load)


def history_rows(
    since: date | None = None,
    brand: str | None = None,
    run_id: str | None = None,
    database: Path | None = None,
) -> pl.DataFrame:
    """History rows recorded on or after `since`, of one run, as `brand` sees them (its facilities'
    changes and the facilities its list gained or lost: risk_model.history.for_brand); oldest first.
    Empty (not an error) when the warehouse predates the history table."""
    with own_reads(database) as con:  # one connection for both reads
        present = con.sql(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'published' AND table_name = 'facility_risk_history'"
        ).fetchall()[0][0]
        if not present:
            return pl.DataFrame()
        rows = con.sql(HISTORY_SQL, params={"since": since, "brand": brand, "run": run_id}).pl()
    return for_brand(rows, brand) if brand else rows


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
    lines.extend(f"  {line}" for line in portfolio_lines(rows))
    skip_new = counts.get("new", 0) > NAME_NEW_UP_TO
    described = [(row, describe(row, skip_new=skip_new)) for row in rows.iter_rows(named=True)]
    described = sorted(((row, line) for row, line in described if line), key=lambda item: _priority(item[0]))
    lines.extend(f"  {line}" for _, line in described[:detail_limit])
    if len(described) > detail_limit:
        lines.append(f"  ... and {len(described) - detail_limit} more (`flrisk changes`)")
    return "\n".join(lines)


def _facilities(count: int, bands: list[str]) -> str:
    """'1 critical facility', '3 facilities (1 critical, 2 low)'."""
    noun = "facility" if count == 1 else "facilities"
    if len(set(bands)) == 1:
        return f"{count} {bands[0]} {noun}"
    ordered = sorted(set(bands), key=lambda band: -BAND_ORDER.get(band, 0))
    return f"{count} {noun} ({', '.join(f'{bands.count(band)} {band}' for band in ordered)})"


def portfolio_lines(rows: pl.DataFrame) -> list[str]:
    """Per brand, the facilities its list added or dropped, worst band first, e.g. "Casa Verde Home's
    list adds 1 critical facility: Hetian Taida (CN) FLR-..., critical 91"."""
    if rows.is_empty() or "brands_added" not in rows.columns:
        return []
    lines = []
    for column, verb in PORTFOLIO_LINES:
        by_brand: dict[str, list[dict]] = {}
        for row in rows.iter_rows(named=True):
            for brand in row[column] or []:
                by_brand.setdefault(brand, []).append(row)
        for brand, listed in sorted(by_brand.items()):
            listed.sort(
                key=lambda r: (-BAND_ORDER.get(r["new_risk_band"] or "", 0), -(r["new_risk_score"] or 0.0))
            )
            named = "; ".join(
                f"{r['facility_name']} ({r['country_code']}) {r['facility_id']}, {r['new_risk_band']} "
                f"{r['new_risk_score'] or 0:.0f}"
                for r in listed[:NAME_PER_BRAND_UP_TO]
            )
            more = len(listed) - NAME_PER_BRAND_UP_TO
            bands = [r["new_risk_band"] or "unknown" for r in listed]
            lines.append(
                f"{brand}{verb} {_facilities(len(listed), bands)}: {named}"
                + (f"; ... and {more} more (`flrisk changes --brand`)" if more > 0 else "")
            )
    return lines


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
    """One line for one history row; '' for a plain new facility when `skip_new`, and for a row that
    only enters or leaves brands' lists (`portfolio_lines` tells those per brand)."""
    kinds = row["change_kinds"]
    if skip_new and kinds == ["new"] and not added_list_hits(row):
        return ""
    if set(kinds) <= set(PORTFOLIO_KINDS):
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
