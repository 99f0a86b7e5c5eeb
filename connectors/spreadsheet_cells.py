"""Text cells written for spreadsheets, made safe to open: one rule for every file flrisk writes that a
person may open in Excel or LibreOffice (`flrisk export`, `flrisk resolve --out x.csv`, the quarantine
listing).

A text cell a spreadsheet could read as a formula — one starting with `=`, `+`, `-` or `@`, or with
a tab or carriage return (OWASP's CSV-injection list) — is prefixed with a single quote, so it shows
as text and never runs. One exception: a plain decimal number with a sign ("-12", "+3.5") is kept as
written. A spreadsheet reads it as that number and nothing runs, and a program reading the file gets
the value back exactly (a record id "-12" still joins its input row); anything more ("-2+3", "-1e5",
"-12 "), is quoted. Numbers, dates and booleans in typed columns are never touched.

The reading side's check (`connectors.cell_checks.looks_like_formula`) is a different rule on
purpose: it refuses incoming cells and so fires only on what cannot be data; this one protects the
reader of a file and quotes whatever might compute.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)  # fullmatch: Python's `$` also matches before a final newline


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet may show it: quoted text when it could run as a formula (module
    docstring), anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_text(column: pl.Expr) -> pl.Expr:
    """`safe_cell` over a text column."""
    trigger = pl.lit(False)
    for prefix in FORMULA_TRIGGERS:
        trigger = trigger | column.str.starts_with(prefix)
    trigger = trigger & ~column.str.contains(f"^{PLAIN_NUMBER}$")  # Rust regex: `$` is the very end
    return pl.when(trigger).then(pl.lit("'") + column).otherwise(column)


def neutralise(frame: pl.DataFrame, flatten_lists: bool) -> pl.DataFrame:
    """Every text cell of `frame` made safe; list columns joined with '; ' first when `flatten_lists`
    (CSV, XLSX), else their text items made safe one by one (Parquet)."""
    expressions = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.List) and flatten_lists:
            joined = column.list.eval(pl.element().cast(pl.String)).list.join("; ")
            expressions.append(neutralise_text(joined).alias(name))
        elif isinstance(dtype, pl.List) and dtype.inner == pl.String:
            expressions.append(column.list.eval(neutralise_text(pl.element())).alias(name))
        elif dtype == pl.String:
            expressions.append(neutralise_text(column).alias(name))
        else:
            expressions.append(column)
    return frame.select(expressions)
