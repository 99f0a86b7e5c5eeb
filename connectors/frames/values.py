"""Vectorised twins of the row-level value helpers, each provably equal to its Python original.

``raw_cell``, ``clean_text`` and ``split_multi`` use exactly the whitespace Python's ``str.split()``
and ``str.strip()`` use (Unicode White_Space plus U+001C..U+001F; a test compares every code
point). Anything not expressible exactly in Polars is computed by the Python function itself, once
per distinct value (:func:`per_distinct`). OS ID check characters are computed in Polars only to
let valid canonical IDs skip Python; every other ID goes through ``ids.os_id_problem``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from connectors.ids import CROCKFORD_BASE32
from connectors.parsing import MOJIBAKE, MULTI_VALUE_SEPARATOR, repaired

WHITESPACE_RUN = r"[\s\x1c-\x1f]+"
BLANK = r"^[\s\x1c-\x1f]*$"
SIMPLE_DECIMAL = r"^-?[0-9]{1,3}(?:\.[0-9]{1,17})?$"
_SYMBOL = f"[{CROCKFORD_BASE32}]"
CANONICAL_OS_ID = rf"^[A-Z]{{2}}[0-9]{{7}}{_SYMBOL}{{6}}$"
_LETTERS = {chr(code): code for code in range(ord("A"), ord("Z") + 1)}
_VALUES = {symbol: index for index, symbol in enumerate(CROCKFORD_BASE32)}


def raw_cell(column: str) -> pl.Expr:
    """``RawRow.raw``: the cell as received, null when absent or blank."""
    return pl.when(pl.col(column).str.contains(BLANK)).then(None).otherwise(pl.col(column)).alias(column)


def repaired_series(texts: pl.Series) -> pl.Series:
    """``parsing.repaired`` of each text of a String series (nulls kept), calling ftfy only on the few
    texts that look mis-decoded."""
    suspect = texts.str.contains(MOJIBAKE.pattern).fill_null(False)
    if not suspect.any():
        return texts
    rows = suspect.arg_true()
    fixed = pl.Series([repaired(text) for text in texts.gather(rows).to_list()], dtype=pl.String)
    return texts.scatter(rows, fixed)


def clean_text(expr: pl.Expr) -> pl.Expr:
    """``parsing.clean_text``: mojibake repaired, whitespace runs collapsed to one space, trimmed; null
    when empty."""
    text = (
        expr.map_batches(repaired_series, return_dtype=pl.String)
        .str.replace_all(WHITESPACE_RUN, " ")
        .str.strip_chars(" ")
    )
    return pl.when(text == "").then(None).otherwise(text)


def split_multi(expr: pl.Expr) -> pl.Expr:
    """``parsing.split_multi``: "|"-separated values, cleaned, empty ones dropped; null when none."""
    parts = expr.str.split(MULTI_VALUE_SEPARATOR).list.eval(
        pl.element().str.replace_all(WHITESPACE_RUN, " ").str.strip_chars(" ")
    )
    kept = parts.list.eval(pl.element().filter(pl.element() != ""))
    return pl.when(kept.list.len() > 0).then(kept).otherwise(None)


def per_distinct(
    values: pl.Series,
    function: Callable[[str], Sequence[object]],
    schema: dict[str, pl.DataType],
    candidates: pl.Series | None = None,
) -> pl.DataFrame:
    """Call ``function`` once per distinct non-null value (only where ``candidates`` is true) and
    return its results aligned with ``values`` (one column per ``schema`` entry; null elsewhere)."""
    pool = values if candidates is None else values.filter(candidates.fill_null(False))
    keys = pool.drop_nulls().unique(maintain_order=True)
    results = [tuple(function(key)) for key in keys.to_list()]
    table = pl.DataFrame(
        {"key": keys, **{name: [row[i] for row in results] for i, name in enumerate(schema)}},
        schema={"key": pl.String, **schema},
    )
    if candidates is not None:
        values = pl.select(pl.when(candidates.fill_null(False)).then(values)).to_series()
    return pl.DataFrame({"key": values}).join(table, on="key", how="left", maintain_order="left").drop("key")


def map_distinct(values: pl.Series, expr: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """``expr`` applied once per distinct value of ``values`` and joined back (same order)."""
    table = pl.DataFrame({"key": values.unique()}).with_columns(expr(pl.col("key")).alias("value"))
    joined = pl.DataFrame({"key": values}).join(
        table, on="key", how="left", maintain_order="left", nulls_equal=True
    )
    return joined["value"].alias(values.name)


def os_id_valid(os_id: pl.Expr) -> pl.Expr:
    """True for an OS ID that ``ids.is_valid_os_id`` accepts (pattern, base-32 body, check
    character: ord of the two country letters + base-32 values of the next 12, modulo 32).
    A test compares this with ``is_valid_os_id`` on random IDs, so a change of scheme shows up."""
    country = [
        os_id.str.slice(i, 1).replace_strict(_LETTERS, default=0, return_dtype=pl.Int64) for i in (0, 1)
    ]
    body = [
        os_id.str.slice(i, 1).replace_strict(_VALUES, default=0, return_dtype=pl.Int64) for i in range(2, 14)
    ]
    expected = (pl.sum_horizontal(*country, *body) % len(CROCKFORD_BASE32)).replace_strict(
        dict(enumerate(CROCKFORD_BASE32)), default="", return_dtype=pl.String
    )
    return os_id.str.contains(CANONICAL_OS_ID) & (os_id.str.slice(14, 1) == expected)
