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
- `name_pair`: country + two of the record's rarest name tokens together ("huafeng" + "home"), rare
  where each token alone is common (big suppliers and their namesakes);
- `same_spelling`: records with the same normalised name, address, country, OS ID and numbers are one
  *spelling*; each is paired with its spelling's first record, and every other pass works on one
  record per spelling, so a supplier named on eighty lists counts once, not eighty times. Records
  without an address are one spelling only within a `SPELLING_CELL` of their coordinates: lists that
  give a name and a point would otherwise chain every namesake's mentions to one first record.
- `name_words`: country + the core name's own words in their order + its trade words as a set: the
  trade word anywhere ("bags tri thanh loc" / "tri thanh loc bags"), the firm's words in order ("hiep
  uyen" is not "uyen hiep");
- `name_words_but_one`: country + the core name's words less one, one key per word, for names of 3+
  words: one typo'd or respelled word ("phoung viet duc shoes") leaves a key in common however
  common each word is. Only names whose left-out words are alike are paired
  (`LEFT_OUT_SIMILARITY`): "xinxin bags apparel" and "xinxin shoes apparel" share a key too, but
  "bags" and "shoes" are two words, not one misspelt;
- `name_neighbourhood`: a sorted neighbourhood over the *distinct* core names of each country, each
  paired with the `neighbourhood_window` next ones: however many mentions, addresses and namesakes
  share a name's words, its typo'd or re-spaced spellings stay next to it in that order. Every
  spelling is also paired with the first spelling of its country carrying the same core name (a big
  supplier's addresses vary from list to list; its name is the thread between them). The distinct
  names are also read backwards with spaces removed, where a respelled first word sits next to its
  name, and those neighbours are paired only when alike (`REVERSED_SIMILARITY`).
Block sizes count spellings, not mentions. A block of at most `max_block_size` spellings yields all its
pairs; a larger block of a name token, a letter gram, a pair of name tokens or a name's words
(`WINDOWED_PASSES`) is not dropped but read as a sorted neighbourhood: its spellings sorted by core name
with spaces removed ("long teng" next to "longteng"), or by address where the block's names are the
same words (`ADDRESS_ORDERED_PASSES`: a big supplier's spellings and its namesakes' sort by where they
are; those blocks are read a second time in order of latitude, so the spellings that give a point but
no address, which sort together in address order, meet their own site's), each paired with the
`window` next ones. So the work per record is bounded by
a pairs budget (keys x window), not by a frequency cut-off that would make recall fall as the data grows
(a big supplier's typo'd or re-spaced spellings share only common grams).
Larger address and geo-cell blocks are left out: in industrial parks their neighbours are other firms.
OS-ID blocks of any size are chained (an exact identifier needs no more).
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz

from entity_resolution.block_keys import (
    informative_tokens,
    name_grams,
    name_token_pairs,
    name_word_set,
    name_words_left_out,
    rarest,
)
from entity_resolution.features import pairwise
from entity_resolution.settings import ResolutionSettings

PASSES = (
    "os_id",
    "name_token",
    "address_token",
    "geo_cell",
    "name_gram",
    "name_pair",
    "same_spelling",
    "name_neighbourhood",
    "name_words",
    "name_words_but_one",
)
PASS_MASK = pl.UInt16
"""The dtype of `pass_mask`: one bit per pass of `PASSES`."""
GEO_CELL_BIT = 1 << PASSES.index("geo_cell")
"""The `pass_mask` bit of a pair the geo_cell pass proposed (the two records share a grid cell)."""
WINDOWED_PASSES = ("name_token", "name_gram", "name_pair", "name_words")
"""Passes whose blocks larger than `max_block_size` are read as sorted neighbourhoods, not dropped."""
ADDRESS_ORDERED_PASSES = ("name_words",)
"""Windowed passes whose large blocks are sorted by address, not by name (their names are the same)."""
IDENTITY_PASSES = ("os_id", "same_spelling")
"""Passes whose keys say "the same facility" outright: never dropped however large the block."""


def blocking_keys(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """One row per (record index, pass bit, key hash, block size) for blocks of 2+ records, whatever
    their size (large ones become sorted neighbourhoods or chains in `candidate_pairs`, or are left
    out for the address and geo-cell passes)."""
    base = records.select(
        "idx", "country_code", "os_id", "name_norm", "core_norm", "address_norm", "lat", "lng"
    )
    cell = settings.geo_cell_degrees
    by_pass = {
        "os_id": base.filter(pl.col("os_id").is_not_null()).select(
            "idx", pl.col("os_id").hash().alias("key")
        ),
        "name_token": rarest(base, informative_tokens, "name_norm", settings.rare_name_tokens, None),
        "address_token": rarest(base, informative_tokens, "address_norm", settings.rare_address_tokens, None),
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
        "name_gram": rarest(base, name_grams, "core_norm", settings.rare_name_grams, None),
        "name_pair": rarest(base, name_token_pairs, "name_norm", settings.rare_name_pairs, None),
        "name_words": rarest(base, name_word_set, "core_norm", None, None),
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
    return keys.join(sizes, on=["pass", "key"]).filter(pl.col("block_size") >= 2)


def spellings(records: pl.DataFrame) -> pl.DataFrame:
    """(idx, spelling, leader): records with the same country, normalised name and address, unit and
    other numbers and OS ID are one spelling (a 64-bit hash), records without an address only within
    one `SPELLING_CELL` of coordinates; `leader` is its first record."""
    unaddressed = pl.col("address_norm").fill_null("") == ""
    place = pl.when(unaddressed).then(
        pl.format("{} {}", (pl.col("lat") / SPELLING_CELL).floor(), (pl.col("lng") / SPELLING_CELL).floor())
    )
    spelling = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("country_code", "name_norm", "address_norm", "units", "numbers")]
        + [pl.col("os_id").fill_null(""), place.fill_null("")],
        separator="\x1f",
    ).hash()
    return records.select(pl.col("idx").cast(pl.UInt32), spelling.alias("spelling")).with_columns(
        leader=pl.col("idx").min().over("spelling")
    )


KEY_SHARDS = 4
REVERSED_SIMILARITY = 0.9
"""`name_neighbourhood` also sorts a country's distinct core names read backwards (spaces removed), so
a typo'd or re-spaced first word ("xiin jing printing dyeing" / "xinjing printing dyeing") sits next
to its name; of those neighbours only names at least this alike (rapidfuzz ratio, 0-1) are paired.
At v2 1M dev this raised blocking reach from 0.981 to 0.984 for 0.06 more pairs per record."""
SPELLING_CELL = 0.1
"""Records without an address are one spelling only within a grid cell of this many degrees: the same
name at two places far apart is two sites or two namesakes, not one spelling."""
LEFT_OUT_SIMILARITY = 0.5
"""`name_words_but_one` pairs two names only when their left-out words are at least this alike (the
rapidfuzz ratio, 0-1): a typo'd or respelled word, not another word. At v2 1M dev this kept 82% of the
true pairs only that pass proposed and 12% of all its pairs."""


def _block_pairs(keys: pl.DataFrame, bit: int) -> list[pl.DataFrame]:
    """Every pair inside each (small) block of one pass, self-joined one shard of keys at a time."""
    parts = []
    for shard in range(KEY_SHARDS):
        chunk = keys.filter((pl.col("key") % KEY_SHARDS) == shard)
        if chunk.height < 2:
            continue
        parts.append(
            chunk.join(chunk, on="key", suffix="_right")
            .filter(pl.col("idx") < pl.col("idx_right"))
            .select(pl.col("idx").alias("left"), pl.col("idx_right").alias("right"))
            .unique()
            .with_columns(bit=pl.lit(2**bit, PASS_MASK))
        )
    return parts


def _neighbourhood_pairs(
    keys: pl.DataFrame, names: pl.DataFrame, window: int, bit: int
) -> list[pl.DataFrame]:
    """Sorted neighbourhood inside each (large) block of one pass: members sorted by name, each paired
    with the `window` next members of the same block."""
    ordered = keys.join(names, on="idx").sort("key", "sort_name", "idx")
    parts = []
    for offset in range(1, window + 1):
        parts.append(
            ordered.select(
                "idx",
                pl.col("idx").shift(-offset).alias("other"),
                (pl.col("key").shift(-offset) == pl.col("key")).alias("same_block"),
            )
            .filter(pl.col("same_block"))
            .select(
                pl.min_horizontal("idx", "other").alias("left"),
                pl.max_horizontal("idx", "other").alias("right"),
                bit=pl.lit(2**bit, PASS_MASK),
            )
        )
    return parts


def _name_neighbourhood_pairs(leaders: pl.DataFrame, window: int, bit: int) -> list[pl.DataFrame]:
    """Sorted neighbourhood over *distinct* core names per country: each distinct name (represented
    by its first record) paired with the `window` next distinct names, and every other record of that
    name paired with its first record. A big supplier's eighty spellings of one name take one place in
    the order, so its typo'd spellings stay within reach however many mentions and namesakes the data
    holds."""
    named = leaders.filter(pl.col("core_norm").fill_null("") != "").select(
        pl.col("idx").cast(pl.UInt32),
        "core_norm",
        first=pl.col("idx").min().over("country_code", "core_norm").cast(pl.UInt32),
        key=pl.col("country_code").fill_null("").hash(),
    )
    distinct = named.filter(pl.col("idx") == pl.col("first"))
    same_name = named.filter(pl.col("idx") != pl.col("first")).select(
        pl.col("first").alias("left"), pl.col("idx").alias("right"), bit=pl.lit(2**bit, PASS_MASK)
    )
    forward = _neighbourhood_pairs(
        distinct.select("idx", "key"),
        distinct.select("idx", pl.col("core_norm").alias("sort_name")),
        window,
        bit,
    )
    despaced = distinct.select("idx", pl.col("core_norm").str.replace_all(" ", "").alias("text"))
    backward = _neighbourhood_pairs(
        distinct.select("idx", "key"),
        despaced.select("idx", pl.col("text").str.reverse().alias("sort_name")),
        window,
        bit,
    )
    return [same_name, *forward, _alike(pl.concat(backward), despaced, REVERSED_SIMILARITY)]


def _alike(pairs: pl.DataFrame, texts: pl.DataFrame, minimum: float) -> pl.DataFrame:
    """The pairs (left, right, bit) whose two records' `texts` (idx, text) are at least `minimum`
    alike (rapidfuzz ratio, 0-1), compared once per distinct pair of texts."""
    named = pairs.join(texts.rename({"idx": "left", "text": "text_left"}), on="left").join(
        texts.rename({"idx": "right", "text": "text_right"}), on="right"
    )
    distinct = named.select("text_left", "text_right").unique()
    similarity = pairwise(distinct["text_left"].to_list(), distinct["text_right"].to_list(), fuzz.ratio)
    alike = distinct.filter(pl.Series(similarity >= minimum, dtype=pl.Boolean))
    return named.join(alike, on=["text_left", "text_right"]).select("left", "right", "bit")


def _words_but_one_pairs(
    leaders: pl.DataFrame, names: pl.DataFrame, settings: ResolutionSettings, bit: int
) -> pl.DataFrame:
    """The `name_words_but_one` pass: spellings sharing a name less one word, small blocks whole and
    large ones as sorted neighbourhoods like the other windowed passes, kept where the two left-out
    words are alike (`LEFT_OUT_SIMILARITY`). Keys are made once per distinct (country, core name)."""
    texts = leaders.select("country_code", "core_norm").unique().with_row_index("text")
    keyed = name_words_left_out(texts.rename({"text": "idx"}), "core_norm").rename({"idx": "text"})
    rows = (
        leaders.select(pl.col("idx").cast(pl.UInt32), "country_code", "core_norm")
        .join(texts, on=["country_code", "core_norm"], nulls_equal=True)
        .join(keyed, on="text")
        .select("idx", "key", "left_out", size=pl.len().over("key"))
        .filter(pl.col("size") >= 2)
    )
    cap = settings.max_block_size
    found = []
    small = rows.filter(pl.col("size") <= cap)
    for shard in range(KEY_SHARDS):
        chunk = small.filter((pl.col("key") % KEY_SHARDS) == shard).select("idx", "key", "left_out")
        found.append(
            chunk.join(chunk, on="key", suffix="_other")
            .filter(pl.col("idx") < pl.col("idx_other"))
            .select("idx", pl.col("idx_other").alias("other"), "left_out", "left_out_other")
        )
    ordered = rows.filter(pl.col("size") > cap).join(names, on="idx").sort("key", "sort_name", "idx")
    for offset in range(1, settings.neighbourhood_window + 1):
        found.append(
            ordered.select(
                "idx",
                pl.col("idx").shift(-offset).alias("other"),
                "left_out",
                pl.col("left_out").shift(-offset).alias("left_out_other"),
                same_block=pl.col("key").shift(-offset) == pl.col("key"),
            )
            .filter(pl.col("same_block"))
            .drop("same_block")
        )
    pairs = pl.concat(found)
    words = pairs.select("left_out", "left_out_other").unique()
    alike = words.filter(
        pl.Series(pairwise(words["left_out"].to_list(), words["left_out_other"].to_list(), fuzz.ratio))
        >= LEFT_OUT_SIMILARITY
    )
    return pairs.join(alike, on=["left_out", "left_out_other"]).select(
        pl.min_horizontal("idx", "other").alias("left"),
        pl.max_horizontal("idx", "other").alias("right"),
        bit=pl.lit(2**bit, PASS_MASK),
    )


def candidate_pairs(records: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Unique candidate pairs (`left` < `right` record indexes) and `pass_mask`, a bit per pass (in
    `PASSES` order) that proposed the pair: each record with its spelling's leader, and the leaders
    paired by the blocking passes (small blocks whole, large ones as sorted neighbourhoods)."""
    spelled = spellings(records)
    leaders = records.join(spelled.filter(pl.col("idx") == pl.col("leader")).select("idx"), on="idx")
    keys = blocking_keys(leaders, settings)
    names = leaders.select(
        pl.col("idx").cast(pl.UInt32),
        pl.col("core_norm").fill_null("").str.replace_all(" ", "").alias("sort_name"),
    )
    addresses = leaders.select(
        pl.col("idx").cast(pl.UInt32), pl.col("address_norm").fill_null("").alias("sort_name")
    )
    located = leaders.filter(pl.col("lat").is_not_null() & pl.col("lng").is_not_null()).select(
        pl.col("idx").cast(pl.UInt32), pl.col("lat").alias("sort_name")
    )
    cap = settings.max_block_size
    parts = [
        spelled.filter(pl.col("idx") != pl.col("leader")).select(
            pl.col("leader").alias("left"),
            pl.col("idx").alias("right"),
            bit=pl.lit(2 ** PASSES.index("same_spelling"), PASS_MASK),
        )
    ]
    for bit, name in enumerate(PASSES):
        passed = keys.filter(pl.col("pass") == bit)
        if passed.is_empty():
            continue
        parts += _block_pairs(passed.filter(pl.col("block_size") <= cap).select("idx", "key"), bit)
        large = passed.filter(pl.col("block_size") > cap).select("idx", "key")
        if name == "os_id":  # an exact identifier: a chain links the whole block
            parts += _neighbourhood_pairs(large, names.with_columns(sort_name=pl.lit("")), 1, bit)
        elif name in WINDOWED_PASSES:
            order = addresses if name in ADDRESS_ORDERED_PASSES else names
            parts += _neighbourhood_pairs(large, order, settings.neighbourhood_window, bit)
            if name in ADDRESS_ORDERED_PASSES:  # records without an address: placed by their coordinates
                on_map = large.join(located.select("idx"), on="idx")
                parts += _neighbourhood_pairs(on_map, located, settings.neighbourhood_window, bit)
    parts += _name_neighbourhood_pairs(
        leaders, settings.neighbourhood_window, PASSES.index("name_neighbourhood")
    )
    parts.append(_words_but_one_pairs(leaders, names, settings, PASSES.index("name_words_but_one")))
    pairs = pl.concat(parts).filter(pl.col("left") != pl.col("right"))
    if pairs.is_empty():
        return pl.DataFrame(schema={"left": pl.UInt32, "right": pl.UInt32, "pass_mask": PASS_MASK})
    pair = pl.col("left").cast(pl.UInt64) * (1 << 32) + pl.col("right").cast(pl.UInt64)
    return (  # one integer per pair: sorting and grouping one column beats grouping two, then sorting
        pairs.select(pair.alias("pair"), "bit")
        .sort("pair")
        .group_by("pair", maintain_order=True)
        .agg(pl.col("bit").bitwise_or().cast(PASS_MASK).alias("pass_mask"))
        .select(
            (pl.col("pair") // (1 << 32)).cast(pl.UInt32).alias("left"),
            (pl.col("pair") % (1 << 32)).cast(pl.UInt32).alias("right"),
            "pass_mask",
        )
    )


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
