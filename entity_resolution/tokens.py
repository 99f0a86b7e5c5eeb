"""Soft token-set comparison of names (Monge-Elkan), vectorised over many pairs at once.

For a pair of names A and B, `forward` is the mean over A's tokens of the best Jaro-Winkler similarity
to any token of B, and `backward` the same from B to A. Unlike an exact token set, a typo in one token
("hoxtef" / "hotxer") or a dropped word costs only that token; unlike a whole-string ratio, word order
does not matter. min(forward, backward) is a symmetric similarity; max(forward, backward) is high when
one name is (softly) contained in the other ("Calpine Pastoria Energy Facility" / "Pastoria").
Tokens are dictionary-encoded as integers, the token pairs of every name pair are crossed as
integers, and each distinct token pair is scored once with `rapidfuzz.process.cpdist`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler


def _tokens(names: list[str]) -> pl.DataFrame:
    """(pair, token) for every token of every name, in pair order."""
    return (
        pl.DataFrame({"token": names}, schema={"token": pl.String})
        .with_row_index("pair")
        .with_columns(pl.col("token").str.split(" "))
        .explode("token")
        .filter(pl.col("token").is_not_null() & (pl.col("token") != ""))
    )


CHUNK = 200_000
"""Name pairs compared at once (bounds the memory of the crossed token pairs)."""


def monge_elkan(left: list[str], right: list[str]) -> np.ndarray:
    """Soft token similarities (0-1) of left[i] vs right[i], as rows: forward mean, backward mean,
    forward worst, backward worst (the worst is the lowest best-match of any one word: a distinctive
    word with no counterpart). 0 for empty names; equal names score 1 without token comparisons."""
    equal = np.array([a == b and bool(a.strip()) for a, b in zip(left, right, strict=True)], dtype=bool)
    differ = np.flatnonzero(~equal)
    result = np.tile(equal.astype(np.float64), (4, 1))
    for start in range(0, differ.size, CHUNK):
        chunk = differ[start : start + CHUNK]
        result[:, chunk] = _compared([left[i] for i in chunk], [right[i] for i in chunk])
    return result


def _compared(left: list[str], right: list[str]) -> np.ndarray:
    """Monge-Elkan in both directions for aligned lists of names (rows as in `monge_elkan`)."""
    n = len(left)
    tokens_l, tokens_r = _tokens(left), _tokens(right)
    if n == 0 or tokens_l.height == 0 or tokens_r.height == 0:
        return np.zeros((4, n))
    vocabulary = pl.concat([tokens_l["token"], tokens_r["token"]]).unique().sort()
    code = pl.DataFrame({"token": vocabulary}).with_row_index("code")
    encoded_l = tokens_l.join(code, on="token").select("pair", "code").with_row_index("a")
    encoded_r = tokens_r.join(code, on="token").select("pair", "code").with_row_index("b")
    size = vocabulary.len()
    crossed = encoded_l.join(encoded_r, on="pair", suffix="_b").select(
        "pair",
        "a",
        "b",
        key=pl.min_horizontal("code", "code_b").cast(pl.UInt64) * size + pl.max_horizontal("code", "code_b"),
    )
    distinct = crossed.select(pl.col("key").unique()).with_row_index("slot")
    keys = distinct["key"].to_numpy()
    words = np.asarray(vocabulary.to_list(), dtype=object)
    similarity = process.cpdist(
        words[keys // size],
        words[keys % size],
        scorer=JaroWinkler.normalized_similarity,
        workers=-1,
        dtype=np.float32,
    )
    slot = crossed.join(distinct, on="key", how="left", maintain_order="left")["slot"].to_numpy()
    scored = crossed.select("pair", "a", "b").with_columns(similarity=pl.Series(similarity[slot]))
    (mean_a, worst_a), (mean_b, worst_b) = _best(scored, "a", n), _best(scored, "b", n)
    return np.vstack([mean_a, mean_b, worst_a, worst_b])


def _best(scored: pl.DataFrame, side: str, pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the mean and the minimum over `side`'s tokens of each token's best similarity
    (numpy scatter operations)."""
    token = scored[side].to_numpy()
    best = np.zeros(int(token.max()) + 1)
    np.maximum.at(best, token, scored["similarity"].to_numpy().astype(np.float64))
    owner = np.zeros(best.size, dtype=np.int64)
    owner[token] = scored["pair"].to_numpy()
    present = np.zeros(best.size, dtype=bool)
    present[token] = True
    total = np.bincount(owner[present], weights=best[present], minlength=pairs)
    count = np.bincount(owner[present], minlength=pairs)
    worst = np.ones(pairs)
    np.minimum.at(worst, owner[present], best[present])
    return np.divide(total, count, out=np.zeros(pairs), where=count > 0), np.where(count > 0, worst, 0.0)
