"""Blocking: declarative passes that turn records into candidate pairs without comparing all pairs.

Each pass (see `PASSES`) maps a record to zero or more keys; records sharing a key in the same pass
become candidate pairs. The passes:
- `os_id`: the same Open Supply Hub ID (exact identifier evidence, across countries too);
- `name_token`: country + each of the record's `rare_name_tokens` rarest name tokens;
- `address_token`: country + each of its `rare_address_tokens` rarest address tokens;
- `geo_cell`: country + a grid cell of `geo_cell_degrees` (and the neighbouring cells' key is not
  needed: jittered points on a cell edge are caught by the token passes);
- `name_gram`: country + each of the record's `rare_name_grams` rarest 4-letter grams of its core
  name with spaces removed (catches typos inside a rare token: "stromboli" / "sromboli").
A token is "rare" when it is shared by at most `max_block_size` records of its country; more common
keys are dropped, which bounds each block and therefore the work (pairs <= records x cap).
"""

from __future__ import annotations

import polars as pl

from entity_resolution.settings import ResolutionSettings

STOP_TOKENS = frozenset(
    [
        "and",
        "the",
        "of",
        "for",
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
        "plant",
        "power",
        "station",
        "company",
        "products",
    ]
)
PASSES = ("os_id", "name_token", "address_token", "geo_cell", "name_gram")
GRAM = 4


def _rare_tokens(base: pl.DataFrame, column: str, per_record: int, cap: int) -> pl.DataFrame:
    """(idx, key) for the `per_record` rarest informative tokens of `column` per record."""
    tokens = (
        base.select("idx", "country_code", pl.col(column).fill_null("").str.split(" ").alias("token"))
        .explode("token")
        .filter(
            (pl.col("token").str.len_chars() >= 3)
            & ~pl.col("token").is_in(list(STOP_TOKENS))
            & ~pl.col("token").str.contains(r"^[0-9]+$")
        )
        .unique(["idx", "token"])
    )
    frequency = tokens.group_by("country_code", "token").agg(pl.len().alias("frequency"))
    return (
        tokens.join(frequency, on=["country_code", "token"])
        .filter(pl.col("frequency").is_between(2, cap))
        .sort("idx", "frequency", "token")
        .group_by("idx", maintain_order=True)
        .head(per_record)
        .select("idx", pl.concat_str("country_code", "token", separator="|").alias("key"))
    )


def _rare_grams(base: pl.DataFrame, per_record: int, cap: int) -> pl.DataFrame:
    """(idx, key) for the `per_record` rarest 4-grams of the record's compact core name."""
    compact = base.select(
        "idx", "country_code", pl.col("core_norm").fill_null("").str.replace_all(" ", "").alias("c")
    )
    longest = int(compact["c"].str.len_chars().max() or 0)
    if longest < GRAM:
        return pl.DataFrame(schema={"idx": base["idx"].dtype, "key": pl.String})
    grams = (
        compact.with_columns(
            start=pl.int_ranges(0, (pl.col("c").str.len_chars().cast(pl.Int64) - GRAM + 1).clip(0))
        )
        .explode("start")
        .drop_nulls("start")
        .select("idx", "country_code", pl.col("c").str.slice(pl.col("start"), GRAM).alias("gram"))
        .unique(["idx", "gram"])
    )
    frequency = grams.group_by("country_code", "gram").agg(pl.len().alias("frequency"))
    return (
        grams.join(frequency, on=["country_code", "gram"])
        .filter(pl.col("frequency").is_between(2, cap))
        .sort("idx", "frequency", "gram")
        .group_by("idx", maintain_order=True)
        .head(per_record)
        .select("idx", pl.concat_str("country_code", "gram", separator="|").alias("key"))
    )


def blocking_keys(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """One row per (record index, pass, key), blocks already capped at `max_block_size`."""
    base = records.select(
        "idx", "country_code", "os_id", "name_norm", "core_norm", "address_norm", "lat", "lng"
    )
    cap, cell = settings.max_block_size, settings.geo_cell_degrees
    by_pass = {
        "os_id": base.filter(pl.col("os_id").is_not_null()).select("idx", pl.col("os_id").alias("key")),
        "name_token": _rare_tokens(base, "name_norm", settings.rare_name_tokens, cap),
        "address_token": _rare_tokens(base, "address_norm", settings.rare_address_tokens, cap),
        "name_gram": _rare_grams(base, settings.rare_name_grams, cap),
        "geo_cell": base.filter(pl.col("lat").is_not_null() & pl.col("lng").is_not_null()).select(
            "idx",
            pl.concat_str(
                "country_code",
                (pl.col("lat") / cell).floor().cast(pl.Int64),
                (pl.col("lng") / cell).floor().cast(pl.Int64),
                separator="|",
            ).alias("key"),
        ),
    }
    keys = pl.concat(
        [
            frame.select("idx", pl.lit(name).alias("pass"), pl.col("key").cast(pl.String))
            for name, frame in by_pass.items()
        ]
    )
    sizes = keys.group_by("pass", "key").agg(pl.len().alias("block_size"))
    return keys.join(sizes, on=["pass", "key"]).filter(pl.col("block_size").is_between(2, cap))


KEY_SHARDS = 4


def candidate_pairs(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Unique candidate pairs (`left` < `right` record indexes) and `pass_mask`, a bit per pass
    (in `PASSES` order) that proposed the pair. Keys are hashed to integers and self-joined one pass
    and one shard of keys at a time, so the intermediate join never holds every pass at once."""
    keys = blocking_keys(records, settings).select(
        pl.col("idx").cast(pl.UInt32),
        pl.col("pass").replace_strict({name: bit for bit, name in enumerate(PASSES)}, return_dtype=pl.UInt8),
        pl.col("key").hash().alias("key"),
    )
    parts = []
    for bit in range(len(PASSES)):
        for shard in range(KEY_SHARDS):
            chunk = keys.filter((pl.col("pass") == bit) & ((pl.col("key") % KEY_SHARDS) == shard))
            if chunk.height < 2:
                continue
            parts.append(
                chunk.join(chunk, on="key", suffix="_right")
                .filter(pl.col("idx") < pl.col("idx_right"))
                .select(pl.col("idx").alias("left"), pl.col("idx_right").alias("right"))
                .unique()
                .with_columns(bit=pl.lit(2**bit, pl.UInt8))
            )
    if not parts:
        return pl.DataFrame(schema={"left": pl.UInt32, "right": pl.UInt32, "pass_mask": pl.UInt8})
    pairs = (
        pl.concat(parts).group_by("left", "right").agg(pl.col("bit").sum().cast(pl.UInt8).alias("pass_mask"))
    )
    return pairs.sort("left", "right")


def passes_of(mask: int) -> list[str]:
    """The pass names encoded in a `pass_mask`."""
    return [name for bit, name in enumerate(PASSES) if mask & (1 << bit)]


def blocking_report(records: pl.DataFrame, pairs: pl.DataFrame) -> dict[str, float]:
    """Figures for metadata and benchmarks: records, candidate pairs and pairs per record."""
    count = max(records.height, 1)
    per_pass = {
        f"pairs_from_{name}": int(((pairs["pass_mask"].to_numpy() >> bit) & 1).sum()) if pairs.height else 0
        for bit, name in enumerate(PASSES)
    }
    return {
        "records": records.height,
        "candidate_pairs": pairs.height,
        "pairs_per_record": round(pairs.height / count, 3),
        **per_pass,
    }
