"""Disclosure checks shared by the synthesizer (to reject draws) and the fidelity report (to count).

- a *copy* is a synthetic row equal to some real row on every quasi-identifier, at output granularity
  (a synthetic received date must not be a real case's date for the same country, channel, category);
- a *rare combination* is a whole discretised profile (every column, dates as months) that occurs in
  the real table fewer than k times; a synthetic row must never reproduce one.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sharing.tables import NULL, SynthesisSpec


def _keys(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> pl.Series:
    """One string per row joining ``columns`` (nulls as ``<null>``), for set membership."""
    return frame.select(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null(NULL) for c in columns], separator="\x1f")
    ).to_series()


def copies_on_quasi_identifiers(
    synthetic: pl.DataFrame, real: pl.DataFrame, spec: SynthesisSpec
) -> np.ndarray:
    """Boolean per synthetic row: equal to a real row on all quasi-identifiers."""
    columns = spec.quasi_identifiers
    return _keys(synthetic, columns).is_in(_keys(real, columns).unique()).to_numpy()


def rare_profiles(discrete: pl.DataFrame, k: int) -> pl.Series:
    """The discretised profiles occurring fewer than ``k`` times in the real table."""
    keys = _keys(discrete, discrete.columns)
    counts = keys.value_counts()
    return counts.filter(pl.col("count") < k)[keys.name]


def reproduces(discrete_synthetic: pl.DataFrame, rare: pl.Series) -> np.ndarray:
    """Boolean per synthetic row: its discretised profile is one of ``rare``."""
    return _keys(discrete_synthetic, discrete_synthetic.columns).is_in(rare).to_numpy()
