"""Comparison levels: the model's inputs, derived from the raw pair features.

Like Splink's comparison levels, each raw similarity is cut into named levels (indicator columns),
and the name level is crossed with the address level and with the geographic level, so the model
can learn that an identical address or a position a few hundred metres away vouches for a name
spelled differently, or that a near-identical name without an address is weaker evidence than with
one. A few continuous features are kept beside the levels. `LEVEL_FEATURES` lists every column the
model weighs, in a fixed order. Levels are computed as integer codes and one-hot encoded in numpy.
"""

from __future__ import annotations

import numpy as np
import polars as pl

NAME_CUTS = (
    ("name_exact", 0.99),
    ("name_95", 0.95),
    ("name_90", 0.90),
    ("name_85", 0.85),
    ("name_80", 0.80),
    ("name_70", 0.70),
)
ADDRESS_CUTS = (("address_95", 0.95), ("address_85", 0.85), ("address_70", 0.70), ("address_50", 0.50))
GEO_CUTS = (("geo_0_2km", 0.2), ("geo_1km", 1.0), ("geo_5km", 5.0), ("geo_50km", 50.0))
CONTINUOUS = (
    "name_sort",
    "name_jaro",
    "name_set",
    "name_core_sort",
    "name_compact",
    "name_wratio",
    "name_soft_min",
    "name_soft_max",
    "name_worst_max",
    "name_worst_min",
    "single_token_name",
    "number_conflict",
    "number_one_sided",
    "address_number_conflict",
)
SORT_CUTS = (("order_95", 0.95), ("order_85", 0.85), ("order_70", 0.70))
ORDER_LEVELS = (*[name for name, _ in SORT_CUTS], "order_low")
NAME_LEVELS = (*[name for name, _ in NAME_CUTS], "name_low")
ADDRESS_LEVELS = ("address_missing", *[name for name, _ in ADDRESS_CUTS], "address_low")
GEO_LEVELS = ("geo_missing", *[name for name, _ in GEO_CUTS], "geo_far")
CROSSED = tuple(f"{n}__{a}" for n in NAME_LEVELS for a in ADDRESS_LEVELS)
GEO_CROSSED = tuple(f"{n}__{g}" for n in NAME_LEVELS for g in GEO_LEVELS)
LEVEL_FEATURES = (*CONTINUOUS, *ORDER_LEVELS[:-1], *GEO_LEVELS, *CROSSED, *GEO_CROSSED)


def _level(value: np.ndarray, cuts: tuple[tuple[str, float], ...], descending: bool = True) -> np.ndarray:
    """Index of the first cut `value` reaches (>= when descending, < when ascending), else len(cuts)."""
    index = np.full(value.shape, len(cuts), dtype=np.int64)
    for position, (_, cut) in reversed(list(enumerate(cuts))):
        index[value >= cut if descending else value < cut] = position
    return index


def _one_hot(index: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((index.size, width))
    out[np.arange(index.size), index] = 1.0
    return out


def level_matrix(features: pl.DataFrame) -> pl.DataFrame:
    """One Float64 column per entry of `LEVEL_FEATURES`, from a frame of raw pair features."""
    return pl.DataFrame(level_array(features), schema=list(LEVEL_FEATURES), orient="row")


def level_codes(features: pl.DataFrame) -> tuple[np.ndarray, list[np.ndarray]]:
    """The continuous columns (pairs x `CONTINUOUS`) and, per one-hot block of `LEVEL_FEATURES`
    (order, geo, name x address, name x geo), each pair's level index within that block."""
    used = {"name_set", "name_core_sort", "name_compact", "address_missing", "address_set", *CONTINUOUS}
    column = {name: features[name].cast(pl.Float64).to_numpy() for name in used}
    best_name = np.maximum.reduce([column["name_set"], column["name_core_sort"], column["name_compact"]])
    name = _level(best_name, NAME_CUTS)
    address = np.where(column["address_missing"] > 0, 0, 1 + _level(column["address_set"], ADDRESS_CUTS))
    distance = features["distance_km"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    geo = np.where(np.isnan(distance), 0, 1 + _level(np.nan_to_num(distance), GEO_CUTS, descending=False))
    order = _level(np.maximum(column["name_sort"], column["name_jaro"]), SORT_CUTS)
    continuous = np.column_stack([column[name] for name in CONTINUOUS])
    return continuous, [order, geo, name * len(ADDRESS_LEVELS) + address, name * len(GEO_LEVELS) + geo]


BLOCK_WIDTHS = (len(ORDER_LEVELS), len(GEO_LEVELS), len(CROSSED), len(GEO_CROSSED))
"""Widths of the one-hot blocks; the order block drops its last level (the baseline)."""


def level_array(features: pl.DataFrame) -> np.ndarray:
    """The model's input matrix (for fitting): one column per entry of `LEVEL_FEATURES`, one row per pair."""
    continuous, codes = level_codes(features)
    blocks = [_one_hot(code, width) for code, width in zip(codes, BLOCK_WIDTHS, strict=True)]
    return np.hstack([continuous, blocks[0][:, :-1], *blocks[1:]])


def linear_score(features: pl.DataFrame, weights: np.ndarray) -> np.ndarray:
    """levels . weights without building the wide one-hot matrix: continuous columns times their
    weights plus, per one-hot block, the weight of each pair's level (looked up by index)."""
    continuous, codes = level_codes(features)
    score = continuous @ weights[: len(CONTINUOUS)]
    start = len(CONTINUOUS)
    for position, (code, width) in enumerate(zip(codes, BLOCK_WIDTHS, strict=True)):
        used = width - 1 if position == 0 else width  # the order block has no column for its baseline
        score += np.append(weights[start : start + used], 0.0)[code]
        start += used
    return score
