"""Blocking keys: the tokens, token pairs and letter grams of names and addresses, hashed with the country.

Every extractor takes a chunk of records (`idx`, `country_code` and the text column) and returns
(idx, key) rows; keys are 64-bit hashes of the country and the token(s), so records from different
countries never share a key. `rarest` keeps each record's rarest keys.
"""

from __future__ import annotations

import polars as pl

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
GRAM = 4
PAIR_TOKENS = 5
"""A name's first informative tokens (alphabetically) combined two by two in the `name_pair` pass."""


RECORD_CHUNK = 200_000


def _informative(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, country_code, token) for each informative token of `column`: 3+ letters, not a stop word,
    not a number."""
    return (
        chunk.select("idx", "country_code", pl.col(column).fill_null("").str.split(" ").alias("token"))
        .explode("token")
        .filter(
            (pl.col("token").str.len_chars() >= 3)
            & ~pl.col("token").is_in(list(STOP_TOKENS))
            & ~pl.col("token").str.contains(r"^[0-9]+$")
        )
    )


def informative_tokens(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key) for each informative token of `column`; key = hash of country + token."""
    return (
        _informative(chunk, column)
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


def rarest(base: pl.DataFrame, extract, column: str, per_record: int, cap: int | None) -> pl.DataFrame:
    """(idx, key) for each record's `per_record` rarest keys shared by at least 2 records (and at most
    `cap` when given). Keys are extracted a chunk of records at a time and kept as integers, which
    bounds memory."""
    keys = _keys_by_text(base, extract, column)
    frequency = keys.group_by("key").agg(pl.len().alias("frequency"))
    kept = pl.col("frequency") >= 2 if cap is None else pl.col("frequency").is_between(2, cap)
    return (
        keys.join(frequency, on="key")
        .filter(kept)
        .sort("idx", "frequency", "key")
        .group_by("idx", maintain_order=True)
        .head(per_record)
        .select("idx", "key")
    )


def _keys_by_text(base: pl.DataFrame, extract, column: str) -> pl.DataFrame:
    """(idx, key) of every record: keys depend only on the country and the text, so they are
    extracted once per distinct (country, text) and joined back to the records carrying it."""
    texts = base.select("country_code", column).unique().with_row_index("idx")
    by_text = pl.concat(
        [extract(texts.slice(start, RECORD_CHUNK), column) for start in range(0, texts.height, RECORD_CHUNK)]
        or [pl.DataFrame(schema={"idx": texts["idx"].dtype, "key": pl.UInt64})]
    )
    owners = base.select("idx", "country_code", column).join(
        texts.rename({"idx": "text"}), on=["country_code", column], nulls_equal=True
    )
    return (
        owners.select("idx", "text")
        .join(by_text.rename({"idx": "text"}), on="text")
        .select(pl.col("idx").cast(base["idx"].dtype), "key")
    )


def name_token_pairs(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key) for each pair of the record's informative name tokens; key = hash of country and
    both tokens in alphabetical order. Names with one informative token have none."""
    tokens = (
        _informative(chunk, column)
        .unique(["idx", "token"])
        .group_by("idx", "country_code")
        .agg(pl.col("token").sort().head(PAIR_TOKENS))
        .filter(pl.col("token").list.len() >= 2)
    )
    parts = []
    for first in range(PAIR_TOKENS):
        for second in range(first + 1, PAIR_TOKENS):
            parts.append(
                tokens.filter(pl.col("token").list.len() > second).select(
                    "idx",
                    pl.concat_str(
                        "country_code",
                        pl.col("token").list.get(first),
                        pl.col("token").list.get(second),
                        separator="|",
                    )
                    .hash()
                    .alias("key"),
                )
            )
    return pl.concat(parts) if parts else pl.DataFrame(schema={"idx": chunk["idx"].dtype, "key": pl.UInt64})
