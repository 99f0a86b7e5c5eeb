"""Vectorised text slips for the supplier world: abbreviations, diacritics folded, keyboard-style typos.

Each function maps a Polars string expression (or a frame subset) to its varied form without a Python
loop per row, so a million records render in seconds. They never change what a value identifies: an
abbreviation is swapped only for its own full form, a typo touches one letter.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from benchmarks.er.vocabulary import ABBREVIATIONS

EXTRA_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("Limited", "Ltd"),
    ("Private", "Pvt"),
    ("Caddesi", "Cad"),
    ("Sokak", "Sok"),
    ("Mahallesi", "Mah"),
    ("Sanayi", "San"),
    ("Ticaret", "Tic"),
    ("Special Economic Zone", "SEZ"),
    ("Economic and Technological Development Zone", "ETDZ"),
    ("Organize Sanayi Bölgesi", "OSB"),
    ("Industrial Estate", "I/E"),
    ("Import and Export", "Imp & Exp"),
)
PINYIN_ROADS = (("Road", "Lu"), ("Street", "Jie"), ("Avenue", "Dadao"), ("District", "Qu"), ("Town", "Zhen"))
TYPO_LETTERS = "aeiounrstlhd"


@cache
def _pairs() -> tuple[tuple[str, str], ...]:
    both = dict((*ABBREVIATIONS, *EXTRA_ABBREVIATIONS))
    return tuple(sorted(both.items(), key=lambda pair: -len(pair[0])))


def abbreviate(expr: pl.Expr, direction: str, dot: bool) -> pl.Expr:
    """Abbreviate ("Company" -> "Co.") or expand ("Co" -> "Company") the words of the abbreviation
    tables, case-insensitively; the result is in the table's case (a later case habit applies)."""
    suffix = "." if dot else ""
    for full, short in _pairs():
        if direction == "abbreviate":
            expr = expr.str.replace_all(rf"(?i)\b{re.escape(full)}\b", short + suffix)
        else:
            expr = expr.str.replace_all(rf"(?i)\b{re.escape(short)}\b\.?", full)
    return expr


def pinyin_roads(expr: pl.Expr) -> pl.Expr:
    """Road words in pinyin as many Chinese addresses write them: "Renmin Road" -> "Renmin Lu"."""
    for english, pinyin in PINYIN_ROADS:
        expr = expr.str.replace_all(rf"\b{english}\b", pinyin)
    return expr


def fold(expr: pl.Expr) -> pl.Expr:
    """Diacritics removed ("Việt Thành" -> "Viet Thanh", "Örme" -> "Orme"); other scripts untouched."""
    return (
        expr.str.replace_all("Đ", "D", literal=True)
        .str.replace_all("đ", "d", literal=True)
        .str.replace_all("ı", "i", literal=True)
        .str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
    )


def change_case(expr: pl.Expr, mode: pl.Expr) -> pl.Expr:
    """keep, upper, lower or title case, chosen per row by `mode`."""
    return (
        pl.when(mode == "upper")
        .then(expr.str.to_uppercase())
        .when(mode == "lower")
        .then(expr.str.to_lowercase())
        .when(mode == "title")
        .then(expr.str.to_titlecase())
        .otherwise(expr)
    )


def typo(expr: pl.Expr, position: pl.Expr, kind: pl.Expr, letter: pl.Expr) -> pl.Expr:
    """One slip at a relative `position` (0-1) past the first letter: a letter dropped (kind < 0.3),
    doubled (< 0.55), swapped with the next (< 0.8) or replaced by a common letter; `letter` (0-1)
    picks the replacement."""
    length = expr.str.len_chars().cast(pl.Int64)
    at = (1 + (position * (length - 2).clip(0)).floor().cast(pl.Int64)).clip(0, (length - 1).clip(0))
    head, here, after = expr.str.slice(0, at), expr.str.slice(at, 1), expr.str.slice(at + 1)
    replacement = pl.lit(TYPO_LETTERS).str.slice((letter * len(TYPO_LETTERS)).floor().cast(pl.Int64), 1)
    return (
        pl.when(length < 4)
        .then(expr)
        .when(kind < 0.3)
        .then(pl.concat_str(head, after))
        .when(kind < 0.55)
        .then(pl.concat_str(head, here, here, after))
        .when(kind < 0.8)
        .then(pl.concat_str(head, after.str.slice(0, 1), here, after.str.slice(1)))
        .otherwise(pl.concat_str(head, replacement, after))
    )


def by_habit(frame: pl.DataFrame, habits: list[str], column: str, ways: dict) -> pl.DataFrame:
    """Rewrite `column` on each subset of rows sharing the values of `habits` with that key's function
    (expr -> expr; keys are tuples of habit values), so costly rewrites run only on the rows that need
    them; row order is kept."""
    narrow = frame.select(*habits, column).with_row_index("_order")
    parts = []
    for key, rows in narrow.partition_by(habits, as_dict=True, maintain_order=True).items():
        way = ways.get(key)
        parts.append(rows.with_columns(way(pl.col(column)).alias(column)) if way else rows)
    return frame.with_columns(pl.concat(parts).sort("_order")[column])
