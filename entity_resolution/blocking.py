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


RECORD_CHUNK = 200_000


def informative_tokens(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key) for each informative token of `column`: 3+ letters, not a stop word, not a number;
    key = hash of country + token."""
    return (
        chunk.select("idx", "country_code", pl.col(column).fill_null("").str.split(" ").alias("token"))
        .explode("token")
        .filter(
            (pl.col("token").str.len_chars() >= 3)
            & ~pl.col("token").is_in(list(STOP_TOKENS))
            & ~pl.col("token").str.contains(r"^[0-9]+$")
        )
        .select("idx", pl.concat_str("country_code", "token", separator="|").hash().alias("key"))
        .unique()
    )


def name_grams(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key) for each 4-letter gram of `column` with spaces removed; key = hash of country + gram."""
    compact = chunk.select(
        "idx", "country_code", pl.col(column).fill_null("").str.replace_all(" ", "").alias("c")
    )
    return (
        compact.with_columns(
            start=pl.int_ranges(0, (pl.col("c").str.len_chars().cast(pl.Int64) - GRAM + 1).clip(0))
        )
        .explode("start")
        .drop_nulls("start")
        .select(
            "idx",
            pl.concat_str("country_code", pl.col("c").str.slice(pl.col("start"), GRAM)).hash().alias("key"),
        )
        .unique()
    )


def _rarest(base: pl.DataFrame, extract, column: str, per_record: int, cap: int) -> pl.DataFrame:
    """(idx, key) for each record's `per_record` rarest keys shared by 2..cap records. Keys are
    extracted a chunk of records at a time and kept as integers, which bounds memory."""
    keys = pl.concat(
        [extract(base.slice(start, RECORD_CHUNK), column) for start in range(0, base.height, RECORD_CHUNK)]
        or [pl.DataFrame(schema={"idx": base["idx"].dtype, "key": pl.UInt64})]
    )
    frequency = keys.group_by("key").agg(pl.len().alias("frequency"))
    return (
        keys.join(frequency, on="key")
        .filter(pl.col("frequency").is_between(2, cap))
        .sort("idx", "frequency", "key")
        .group_by("idx", maintain_order=True)
        .head(per_record)
        .select("idx", "key")
    )


def blocking_keys(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """One row per (record index, pass bit, key hash), blocks already capped at `max_block_size`."""
    base = records.select(
        "idx", "country_code", "os_id", "name_norm", "core_norm", "address_norm", "lat", "lng"
    )
    cap, cell = settings.max_block_size, settings.geo_cell_degrees
    by_pass = {
        "os_id": base.filter(pl.col("os_id").is_not_null()).select(
            "idx", pl.col("os_id").hash().alias("key")
        ),
        "name_token": _rarest(base, informative_tokens, "name_norm", settings.rare_name_tokens, cap),
        "address_token": _rarest(base, informative_tokens, "address_norm", settings.rare_address_tokens, cap),
        "geo_cell": base.filter(pl.col("lat").is_not_null() & pl.col("lng").is_not_null()).select(
            "idx",
            pl.concat_str(
                "country_code",
                (pl.col("lat") / cell).floor().cast(pl.Int64),
                (pl.col("lng") / cell).floor().cast(pl.Int64),
                separator="|",
            )
            .hash()
            .alias("key"),
        ),
        "name_gram": _rarest(base, name_grams, "core_norm", settings.rare_name_grams, cap),
    }
    keys = pl.concat(
        [
            frame.select(
                pl.col("idx").cast(pl.UInt32), pl.lit(PASSES.index(name), pl.UInt8).alias("pass"), "key"
            )
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
    keys = blocking_keys(records, settings).select("idx", "pass", "key")
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
