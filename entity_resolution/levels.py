"""Comparison levels: the model's inputs, derived from the raw pair features.

Like Splink's comparison levels, each raw similarity is cut into named levels (indicator columns),
and the name and address levels are crossed, so the model can learn that an identical address
vouches for a name spelled differently, or that a near-identical name without an address is weaker
evidence than with one. A few continuous features are kept beside the levels. `LEVEL_FEATURES`
lists every column the model weighs, in a fixed order.
"""

from __future__ import annotations

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


def _level(value: pl.Expr, cuts: tuple[tuple[str, float], ...], low: str, descending: bool = True) -> pl.Expr:
    """The name of the first cut `value` reaches (>= when descending, < when ascending), else `low`."""
    expr = pl.when(value >= cuts[0][1] if descending else value < cuts[0][1]).then(pl.lit(cuts[0][0]))
    for name, cut in cuts[1:]:
        expr = expr.when(value >= cut if descending else value < cut).then(pl.lit(name))
    return expr.otherwise(pl.lit(low))


def level_matrix(features: pl.DataFrame) -> pl.DataFrame:
    """One Float64 column per entry of `LEVEL_FEATURES`, from a frame of raw pair features."""
    best_name = pl.max_horizontal("name_set", "name_core_sort", "name_compact")
    name = _level(best_name, NAME_CUTS, "name_low")
    address = (
        pl.when(pl.col("address_missing") > 0)
        .then(pl.lit("address_missing"))
        .otherwise(_level(pl.col("address_set"), ADDRESS_CUTS, "address_low"))
    )
    geo = (
        pl.when(pl.col("distance_km").is_null())
        .then(pl.lit("geo_missing"))
        .otherwise(_level(pl.col("distance_km"), GEO_CUTS, "geo_far", descending=False))
    )
    order = _level(pl.max_horizontal("name_sort", "name_jaro"), SORT_CUTS, "order_low")
    levels = features.select(
        pl.col(CONTINUOUS).cast(pl.Float64), name=name, address=address, geo=geo, order=order
    )
    crossed = pl.concat_str("name", "address", separator="__")
    geo_crossed = pl.concat_str("name", "geo", separator="__")
    return levels.select(
        *CONTINUOUS,
        *[(pl.col("order") == o).cast(pl.Float64).alias(o) for o in ORDER_LEVELS[:-1]],
        *[(pl.col("geo") == g).cast(pl.Float64).alias(g) for g in GEO_LEVELS],
        *[(crossed == c).cast(pl.Float64).alias(c) for c in CROSSED],
        *[(geo_crossed == c).cast(pl.Float64).alias(c) for c in GEO_CROSSED],
    )
