"""How common the words two names share are: evidence that weakens as the data grows.

Two records that agree on their names alone (no address vouches for them: either has none, or the
two agree less than `ADDRESS_VOUCHES`; and they are not within `NEAR_KM` of each other) say less the
more firms carry the words they share: "Sari Apparel" with no
address matches every "... Sari Apparel" of its country, and a list of a million records holds far
more of those namesakes than one of ten thousand. This is the term-frequency adjustment of record
linkage (Fellegi-Sunter; Splink's term-frequency adjustments), taken on the *rarest* word the two
core names share:

- `word_counts`: per (country, word of a core name), how many distinct core names of that country
  carry the word (distinct names, so a supplier named on eighty lists counts once per spelling);
- `rarest_shared_count`: per pair, that count for the rarest word both core names hold (1 when they
  share none, e.g. Chinese characters against pinyin: no word evidence to weaken);
- `NameFrequency.logit_shift`: added to the model's log-odds of name-only pairs,
  strength x (intercept + per_doubling x log2(1 + count)), never above 0 (a rare word adds nothing
  the model has not counted) and never below -`largest_penalty`, so however common the words of a
  big supplier's name, a near-identical name is still strong evidence.

The coefficients are fitted on development splits with the model's own log-odds as an offset
(`benchmarks/fit_name_frequency.py`) and stored beside the model's weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

NEAR_KM = 1.0
"""Records closer than this vouch for each other by position: their pair is not name-only."""
ADDRESS_VOUCHES = 0.7
"""Addresses at least this alike (token set ratio, the model's `address_70` level) vouch for a pair."""


@dataclass(frozen=True)
class NameFrequency:
    """The fitted shift of name-only pairs' log-odds by how common their rarest shared word is."""

    intercept: float = 0.0
    per_doubling: float = 0.0
    strength: float = 0.0
    largest_penalty: float = 0.0

    def logit_shift(self, counts: np.ndarray) -> np.ndarray:
        """The shift for pairs whose rarest shared word is carried by `counts` distinct names."""
        raw = self.strength * (self.intercept + self.per_doubling * np.log2(1.0 + counts))
        return np.clip(raw, -self.largest_penalty, 0.0)


def word_counts(records: pl.DataFrame) -> pl.DataFrame:
    """(country_code, word, names): distinct core names of each country carrying each word."""
    names = records.select(pl.col("country_code").fill_null(""), pl.col("core_norm").fill_null("")).unique()
    words = names.with_columns(word=pl.col("core_norm").str.split(" ")).explode("word")
    return (
        words.filter(pl.col("word") != "")
        .unique(["country_code", "core_norm", "word"])
        .group_by("country_code", "word")
        .agg(names=pl.len().cast(pl.Int64))
    )


def name_only(features: pl.DataFrame) -> np.ndarray:
    """Pairs whose only evidence is the names: no address vouching for them (missing on either side,
    or less alike than `ADDRESS_VOUCHES`), no position within `NEAR_KM`, and no shared OS ID."""
    missing = features["address_missing"].to_numpy() > 0
    unlike = features["address_set"].to_numpy() < ADDRESS_VOUCHES
    near = features["distance_km"].fill_null(np.inf).to_numpy() < NEAR_KM
    same_id = features["os_id_match"].to_numpy() > 0
    return (missing | unlike) & ~near & ~same_id


def rarest_shared_count(
    records: pl.DataFrame, left: np.ndarray, right: np.ndarray, counts: pl.DataFrame
) -> np.ndarray:
    """Per pair (record indexes `left`, `right`), the `word_counts` of the rarest word both core names
    share; 1 where they share none."""
    if len(left) == 0:
        return np.zeros(0)
    core = records["core_norm"].fill_null("")
    pairs = pl.DataFrame(
        {
            "pair": np.arange(len(left)),
            "country_code": records["country_code"].fill_null("").gather(left),
            "shared": core.gather(left)
            .str.split(" ")
            .list.set_intersection(core.gather(right).str.split(" ")),
        }
    )
    rarest = (
        pairs.explode("shared")
        .join(counts, left_on=["country_code", "shared"], right_on=["country_code", "word"])
        .group_by("pair")
        .agg(pl.col("names").min())
    )
    found = np.ones(len(left))
    found[rarest["pair"].to_numpy()] = rarest["names"].to_numpy()
    return found
