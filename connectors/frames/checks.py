"""Vectorised problem bookkeeping for one facility-list file (one header set), as the row path does it.

:class:`FileChecks` holds the file's cells and the problems found so far. Like the row path it
reports at most one problem per column of a row (a check skips cells whose column already failed)
and adds the file's own header to the message when it differs from the canonical name, as
``Rejections.add`` does. Checks rank their problems so that sorting by (row, rank) gives the row
path's order: cell checks in file column order, then required fields, then field content,
coordinates and is_closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from connectors import cell_checks
from connectors.frames.values import BLANK, per_distinct, raw_cell
from connectors.headers import HeaderMap

PROBLEM_SCHEMA = pl.Schema(
    {
        "position": pl.UInt32,
        "rank": pl.Int32,
        "column_name": pl.String,
        "reason_code": pl.String,
        "message": pl.String,
    }
)
REQUIRED_RANK, CONTENT_RANK, COORDINATE_RANK, CLOSED_RANK = 1000, 2000, 3000, 4000
FORMULA_PREFILTER = r"^[\t\r]*[=@+\-]"
PLAIN_NEGATIVE_NUMBER = r"^-[0-9]+(?:\.[0-9]+)?$"
VERDICT = {"reason_code": pl.String, "message": pl.String}
Check = Callable[[str], Sequence[object]]


def raw_cells(cells: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Replace each of ``columns`` by its ``RawRow.raw`` value (blank cells become null)."""
    return cells.with_columns(raw_cell(column) for column in columns)


@dataclass
class FileChecks:
    """Cells of one file (``__position`` plus one String column per header: the canonical name for
    known headers, ``__x<index>`` for unknown ones) and the problems found so far."""

    cells: pl.DataFrame
    header_map: HeaderMap
    columns: list[str]  # internal column name per header, in file order
    problems: list[pl.DataFrame] = field(default_factory=list)
    failed: dict[str, pl.Series] = field(default_factory=dict)

    def suffix(self, column: str | None) -> str:
        """What ``Rejections.add`` appends to a message: the file's header when it differs."""
        original = self.header_map.original(column) if column else None
        return f" (file column {original!r})" if original is not None and original != column else ""

    def value(self, column: str | None) -> pl.Series:
        """``RawRow.raw`` for a canonical column: null when the file lacks it or the cell is blank
        (known columns hold raw values already, see :func:`raw_cells`)."""
        if column is None or column not in self.cells.columns:
            return pl.repeat(None, self.cells.height, dtype=pl.String, eager=True).alias(column or "")
        return self.cells[column]

    def ok(self, *columns: str | None) -> pl.Series:
        """Rows where none of ``columns`` has failed a check yet."""
        passed = pl.repeat(True, self.cells.height, eager=True)
        for column in columns:
            if column in self.failed:
                passed = passed & ~self.failed[column]
        return passed

    def report(self, mask: pl.Series, rank: int, column: str | None, reason: object, message: object) -> None:
        """Record a problem for the rows of ``mask``; ``reason`` / ``message``: str or aligned Series."""
        mask = mask.fill_null(False)
        if not mask.any():
            return
        frame = pl.DataFrame(
            {"position": self.cells["__position"], "reason_code": reason, "message": message}
        )
        self.problems.append(
            frame.filter(mask).select(
                "position",
                pl.lit(rank, pl.Int32).alias("rank"),
                pl.lit(column, pl.String).alias("column_name"),
                pl.col("reason_code").cast(pl.String),
                pl.col("message").cast(pl.String) + self.suffix(column),
            )
        )
        if column is not None:
            self.failed[column] = (self.failed[column] | mask) if column in self.failed else mask

    def cell_checks(self, limits: dict[str, int]) -> None:
        """spreadsheet_formula, else value_too_long, for every non-blank cell, in file column order."""
        for rank, (header, column) in enumerate(zip(self.header_map.headers, self.columns, strict=True)):
            label = self.header_map.canonical.get(header, header)
            limit = limits.get(label, cell_checks.CELL_LIMIT)
            values = self.cells[column]
            known = header in self.header_map.canonical  # known columns are raw already (blank = null)
            nonblank = values.is_not_null() if known else ~values.str.contains(BLANK)
            candidates = (
                nonblank
                & values.str.contains(FORMULA_PREFILTER)
                & ~values.str.contains(PLAIN_NEGATIVE_NUMBER)
            ).fill_null(False)
            if candidates.any():
                check = lambda v: (cell_checks.looks_like_formula(v),)  # noqa: E731
                formula = per_distinct(values, check, {"formula": pl.Boolean}, candidates)["formula"]
                self.report(formula, rank, label, "spreadsheet_formula", cell_checks.formula_message(label))
            length = values.str.len_chars()
            too_long = nonblank & (length > limit) & self.ok(label)  # not if it is a formula
            if too_long.fill_null(False).any():
                message = f"{label} is " + length.cast(pl.String) + f" characters long; the limit is {limit}"
                self.report(too_long, rank, label, "value_too_long", message)

    def required(self, fields: Sequence[str], required: tuple[str, ...]) -> None:
        """missing_required for each required facility field whose cell is empty or absent."""
        for rank, column in enumerate(fields, start=REQUIRED_RANK):
            if column not in required:
                continue
            detail = "is missing from the file header" if column in self.header_map.missing else "is empty"
            message = f"required column {column!r} {detail}"
            self.report(self.value(column).is_null(), rank, column, "missing_required", message)

    def verdicts(
        self,
        column: str,
        rank: int,
        check: Check,
        schema: dict[str, pl.DataType],
        candidates: pl.Series | None = None,
    ) -> pl.DataFrame:
        """Run ``check(value)`` (a tuple matching ``schema``, which includes reason_code and message)
        once per distinct non-blank value of a column that has not failed yet, report the problems
        it finds, and return all its result columns aligned with the rows (null elsewhere)."""
        values = self.value(column)
        active = values.is_not_null() & self.ok(column)
        if candidates is not None:
            active = active & candidates.fill_null(False)
        results = per_distinct(values, check, schema, active)
        self.report(
            results["reason_code"].is_not_null(), rank, column, results["reason_code"], results["message"]
        )
        return results

    def frame(self) -> pl.DataFrame:
        """All problems found, in no particular order (sort by position, rank)."""
        return pl.concat(self.problems) if self.problems else PROBLEM_SCHEMA.to_frame()
