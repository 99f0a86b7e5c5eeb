"""The k-anonymous worker-voice summary: facility x period x indicator.

A cell counts people (survey respondents) or cases (grievances). Primary suppression: a cell built from
fewer than k respondents or cases is suppressed (`below_k`). Complementary suppression then withholds
further cells (`complementary`) so that no suppressed count can be recovered from totals:

1. Single totals: no row (facility x period) or column (facility x indicator) is left with exactly one
   suppressed cell beside published ones, so one row or column total never gives a cell away by
   subtraction (the smallest published cell of such a group is withheld too).
2. All totals together: an attacker who knows every published cell and every row and column total of
   a facility solves a linear system; a suppressed cell is recoverable exactly when the system fixes its
   value. Cells are withheld until no suppressed cell is recoverable, except a cell that the totals fix
   on their own (it is the only link between its row and column, e.g. the facility's only period):
   no cell suppression can hide it, so such totals must never be published (flrisk publishes none
   below k). The test `tests/test_privacy_k_anonymity.py` checks both properties on random data.

Survey numerators count people too: a cell where fewer than k respondents report the indicator (or
fewer than k do not) is suppressed `below_k` like a small cell, so no published share stands for one to
ten workers. Published counts are then rounded up to a multiple of `rounding` (5; never below k, so a
count never reads as fewer than k), so one added case rarely shows between two releases and subtraction
across tables yields ranges, never a count. `published_count` is the rounding every worker-voice
number uses (drivers included, `risk_model.worker_voice`).

Suppressed cells are published with null counts, `suppressed = true` and the reason: never as a silent
zero. Suppression is decided per facility (all totals are within a facility).
"""

from __future__ import annotations

import numpy as np
import polars as pl

KEYS = ["facility_id", "period", "ilo_indicator"]
BELOW_K = "below_k"
ROUNDING = 5
COMPLEMENTARY = "complementary"
_TOLERANCE = 1e-9


def _cells(grievances: pl.DataFrame, surveys: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    links = links.select("record_id", "facility_id")
    cases = (
        grievances.filter(pl.col("ilo_indicator").is_not_null())
        .join(links, on="record_id")
        .with_columns(
            period=pl.format(
                "{}-Q{}", pl.col("received_date").dt.year(), pl.col("received_date").dt.quarter()
            )
        )
        .group_by(KEYS)
        .agg(pl.len().cast(pl.Int64).alias("grievance_cases"))
    )
    survey = (
        surveys.join(links, on="record_id")
        .rename({"survey_period": "period"})
        .group_by(KEYS)
        .agg(
            pl.col("respondents").sum().cast(pl.Int64),
            pl.col("respondents_reporting").sum().cast(pl.Int64).alias("reporting"),
        )
    )
    return survey.join(cases, on=KEYS, how="full", coalesce=True).sort(KEYS)


def published_count(count: pl.Expr, rounding: int = ROUNDING) -> pl.Expr:
    """A worker-voice count as published: rounded up to a multiple of `rounding` (0 stays 0)."""
    return ((count + (rounding - 1)) // rounding * rounding).cast(pl.Int64)


def small_group(count: pl.Expr, k: int) -> pl.Expr:
    """True where `count` people are a group of 1 to k - 1 (null counts are not small)."""
    return (count.is_not_null() & (count > 0) & (count < k)).fill_null(False)


def summarise(
    grievances: pl.DataFrame, surveys: pl.DataFrame, links: pl.DataFrame, k: int, rounding: int = ROUNDING
) -> pl.DataFrame:
    """The published summary with primary and complementary suppression applied, counts rounded."""
    cells = _cells(grievances, surveys, links).with_columns(
        size=pl.max_horizontal(pl.col("respondents").fill_null(0), pl.col("grievance_cases").fill_null(0))
    )
    below_k = (
        (pl.col("respondents").is_not_null() & (pl.col("respondents") < k))
        | (pl.col("grievance_cases").is_not_null() & (pl.col("grievance_cases") < k))
        | small_group(pl.col("reporting"), k)
        | small_group(pl.col("respondents") - pl.col("reporting"), k)
    )
    primary = cells.select(below_k.fill_null(False))[:, 0].to_list()
    reasons: list[str | None] = [BELOW_K if flag else None for flag in primary]
    rows = cells.select(KEYS + ["size"]).rows()
    by_facility: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_facility.setdefault(row[0], []).append(index)
    for indexes in by_facility.values():
        protect_facility([rows[i][1:] for i in indexes], [reasons[i] for i in indexes], indexes, reasons)
    hide = pl.col("suppressed")
    return (
        cells.with_columns(
            suppression_reason=pl.Series(reasons, dtype=pl.String),
            suppressed=pl.Series(reasons, dtype=pl.String).is_not_null(),
            k_threshold=pl.lit(k, pl.Int64),
        )
        .with_columns(
            respondents=pl.when(hide).then(None).otherwise(published_count(pl.col("respondents"), rounding)),
            reporting=pl.when(hide).then(None).otherwise(published_count(pl.col("reporting"), rounding)),
            grievance_cases=pl.when(hide)
            .then(None)
            .otherwise(published_count(pl.col("grievance_cases"), rounding)),
        )
        .drop("size")
    )


def protect_facility(
    cells: list[tuple[str, str, int]],
    local: list[str | None],
    positions: list[int],
    reasons: list[str | None],
) -> None:
    """Complementary suppression for one facility's (period, indicator, size) cells, in place.

    ``local`` holds the facility's reasons (None = published); the result is written back into
    ``reasons`` at ``positions``.
    """
    unprotectable = set(recoverable_cells(cells, [True] * len(cells)))
    changed = True
    while changed:
        changed = _protect_single_totals(cells, local) or _protect_all_totals(cells, local, unprotectable)
    for position, reason in zip(positions, local, strict=True):
        reasons[position] = reason


def _protect_single_totals(cells: list[tuple[str, str, int]], local: list[str | None]) -> bool:
    """Withhold the smallest published cell of any row or column with exactly one suppressed cell."""
    changed = False
    for axis in (0, 1):
        groups: dict[str, list[int]] = {}
        for index, cell in enumerate(cells):
            groups.setdefault(cell[axis], []).append(index)
        for members in groups.values():
            hidden = [i for i in members if local[i] is not None]
            shown = [i for i in members if local[i] is None]
            if len(hidden) == 1 and shown:
                local[min(shown, key=lambda i: (cells[i][2], cells[i][1], cells[i][0]))] = COMPLEMENTARY
                changed = True
    return changed


def _protect_all_totals(
    cells: list[tuple[str, str, int]], local: list[str | None], unprotectable: set[int]
) -> bool:
    """Withhold one more cell if some suppressed cell is recoverable from all totals together."""
    hidden = [reason is not None for reason in local]
    exposed = [i for i in recoverable_cells(cells, hidden) if i not in unprotectable]
    if not exposed:
        return False
    target = exposed[0]
    shown = sorted(
        (i for i, flag in enumerate(hidden) if not flag),
        key=lambda i: (cells[i][2], cells[i][1], cells[i][0]),
    )
    for candidate in shown:  # the smallest cell that alone hides the target, else the smallest neighbour
        trial = [flag or i == candidate for i, flag in enumerate(hidden)]
        if target not in recoverable_cells(cells, trial):
            local[candidate] = COMPLEMENTARY
            return True
    neighbours = [i for i in shown if cells[i][0] == cells[target][0] or cells[i][1] == cells[target][1]]
    local[(neighbours or shown)[0]] = COMPLEMENTARY
    return True


def recoverable_cells(cells: list[tuple[str, str, int]], hidden: list[bool]) -> list[int]:
    """Indexes of hidden cells whose value every row and column total of the facility fixes.

    The unknowns are the hidden cells; each row (period) and column (indicator) total gives one linear
    equation over them. A cell is fixed exactly when every solution of the homogeneous system is zero
    at that cell, i.e. its column of the null-space basis vanishes.
    """
    unknown = [i for i, flag in enumerate(hidden) if flag]
    if not unknown:
        return []
    nodes = {
        node: n
        for n, node in enumerate(
            sorted({(0, cells[i][0]) for i in unknown} | {(1, cells[i][1]) for i in unknown})
        )
    }
    matrix = np.zeros((len(nodes), len(unknown)))
    for column, index in enumerate(unknown):
        matrix[nodes[(0, cells[index][0])], column] = 1.0
        matrix[nodes[(1, cells[index][1])], column] = 1.0
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > _TOLERANCE).sum())
    null_space = vt[rank:]
    return [
        index
        for column, index in enumerate(unknown)
        if not np.any(np.abs(null_space[:, column]) > _TOLERANCE)
    ]
