"""Incremental matching: new records against already-resolved ones, without re-resolving everything.

A *match index* is what a full run leaves behind so that later records can be compared without
normalising or blocking the old ones again:
- `index_records`: each record's normalised comparison columns (`INDEX_COLUMNS`);
- `index_keys`: every blocking key of every record, uncapped (`blocking_pass`, `blocking_key`), with
  the same key hashes as `entity_resolution.blocking`.
`MatchIndex` holds such records (with their `facility_id`) and keys with their block sizes: all of
them (`build_index`, in memory) or only the slice a batch of new records shares (read from the
warehouse by the pipeline).

`score_against_index` blocks each new record against the index (its rarest keys per pass, blocks
capped as in a full run) and scores the candidate pairs with the same features and model.
`match_new` turns those scores into one decision per new record: `auto` (linked to the facility of
its best pair), `review` (grey band, not merged) or `new`; records left open are resolved among
themselves so a list's own duplicates merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from entity_resolution.block_keys import (
    informative_tokens,
    name_grams,
    name_token_pairs,
    name_word_set,
    name_words_but_one,
)
from entity_resolution.blocking import IDENTITY_PASSES, PASS_MASK, PASSES, spellings
from entity_resolution.facilities import PAIR_FEATURES
from entity_resolution.resolve import NO_DECISIONS, prepare, resolve
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings

INDEX_COLUMNS = [
    "record_id",
    "country_code",
    "os_id",
    "name_norm",
    "core_norm",
    "address_norm",
    "lat",
    "lng",
    "units",
    "numbers",
]
KEY_COLUMNS = ["record_id", "blocking_pass", "blocking_key"]
NAME_PASS = "name_neighbourhood"
"""The pass whose key in the index is the record's country and core name: a new record is compared with
the index records of its core name (as a full run compares every spelling with its name's first one),
however common each word of the name is."""
NAME_PASSES = (NAME_PASS, "name_words")
"""Passes whose key is the whole core name (as written, or with its trade words in any order)."""
NAME_KEY_CAP = 100
"""A core name held by this many index records or more is too common to compare with all of them (a
plain name such as "sai textiles"); the other passes still apply."""


@dataclass(frozen=True)
class MatchIndex:
    """Existing records ready for comparison (INDEX_COLUMNS + facility_id), and their blocking keys
    (record_id, blocking_pass, blocking_key, frequency = records of the whole index holding the key)."""

    records: pl.DataFrame
    keys: pl.DataFrame


def index_records(prepared: pl.DataFrame) -> pl.DataFrame:
    """The comparison columns of prepared records (see `resolve.prepare`), as persisted."""
    return prepared.select(INDEX_COLUMNS)


def index_keys(prepared: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Every blocking key of every prepared record: record_id, blocking_pass (name), blocking_key
    (the pass's 64-bit key hash, stored signed). Uncapped: rarity is judged when matching."""
    base = prepared.select(
        "record_id", "country_code", "os_id", "name_norm", "core_norm", "address_norm", "lat", "lng"
    ).with_row_index("idx")
    cell = settings.geo_cell_degrees
    by_pass = {
        "os_id": base.filter(pl.col("os_id").is_not_null()).select(
            "idx", pl.col("os_id").hash().alias("key")
        ),
        "name_token": informative_tokens(base, "name_norm"),
        "address_token": informative_tokens(base, "address_norm"),
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
        "name_gram": name_grams(base, "core_norm"),
        "name_pair": name_token_pairs(base, "name_norm"),
        "same_spelling": spellings(prepared.drop("idx", strict=False).with_row_index("idx")).select(
            pl.col("idx").cast(pl.UInt32), pl.col("spelling").alias("key")
        ),
        "name_words": name_word_set(base, "core_norm"),
        "name_words_but_one": name_words_but_one(base, "core_norm"),
        NAME_PASS: base.filter(pl.col("core_norm").fill_null("") != "").select(
            "idx",
            pl.concat_str(pl.col("country_code").fill_null(""), "core_norm", separator="|")
            .hash()
            .alias("key"),
        ),
    }
    ids = base.select("idx", "record_id")
    keys = pl.concat(
        [
            frame.select("idx", pl.lit(name).alias("blocking_pass"), pl.col("key").reinterpret(signed=True))
            for name, frame in by_pass.items()
        ]
    )
    return keys.join(ids, on="idx").select("record_id", "blocking_pass", pl.col("key").alias("blocking_key"))


def with_frequency(keys: pl.DataFrame) -> pl.DataFrame:
    """Keys with `frequency`: how many records hold each (pass, key)."""
    return keys.with_columns(pl.len().over("blocking_pass", "blocking_key").alias("frequency"))


def build_index(resolved_records: pl.DataFrame, settings: ResolutionSettings | None = None) -> MatchIndex:
    """An in-memory index of records that carry a `facility_id` (e.g. staged records joined to links)."""
    settings = settings or ResolutionSettings()
    prepared = prepare(resolved_records.drop("facility_id"))
    records = index_records(prepared).join(
        resolved_records.select("record_id", "facility_id"), on="record_id"
    )
    return MatchIndex(records, with_frequency(index_keys(prepared, settings)))


def _per_pass(settings: ResolutionSettings) -> dict[str, int]:
    return {
        "os_id": 1,
        "name_token": settings.rare_name_tokens,
        "address_token": settings.rare_address_tokens,
        "geo_cell": 1,
        "name_gram": settings.rare_name_grams,
        "name_pair": settings.rare_name_pairs,
        "same_spelling": 1,
        NAME_PASS: 1,
        "name_words": 1,
        "name_words_but_one": settings.rare_name_pairs + 1,
    }


IDENTITY_PARTNERS = 3
"""Index records a new record is paired with through one identity key (OS ID, same spelling): they are
one facility already, so a few suffice however many mentions share the key."""


def candidates(index: MatchIndex, new_keys: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """(record_id, existing, blocking_pass): new records paired with index records sharing one of the
    new record's rarest keys per pass. Keys held by `max_block_size` or more index records are dropped,
    except identity keys (OS ID, same spelling), which pair with up to `IDENTITY_PARTNERS` records,
    and core names (`NAME_PASSES`), which pair with every record holding them below `NAME_KEY_CAP`."""
    shareable = (
        (pl.col("frequency") < settings.max_block_size)
        | pl.col("blocking_pass").is_in(IDENTITY_PASSES)
        | (pl.col("blocking_pass").is_in(NAME_PASSES) & (pl.col("frequency") < NAME_KEY_CAP))
    )
    shared = new_keys.join(
        index.keys.filter(shareable),
        on=["blocking_pass", "blocking_key"],
        suffix="_existing",
    )
    identity = pl.col("blocking_pass").is_in(IDENTITY_PASSES)
    shared = pl.concat(
        [
            shared.filter(~identity),
            shared.filter(identity)
            .sort("record_id", "blocking_pass", "blocking_key", "record_id_existing")
            .group_by("record_id", "blocking_pass", "blocking_key", maintain_order=True)
            .head(IDENTITY_PARTNERS),
        ]
    )
    chosen = (
        shared.select("record_id", "blocking_pass", "blocking_key", "frequency")
        .unique()
        .sort("record_id", "blocking_pass", "frequency", "blocking_key")
    )
    chosen = pl.concat(
        [
            chosen.filter(pl.col("blocking_pass") == name)
            .group_by("record_id", maintain_order=True)
            .head(limit)
            for name, limit in _per_pass(settings).items()
        ]
    )
    return (
        shared.join(chosen.select(KEY_COLUMNS), on=KEY_COLUMNS)
        .select("record_id", pl.col("record_id_existing").alias("existing"), "blocking_pass")
        .unique()
    )


def score_against_index(
    index: MatchIndex, new: pl.DataFrame, settings: ResolutionSettings, new_keys: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Scored pairs of `new` (prepared) records x index records: record_id, existing (its record_id),
    facility_id (the existing record's), and the pair features (`PAIR_FEATURES`). `new_keys` are the new
    records' `index_keys` when the caller has them already."""
    new_keys = index_keys(new, settings) if new_keys is None else new_keys
    pairs_of = candidates(index, new_keys, settings)
    existing = index.records.join(
        pairs_of.select(pl.col("existing").alias("record_id")).unique(), on="record_id"
    )
    both = pl.concat([new.select(INDEX_COLUMNS), existing.select(INDEX_COLUMNS)]).with_row_index("idx")
    new_position = new.select("record_id").with_row_index("left")
    old_position = existing.select(pl.col("record_id").alias("existing")).with_row_index(
        "right", offset=new.height
    )
    bits = {name: 2**bit for bit, name in enumerate(PASSES)}
    pairs = (
        pairs_of.join(new_position, on="record_id")
        .join(old_position, on="existing")
        .with_columns(bit=pl.col("blocking_pass").replace_strict(bits, return_dtype=PASS_MASK))
        .group_by("left", "right")
        .agg(pl.col("bit").sum().cast(PASS_MASK).alias("pass_mask"))
        .with_columns(pl.col("left", "right").cast(pl.UInt32))
    )
    scored = score_pairs(both, pairs, settings).scored.select("left", "right", *PAIR_FEATURES)
    return (
        scored.join(both.select(pl.col("idx").alias("left"), "record_id"), on="left")
        .join(both.select(pl.col("idx").alias("right"), pl.col("record_id").alias("existing")), on="right")
        .join(index.records.select(pl.col("record_id").alias("existing"), "facility_id"), on="existing")
        .select("record_id", "existing", "facility_id", *PAIR_FEATURES)
    )


def best_pairs(scored: pl.DataFrame) -> pl.DataFrame:
    """Each new record's highest-scoring pair (ties: the smaller existing record_id)."""
    return scored.sort("record_id", "match_score", "existing", descending=[False, True, False]).unique(
        "record_id", keep="first", maintain_order=True
    )


def match_new(
    index: MatchIndex, new_records: pl.DataFrame, settings: ResolutionSettings | None = None
) -> pl.DataFrame:
    """record_id, facility_id, match_score, decision (auto|review|new), matched_record_id per new record."""
    settings = settings or ResolutionSettings()
    new = prepare(new_records)
    best = best_pairs(score_against_index(index, new, settings))
    decided = new.select("record_id").join(
        best.select("record_id", "facility_id", "match_score", pl.col("existing").alias("matched_record_id")),
        on="record_id",
        how="left",
    )
    decided = decided.with_columns(
        decision=pl.when(pl.col("match_score") >= settings.auto_match_threshold)
        .then(pl.lit("auto"))
        .when(pl.col("match_score") >= settings.review_threshold)
        .then(pl.lit("review"))
        .otherwise(pl.lit("new"))
    )
    return _resolve_leftovers(decided, new_records, settings)


def _resolve_leftovers(
    decided: pl.DataFrame, new_records: pl.DataFrame, settings: ResolutionSettings
) -> pl.DataFrame:
    """Records not linked automatically get facility IDs from resolving the new records among themselves."""
    open_ids = decided.filter(pl.col("decision") != "auto")["record_id"]
    rest = new_records.filter(pl.col("record_id").is_in(open_ids.implode()))
    fresh = resolve(rest, NO_DECISIONS, settings).record_links.select(
        "record_id", pl.col("facility_id").alias("fresh")
    )
    return (
        decided.join(fresh, on="record_id", how="left")
        .with_columns(
            facility_id=pl.when(pl.col("decision") == "auto")
            .then(pl.col("facility_id"))
            .otherwise(pl.col("fresh")),
            match_score=pl.col("match_score").fill_null(0.0),
        )
        .select("record_id", "facility_id", "match_score", "decision", "matched_record_id")
    )
