"""Blocking: declarative passes that turn records into candidate pairs without comparing all pairs.

Each pass maps a record to zero or more blocking keys; records sharing a key become candidate
pairs. Passes: exact OS ID; country + rare name token; country + rare address token; country +
geographic cell. A key shared by more than `max_block_size` records is too common to be evidence and
is dropped (its pairs would mostly be non-matches), which also bounds the work per block.
"""

from __future__ import annotations

import polars as pl

from entity_resolution.settings import ResolutionSettings

STOP_TOKENS = frozenset(
    [
        "and",
        "the",
        "of",
        "garment",
        "apparel",
        "textile",
        "factory",
        "industrial",
        "industry",
        "manufacturing",
        "group",
        "international",
        "road",
        "street",
        "district",
        "province",
        "city",
        "village",
        "zone",
        "number",
        "building",
        "floor",
        "town",
        "county",
        "area",
        "park",
        "development",
        "economic",
    ]
)


def blocking_keys(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """One row per (record index, pass, key); `records` holds the prepared comparison columns."""
    base = records.select("idx", "country_code", "os_id", "name_norm", "address_norm", "lat", "lng")
    by_os_id = base.filter(pl.col("os_id").is_not_null()).select(
        "idx", pl.lit("os_id").alias("pass"), pl.col("os_id").alias("key")
    )
    by_name = _token_keys(base, "name_norm", "name_token")
    by_address = _token_keys(base, "address_norm", "address_token")
    cell = settings.geo_cell_degrees
    by_geo = base.filter(pl.col("lat").is_not_null() & pl.col("lng").is_not_null()).select(
        "idx",
        pl.lit("geo_cell").alias("pass"),
        pl.concat_str(
            "country_code",
            (pl.col("lat") / cell).floor().cast(pl.Int64),
            (pl.col("lng") / cell).floor().cast(pl.Int64),
            separator="|",
        ).alias("key"),
    )
    keys = pl.concat(
        [f.with_columns(pl.col("key").cast(pl.String)) for f in (by_os_id, by_name, by_address, by_geo)]
    )
    sizes = keys.group_by("pass", "key").agg(pl.len().alias("block_size"))
    return keys.join(sizes, on=["pass", "key"]).filter(
        (pl.col("block_size") > 1) & (pl.col("block_size") <= settings.max_block_size)
    )


def _token_keys(base: pl.DataFrame, column: str, pass_name: str) -> pl.DataFrame:
    """Country + each informative token (3+ letters, not a stop word) of `column`."""
    return (
        base.select("idx", "country_code", pl.col(column).str.split(" ").alias("token"))
        .explode("token")
        .filter(
            (pl.col("token").str.len_chars() >= 3)
            & ~pl.col("token").is_in(list(STOP_TOKENS))
            & ~pl.col("token").str.contains(r"^[0-9]+$")
        )
        .unique(["idx", "token"])
        .select(
            "idx",
            pl.lit(pass_name).alias("pass"),
            pl.concat_str("country_code", "token", separator="|").alias("key"),
        )
    )


def candidate_pairs(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Unique candidate pairs (`left` < `right` record indexes) with the passes that proposed them."""
    keys = blocking_keys(records, settings).select("idx", "pass", "key")
    pairs = (
        keys.join(keys, on=["pass", "key"], suffix="_right")
        .filter(pl.col("idx") < pl.col("idx_right"))
        .group_by(pl.col("idx").alias("left"), pl.col("idx_right").alias("right"))
        .agg(pl.col("pass").unique().sort().str.join("+").alias("passes"))
    )
    return pairs.sort("left", "right")


def blocking_report(records: pl.DataFrame, pairs: pl.DataFrame) -> dict[str, float]:
    """Figures for metadata and benchmarks: records, candidate pairs and pairs per record."""
    count = max(records.height, 1)
    return {
        "records": records.height,
        "candidate_pairs": pairs.height,
        "pairs_per_record": round(pairs.height / count, 3),
    }
