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

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler


def _tokens(names: list[str]) -> pl.DataFrame:
    """(pair, token) for every token of every name, in name order ("pair" is the name's position)."""
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
    texts = np.asarray([*left, *right], dtype=object)
    return monge_elkan_coded(texts, np.arange(len(left)), np.arange(len(right)) + len(left))


def monge_elkan_coded(texts: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """`monge_elkan` of texts[left[i]] vs texts[right[i]] (`texts` an object array of strings): each
    text is split into words and coded once, however many pairs it is in."""
    words = _coded_words(texts)
    blank = np.fromiter((not text.strip() for text in texts), dtype=bool, count=len(texts))
    equal = (texts[left] == texts[right]) & ~blank[left]
    differ = np.flatnonzero(~equal)
    result = np.tile(equal.astype(np.float64), (4, 1))
    for start in range(0, differ.size, CHUNK):
        chunk = differ[start : start + CHUNK]
        result[:, chunk] = _compared(words, left[chunk], right[chunk])
    return result


@dataclass(frozen=True)
class _CodedWords:
    """The words of many texts as codes into a sorted vocabulary: text t's words (in order) are
    codes[start[t] : start[t] + count[t]]."""

    vocabulary: np.ndarray
    codes: np.ndarray
    start: np.ndarray
    count: np.ndarray


def _coded_words(texts: np.ndarray) -> _CodedWords:
    tokens = _tokens(texts.tolist())
    vocabulary = tokens["token"].unique().sort()
    position = pl.DataFrame({"token": vocabulary}).with_row_index("code")
    codes = (  # each token's index in the sorted vocabulary
        tokens.select("token")
        .join(position, on="token", how="left", maintain_order="left")["code"]
        .cast(pl.Int64)
        .to_numpy()
    )
    count = np.bincount(tokens["pair"].to_numpy(), minlength=len(texts))
    return _CodedWords(np.asarray(vocabulary.to_list(), dtype=object), codes, np.cumsum(count) - count, count)


def _gathered(words: _CodedWords, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, code) of every word of texts[ids[0]], texts[ids[1]], ... in order (owner = position in
    `ids`)."""
    count = words.count[ids]
    owner = np.repeat(np.arange(ids.size), count)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    return owner, words.codes[np.repeat(words.start[ids], count) + offset]


def _compared(words: _CodedWords, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Monge-Elkan in both directions for pairs of coded texts (rows as in `monge_elkan`). Every
    word of a left text is crossed with every word of its right text as integer codes (numpy
    repeats, no joins); each distinct word pair is scored once, the smaller word first."""
    n = left.size
    pair_l, code_l = _gathered(words, left)
    pair_r, code_r = _gathered(words, right)
    if n == 0 or code_l.size == 0 or code_r.size == 0:
        return np.zeros((4, n))
    count_r = np.bincount(pair_r, minlength=n)
    start_r = np.cumsum(count_r) - count_r
    crossings = count_r[pair_l]  # each left token meets every token of its pair's right name
    first = np.cumsum(crossings) - crossings
    a = np.repeat(np.arange(code_l.size), crossings)
    b = np.repeat(start_r[pair_l] - first, crossings) + np.arange(a.size)
    size = np.uint64(len(words.vocabulary))
    low = np.minimum(code_l[a], code_r[b]).astype(np.uint64)
    high = np.maximum(code_l[a], code_r[b]).astype(np.uint64)
    keys, slot = np.unique(low * size + high, return_inverse=True)
    similarity = process.cpdist(
        words.vocabulary[(keys // size).astype(np.int64)],
        words.vocabulary[(keys % size).astype(np.int64)],
        scorer=JaroWinkler.normalized_similarity,
        workers=-1,
        dtype=np.float32,
    )[slot.reshape(-1)].astype(np.float64)
    present_l = crossings > 0
    best_l = np.zeros(code_l.size)
    best_l[present_l] = np.maximum.reduceat(similarity, first[present_l])  # a's rows are contiguous
    best_r = np.zeros(code_r.size)
    np.maximum.at(best_r, b, similarity)
    present_r = np.zeros(code_r.size, dtype=bool)
    present_r[b] = True
    (mean_a, worst_a) = _per_pair(best_l[present_l], pair_l[present_l], n)
    (mean_b, worst_b) = _per_pair(best_r[present_r], pair_r[present_r], n)
    return np.vstack([mean_a, mean_b, worst_a, worst_b])


def _per_pair(best: np.ndarray, owner: np.ndarray, pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the mean and the minimum of its tokens' best similarities (`owner` is sorted: each
    pair's tokens are contiguous, in name order, and summed in that order)."""
    total = np.bincount(owner, weights=best, minlength=pairs)
    count = np.bincount(owner, minlength=pairs)
    worst = np.ones(pairs)
    if owner.size:
        starts = np.flatnonzero(np.diff(owner, prepend=-1))
        worst[owner[starts]] = np.minimum(1.0, np.minimum.reduceat(best, starts))
    return np.divide(total, count, out=np.zeros(pairs), where=count > 0), np.where(count > 0, worst, 0.0)
