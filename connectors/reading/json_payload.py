"""The raw payload format and its vectorised encoder and decoder.

A payload is exactly ``json.dumps({header: cell, ...}, ensure_ascii=False)``: keys in file order,
", " and ": " separators, and only the escapes ``json.dumps`` writes (backslash, quote,
\\b \\f \\n \\r \\t, \\u00XX for other control characters). :func:`payload_expr` writes the same
bytes with Polars; :func:`decode_payloads` reads a column of payloads back into cells, but only
after proving every payload is in exactly this form for the given headers (else it returns None and
the caller falls back to ``json.loads`` row by row), so both routes yield identical cells.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

import polars as pl

_SHORT = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
ESCAPED = ["\\", '"', *(chr(code) for code in range(32))]
ESCAPES = ["\\\\", '\\"', *(_SHORT.get(code, f"\\u{code:04x}") for code in range(32))]
NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
_VALUE = r'(?:[^"\\\x00-\x1f]|\\["\\bfnrt]|\\u00[01][0-9a-f])*'
_REGEX_META = set("\\.+*?()|[]{}^$#&-~")
_SEPARATOR = '", "'


def json_key(header: str) -> str:
    """A header as json.dumps writes it (with its quotes)."""
    return json.dumps(header, ensure_ascii=False)


def json_escaped(expr: pl.Expr) -> pl.Expr:
    """The text of a String expression escaped as json.dumps escapes it (without the quotes)."""
    return (
        pl.when(expr.str.contains(NEEDS_ESCAPE)).then(expr.str.replace_many(ESCAPED, ESCAPES)).otherwise(expr)
    )


def payload_expr(
    headers: Sequence[str], columns: Sequence[str], fill_null: bool = False, plain: Collection[str] = ()
) -> pl.Expr:
    """A String expression building the payload of each row from ``columns`` (null cells must be
    filled: ``fill_null=True`` writes them as empty strings; ``plain`` columns are known to need
    no escaping). One concat_str over the fixed pieces and the cells: no per-cell temporaries."""
    if not headers:
        return pl.lit("{}")
    parts: list[pl.Expr] = []
    for piece, column in zip(_pieces(headers), columns, strict=True):
        cell = pl.col(column).fill_null("") if fill_null else pl.col(column)
        parts += [pl.lit(piece), cell if column in plain else json_escaped(cell)]
    return pl.concat_str(*parts, pl.lit('"}'))


def _pieces(headers: Sequence[str]) -> list[str]:
    """The fixed text before each value: '{"h0": "', then '", "h1": "', ..."""
    return [("{" if index == 0 else '", ') + json_key(h) + ': "' for index, h in enumerate(headers)]


def _canonical_regex(headers: Sequence[str]) -> str:
    literal = ["".join("\\" + c if c in _REGEX_META else c for c in piece) for piece in _pieces(headers)]
    return "^" + "".join(piece + _VALUE for piece in literal) + '"\\}$'


def decode_payloads(payloads: pl.Series, headers: Sequence[str]) -> pl.DataFrame | None:
    """Cells of canonical payloads as columns c0, c1, ... (one per header, in order); None when any
    payload is not exactly ``json.dumps`` of those headers (the caller then decodes row by row).

    One regular-expression pass proves the form. In it every raw quote delimits a key or a value,
    so '", "' separates two items unless it starts at an escaped quote or inside a value (or key)
    that is exactly ", ". Rows without either are split on it; the few other rows are cut at the
    first occurrence of each full key piece. Only values holding a backslash are unescaped.
    """
    if not headers or payloads.null_count():
        return None
    frame = pl.DataFrame({"p": payloads})
    if not frame.select(pl.col("p").str.contains(_canonical_regex(headers)).all()).item():
        return None
    frame = frame.with_columns(
        escaped=pl.col("p").str.contains("\\", literal=True),
        tricky=pl.col("p").str.contains_any(['\\"', '": ", "']) | (", " in headers),
    )
    values = frame.select(_by_separator(headers))
    if frame["tricky"].any():
        rows = frame.with_row_index("row").filter("tricky")
        exact = rows.select(_by_piece(headers))
        values = values.with_columns(values[c].scatter(rows["row"], exact[c]) for c in values.columns)
    if frame["escaped"].any():
        escaped = frame["escaped"]
        values = values.with_columns(
            pl.when(escaped).then(pl.col(c).str.replace_many(ESCAPES, ESCAPED)).otherwise(pl.col(c))
            for c in values.columns
        )
    return values


def _by_separator(headers: Sequence[str]) -> list[pl.Expr]:
    """Split on '", "' and cut the fixed key text off each part (fast, views into the parts)."""
    width = len(headers)
    parts = pl.col("p").str.split_exact(_SEPARATOR, width - 1)
    values = []
    for index, piece in enumerate(_pieces(headers)):
        value = parts.struct.field(f"field_{index}").str.slice(len(piece) - (len(_SEPARATOR) if index else 0))
        values.append((value.str.head(-2) if index == width - 1 else value).alias(f"c{index}"))
    return values


def _by_piece(headers: Sequence[str]) -> list[pl.Expr]:
    """Byte ranges between the first occurrences of each full piece (keys are unique)."""
    pieces = _pieces(headers)
    starts = [pl.lit(0, pl.UInt32)] + [pl.col("p").str.find(piece, literal=True) for piece in pieces[1:]]
    ends = [start + len(piece.encode()) for start, piece in zip(starts, pieces, strict=True)]
    stops = starts[1:] + [pl.col("p").str.len_bytes() - 2]
    binary = pl.col("p").cast(pl.Binary)
    return [
        binary.bin.slice(end, stop - end).cast(pl.String).alias(f"c{index}")
        for index, (end, stop) in enumerate(zip(ends, stops, strict=True))
    ]
