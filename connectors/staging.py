"""Shared machinery for the pure ``standardise`` functions: reading raw rows, keys, rejections
and the per-file reconciliation "read = staged + quarantined".

Every source module walks ``iter_raw_rows``; each row either yields staged rows or one or more
rejections (one per failing column), never both. Row keys come from ``connectors.ids`` (IDs hash raw
source values, not cleaned ones).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import polars as pl

from connectors.headers import HeaderMap, SourceSpec, map_headers
from connectors.parsing import parse_date
from connectors.reason_codes import quarantine_codes
from connectors.schemas import RAW_SCHEMA, REJECTED_SCHEMA


class Problem(NamedTuple):
    """Why one column (canonical field name; None = whole row) of one row cannot be staged."""

    column: str | None
    reason_code: str
    message: str


@dataclass(frozen=True)
class RawRow:
    """One raw row with its cells keyed by canonical field name."""

    load_id: str
    source_file: str
    source_row: int
    contributor: str | None
    payload: str
    cells: dict[str, str]  # canonical field -> original cell text (known columns only)
    extras: dict[str, str]  # original header -> cell text (unknown columns)
    headers: HeaderMap

    def raw(self, field_name: str) -> str | None:
        """The cell exactly as received, or None when the column is absent or the cell empty."""
        value = self.cells.get(field_name)
        return value if value is not None and value.strip() else None

    def require(self, field_name: str, problems: list[Problem]) -> str | None:
        """Return the raw cell, or record ``missing_required`` and return None."""
        value = self.raw(field_name)
        if value is None:
            absent = field_name in self.headers.missing
            detail = "is missing from the file header" if absent else "is empty"
            problems.append(
                Problem(field_name, "missing_required", f"required column {field_name!r} {detail}")
            )
        return value


def iter_raw_rows(
    raw: pl.DataFrame, spec: SourceSpec, unknown_columns: dict[str, tuple[str, ...]]
) -> Iterator[RawRow]:
    """Yield the rows of a raw.<source_type> frame in input order, mapping headers per file.

    Unknown columns are recorded per source_file in ``unknown_columns``. Raises ValueError when
    ``raw`` lacks the raw columns and HeaderConflictError when two headers mean the same field.
    """
    missing = [name for name in RAW_SCHEMA if name not in raw.columns]
    if missing:
        raise ValueError(f"raw frame for {spec.source_type} lacks columns {missing}")
    header_maps: dict[tuple[str, ...], HeaderMap] = {}
    for record in raw.select(list(RAW_SCHEMA)).iter_rows(named=True):
        cells: dict[str, str] = json.loads(record["payload"])
        headers = tuple(cells)
        if headers not in header_maps:
            header_maps[headers] = map_headers(headers, spec)
        header_map = header_maps[headers]
        if header_map.unknown:
            unknown_columns.setdefault(record["source_file"], header_map.unknown)
        yield RawRow(
            load_id=record["load_id"],
            source_file=record["source_file"],
            source_row=record["source_row"],
            contributor=record["contributor"],
            payload=record["payload"],
            cells={header_map.canonical[h]: v for h, v in cells.items() if h in header_map.canonical},
            extras={h: cells[h] for h in header_map.unknown},
            headers=header_map,
        )


def date_cell(
    row: RawRow, field_name: str, problems: list[Problem], required: bool = False
) -> dt.date | None:
    """Parse a date cell; record missing_required / invalid_date problems and return None."""
    value = row.require(field_name, problems) if required else row.raw(field_name)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "invalid_date", f"{field_name}: {exc}"))
        return None


class Rejections:
    """Collects quarantine rows for one source; ``redact`` rewrites payloads (worker voice)."""

    def __init__(self, source_type: str, redact: Callable[[RawRow], str] | None = None) -> None:
        self.source_type = source_type
        self.redact = redact
        self.rows: list[dict[str, object]] = []

    def add(self, row: RawRow, problems: list[Problem]) -> None:
        """Quarantine ``row`` once per problem."""
        payload = self.redact(row) if self.redact else row.payload
        for problem in problems:
            if problem.reason_code not in quarantine_codes():
                raise ValueError(
                    f"{problem.reason_code!r} is not a row-level reject code of reference/reason_codes.csv"
                )
            message = problem.message
            original = row.headers.original(problem.column) if problem.column else None
            if original is not None and original != problem.column:
                message += f" (file column {original!r})"
            self.rows.append(
                {
                    "load_id": row.load_id,
                    "source_type": self.source_type,
                    "source_file": row.source_file,
                    "source_row": row.source_row,
                    "column_name": problem.column,
                    "reason_code": problem.reason_code,
                    "message": message,
                    "payload": payload,
                }
            )

    def frame(self) -> pl.DataFrame:
        """The rejections as a quarantine.rejected_rows frame."""
        return pl.DataFrame(self.rows, schema=REJECTED_SCHEMA)


class FirstSeen:
    """Remembers the first source row that produced each key (for de-duplication)."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[str, str, int]] = {}

    def duplicate_of(self, key: str, row: RawRow) -> Problem | None:
        """Register ``key`` for ``row``; return a duplicate_row problem if it was seen before."""
        here = (row.load_id, row.source_file, row.source_row)
        first = self._first.setdefault(key, here)
        if first == here:
            return None
        where = f"row {first[2]}" + ("" if first[1] == row.source_file else f" of {first[1]}")
        if first[0] != row.load_id:
            where += f" in load {first[0]}"
        return Problem(None, "duplicate_row", f"same key {key} as {where}; the first row is kept")

    def __contains__(self, key: str) -> bool:
        return key in self._first


def accept_or_reject(
    row: RawRow, problems: list[Problem], seen: FirstSeen, key: str, rejections: Rejections
) -> bool:
    """Finish a row: a clean row whose key was staged before becomes ``duplicate_row``; failing
    rows are quarantined. Return True when the row should be staged."""
    if not problems:
        duplicate = seen.duplicate_of(key, row)
        if duplicate is None:
            return True
        problems.append(duplicate)
    rejections.add(row, problems)
    return False


@dataclass(frozen=True)
class Standardised:
    """Output of a connector's ``standardise``: staged tables, quarantined rows and the columns
    each file sent that the source does not declare (to be reported, not silently absorbed), and the
    warnings about staged rows (source_file, source_row, column_name, reason_code, message; supplier
    lists only, see ``connectors.sources.supplier_list.oshub_template``)."""

    tables: dict[str, pl.DataFrame]
    rejected: pl.DataFrame
    unknown_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: pl.DataFrame | None = None


ROW_KEY = ["load_id", "source_file", "source_row"]


def _row_keys(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(ROW_KEY).unique()


def reconcile(raw: pl.DataFrame, standardised: Standardised) -> dict[str, object]:
    """Count read, staged and quarantined rows per source_file and check they balance.

    Staged rows are the distinct (load_id, source_file, source_row) keys in the staged tables.
    Reference tables carry no provenance columns; their row count is then attributed to the
    only file of ``raw`` (or only to the totals when several files are mixed).
    Returns {"read", "staged", "quarantined", "overlap", "balanced", "by_file"}.
    """
    read = raw.group_by("source_file").agg(pl.len().alias("read"))
    quarantined = _row_keys(standardised.rejected)
    with_rows = [t for t in standardised.tables.values() if "source_row" in t.columns]
    staged = pl.concat([_row_keys(t) for t in with_rows]).unique() if with_rows else None
    by_file: dict[str, dict[str, int]] = {}
    for source_file, read_count in read.iter_rows():
        q_rows = quarantined.filter(pl.col("source_file") == source_file)
        entry = {"read": read_count, "quarantined": q_rows.height}
        if staged is not None:
            s_rows = staged.filter(pl.col("source_file") == source_file)
            entry["staged"] = s_rows.height
            entry["overlap"] = s_rows.join(q_rows, on=ROW_KEY).height
        elif read.height == 1:
            entry["staged"] = sum(t.height for t in standardised.tables.values())
            entry["overlap"] = 0
        by_file[source_file] = entry
    totals = {
        "read": raw.height,
        "staged": staged.height
        if staged is not None
        else sum(t.height for t in standardised.tables.values()),
        "quarantined": quarantined.height,
        "overlap": sum(entry.get("overlap", 0) for entry in by_file.values()),
    }
    balanced = (
        totals["read"] == totals["staged"] + totals["quarantined"]
        and all(
            entry["read"] == entry["staged"] + entry["quarantined"]
            for entry in by_file.values()
            if "staged" in entry
        )
        and totals["overlap"] == 0
    )
    return {**totals, "balanced": balanced, "by_file": by_file}


def standardise_reconciled(
    standardise: Callable[[pl.DataFrame], Standardised], raw: pl.DataFrame
) -> tuple[Standardised, dict[str, object]]:
    """Standardise ``raw`` and reconcile it per file.

    Tables without row provenance (reference lists) cannot attribute staged rows to one of several
    files, so each file is then standardised on its own and the results and figures are combined.
    """
    result = standardise(raw)
    files = raw.partition_by("source_file", maintain_order=True) if raw.height else [raw]
    if len(files) < 2 or all("source_row" in t.columns for t in result.tables.values()):
        return result, reconcile(raw, result)
    return merge_parts([(p, reconcile(part, p)) for part, p in ((part, standardise(part)) for part in files)])


def _concat_warnings(frames: list[pl.DataFrame | None]) -> pl.DataFrame | None:
    present = [frame for frame in frames if frame is not None]
    return pl.concat(present) if present else None


def merge_parts(
    parts: list[tuple[Standardised, dict[str, object]]],
) -> tuple[Standardised, dict[str, object]]:
    """One result and its figures from the results of several files standardised one by one."""
    names = {name for result, _ in parts for name in result.tables}
    merged = Standardised(
        tables={
            name: pl.concat([r.tables[name] for r, _ in parts if name in r.tables], how="diagonal_relaxed")
            for name in names
        },
        rejected=pl.concat([r.rejected for r, _ in parts], how="diagonal_relaxed"),
        unknown_columns={k: v for r, _ in parts for k, v in r.unknown_columns.items()},
        warnings=_concat_warnings([r.warnings for r, _ in parts]),
    )
    figures = [f for _, f in parts]
    totals = {key: sum(f[key] for f in figures) for key in ("read", "staged", "quarantined", "overlap")}
    by_file = {name: entry for f in figures for name, entry in f["by_file"].items()}
    return merged, {**totals, "balanced": all(f["balanced"] for f in figures), "by_file": by_file}
