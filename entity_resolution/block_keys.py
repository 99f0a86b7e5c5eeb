"""Blocking keys: the tokens, token pairs and letter grams of names and addresses, hashed with the country.

Every extractor takes a chunk of records (`idx`, `country_code` and the text column) and returns
(idx, key) rows; keys are 64-bit hashes of the country and the token(s), so records from different
countries never share a key. `rarest` keeps each record's rarest keys.
"""

from __future__ import annotations

import polars as pl

from entity_resolution.normalise import trade_words

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


def rarest(base: pl.DataFrame, extract, column: str, per_record: int | None, cap: int | None) -> pl.DataFrame:
    """(idx, key) for each record's `per_record` rarest keys (all of them when None) shared by at
    least 2 records (and at most `cap` when given), ties broken by the key. A record's keys depend only
    on its country and text, so keys are extracted, counted and ranked once per distinct (country,
    text), a chunk of texts at a time and kept as integers (which bounds memory), then joined back to
    the records carrying each text."""
    owners, by_text = _keys_by_text(base, extract, column)
    carried = owners.group_by("text").agg(pl.len().alias("records"))
    frequency = (
        by_text.join(carried, on="text").group_by("key").agg(pl.col("records").sum().alias("frequency"))
    )
    kept = pl.col("frequency") >= 2 if cap is None else pl.col("frequency").is_between(2, cap)
    chosen = by_text.join(frequency, on="key").filter(kept)
    if per_record is not None:
        ranked = chosen.sort("text", "frequency", "key")
        chosen = ranked.group_by("text", maintain_order=True).head(per_record)
    chosen = chosen.select("text", "key")
    return owners.join(chosen, on="text").select(pl.col("idx").cast(base["idx"].dtype), "key")


def _keys_by_text(base: pl.DataFrame, extract, column: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(idx, text): the distinct (country, text) each record carries, and (text, key): the keys of
    each distinct text."""
    texts = base.select("country_code", column).unique().with_row_index("idx")
    by_text = pl.concat(
        [extract(texts.slice(start, RECORD_CHUNK), column) for start in range(0, texts.height, RECORD_CHUNK)]
        or [pl.DataFrame(schema={"idx": texts["idx"].dtype, "key": pl.UInt64})]
    )
    owners = base.select("idx", "country_code", column).join(
        texts.rename({"idx": "text"}), on=["country_code", column], nulls_equal=True
    )
    return owners.select("idx", "text"), by_text.rename({"idx": "text"})


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


def _word_sets(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, country_code, words): the distinct words of `column` in alphabetical order."""
    return chunk.select(
        "idx",
        "country_code",
        pl.col(column)
        .fill_null("")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
        .list.sort()
        .alias("words"),
    ).filter(pl.col("words").list.len() > 0)


def name_word_set(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key) with key = hash of country + the name's own words in their order + its trade words
    (`normalise.trade_words`) in alphabetical order: the trade words anywhere ("tri thanh loc bags" /
    "bags tri thanh loc": Vietnamese names put the trade word first) give one key, while the firm's
    own words keep their order ("Hiep Uyen" and "Uyen Hiep" are two names)."""
    trades = list(trade_words())
    words = pl.col(column).fill_null("").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    trade = pl.element().is_in(trades)
    return (
        chunk.select(
            "idx",
            "country_code",
            words.list.eval(pl.element().filter(~trade)).list.join(" ").alias("own"),
            words.list.eval(pl.element().filter(trade))
            .list.unique()
            .list.sort()
            .list.join(" ")
            .alias("trade"),
        )
        .filter((pl.col("own") != "") | (pl.col("trade") != ""))
        .select("idx", pl.concat_str("country_code", "own", "trade", separator="|").hash().alias("key"))
    )


WORDS_BUT_ONE_MIN = 3
"""Names of at least this many distinct words get `name_words_but_one` keys (two words less one is a
single word, which the token passes already cover)."""


def name_words_left_out(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key, left_out) for each word of a name of `WORDS_BUT_ONE_MIN`+ distinct words: key = hash
    of country + the other words in alphabetical order, `left_out` = the word left out. A typo or a
    different spelling in one word ("phoung viet duc shoes" / "phuong viet duc shoes") leaves one key
    in common, however common each word is."""
    words = pl.col("words")
    return (
        _word_sets(chunk, column)
        .filter(words.list.len() >= WORDS_BUT_ONE_MIN)
        .with_columns(position=pl.int_ranges(0, words.list.len()))
        .explode("position")
        .select(
            "idx",
            pl.concat_str(
                "country_code",
                pl.concat_list(
                    words.list.slice(0, pl.col("position")), words.list.slice(pl.col("position") + 1)
                ).list.join(" "),
                separator="|",
            )
            .hash()
            .alias("key"),
            words.list.get(pl.col("position")).alias("left_out"),
        )
    )


def name_words_but_one(chunk: pl.DataFrame, column: str) -> pl.DataFrame:
    """(idx, key) of `name_words_left_out`."""
    return name_words_left_out(chunk, column).select("idx", "key").unique()
