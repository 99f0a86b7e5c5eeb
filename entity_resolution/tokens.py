"""Soft token-set comparison of names (Monge-Elkan), vectorised over many pairs at once.

For a pair of names A and B, `forward` is the mean over A's tokens of the best Jaro-Winkler similarity
to any token of B, and `backward` the same from B to A. Unlike an exact token set, a typo in one token
("hoxtef" / "hotxer") or a dropped word costs only that token; unlike a whole-string ratio, word order
does not matter. min(forward, backward) is a symmetric similarity; max(forward, backward) is high when
one name is (softly) contained in the other ("Calpine Pastoria Energy Facility" / "Pastoria").
Token pairs are exploded in Polars and scored with `rapidfuzz.process.cpdist`, each distinct token
pair once.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler


def _tokens(names: list[str], side: str) -> pl.DataFrame:
    """(pair, position, token) for every token of every name."""
    return (
        pl.DataFrame({"token": names}, schema={"token": pl.String})
        .with_row_index("pair")
        .with_columns(pl.col("token").str.split(" "))
        .explode("token")
        .filter(pl.col("token").is_not_null() & (pl.col("token") != ""))
        .with_row_index(side)
    )


def monge_elkan(left: list[str], right: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(forward, backward) soft token similarities (0-1) of left[i] vs right[i]; 0 for empty names."""
    n = len(left)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    crossed = _tokens(left, "a").join(_tokens(right, "b"), on="pair", suffix="_b")
    distinct = crossed.select("token", "token_b").unique()
    similarity = process.cpdist(
        distinct["token"].to_list(),
        distinct["token_b"].to_list(),
        scorer=JaroWinkler.normalized_similarity,
        workers=-1,
        dtype=np.float32,
    )
    scored = crossed.select("pair", "a", "b", "token", "token_b").join(
        distinct.with_columns(similarity=pl.Series(similarity, dtype=pl.Float32)),
        on=["token", "token_b"],
    )
    return _mean_of_best(scored, "a", n), _mean_of_best(scored, "b", n)


def _mean_of_best(scored: pl.DataFrame, side: str, pairs: int) -> np.ndarray:
    """Per pair, the mean over `side`'s tokens of each token's best similarity (numpy scatter ops)."""
    token = scored[side].to_numpy()
    best = np.zeros(int(token.max()) + 1 if token.size else 0)
    np.maximum.at(best, token, scored["similarity"].to_numpy().astype(np.float64))
    owner = np.zeros(best.size, dtype=np.int64)
    owner[token] = scored["pair"].to_numpy()
    present = np.zeros(best.size, dtype=bool)
    present[token] = True
    total = np.bincount(owner[present], weights=best[present], minlength=pairs)
    count = np.bincount(owner[present], minlength=pairs)
    return np.divide(total, count, out=np.zeros(pairs), where=count > 0)
