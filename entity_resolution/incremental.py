"""Incremental matching: a new list against existing facilities, without re-resolving everything.

`build_index` turns resolved records (with their facility_id) into a match index: the normalised
comparison columns plus every informative blocking key with its frequency. `match_new` then blocks
each new record against the index (its rarest keys, blocks capped as in a full run), scores the
candidate pairs with the same features and model, and links the record to the existing facility of
its best pair: `auto` at or above the auto threshold, `review` in the grey band (not merged), else
`new`. New records left unmatched are resolved among themselves so a list's own duplicates merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from entity_resolution.blocking import PASSES, STOP_TOKENS
from entity_resolution.resolve import NO_DECISIONS, prepare, resolve
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings

INDEX_COLUMNS = [
    "record_id",
    "facility_id",
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


@dataclass(frozen=True)
class MatchIndex:
    """Existing records ready for comparison, and their blocking keys with block sizes."""

    records: pl.DataFrame
    keys: pl.DataFrame  # record_id, pass, key (hashed), frequency


def _all_keys(prepared: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Every blocking key of every record (record_id, pass, key hash), before any capping."""

    def tokens(column: str, name: str) -> pl.DataFrame:
        return (
            prepared.select(
                "record_id", "country_code", pl.col(column).fill_null("").str.split(" ").alias("t")
            )
            .explode("t")
            .filter(
                (pl.col("t").str.len_chars() >= 3)
                & ~pl.col("t").is_in(list(STOP_TOKENS))
                & ~pl.col("t").str.contains(r"^[0-9]+$")
            )
            .select(
                "record_id",
                pl.lit(name).alias("pass"),
                pl.concat_str("country_code", "t", separator="|").alias("k"),
            )
        )

    cell = settings.geo_cell_degrees
    located = prepared.filter(pl.col("lat").is_not_null() & pl.col("lng").is_not_null())
    frames = [
        prepared.filter(pl.col("os_id").is_not_null()).select(
            "record_id", pl.lit("os_id").alias("pass"), pl.col("os_id").alias("k")
        ),
        tokens("name_norm", "name_token"),
        tokens("address_norm", "address_token"),
        located.select(
            "record_id",
            pl.lit("geo_cell").alias("pass"),
            pl.concat_str(
                "country_code",
                (pl.col("lat") / cell).floor().cast(pl.Int64),
                (pl.col("lng") / cell).floor().cast(pl.Int64),
                separator="|",
            ).alias("k"),
        ),
    ]
    return pl.concat(frames).unique().select("record_id", "pass", pl.col("k").hash().alias("key"))


def build_index(resolved_records: pl.DataFrame, settings: ResolutionSettings | None = None) -> MatchIndex:
    """Index records that carry a `facility_id` (e.g. staged records joined to their links)."""
    settings = settings or ResolutionSettings()
    prepared = prepare(resolved_records.drop("facility_id")).join(
        resolved_records.select("record_id", "facility_id"), on="record_id"
    )
    keys = _all_keys(prepared, settings)
    keys = keys.join(keys.group_by("pass", "key").agg(pl.len().alias("frequency")), on=["pass", "key"])
    return MatchIndex(prepared.select(INDEX_COLUMNS), keys)


def match_new(
    index: MatchIndex, new_records: pl.DataFrame, settings: ResolutionSettings | None = None
) -> pl.DataFrame:
    """record_id, facility_id, match_score, decision (auto|review|new), matched_record_id per new record."""
    settings = settings or ResolutionSettings()
    new = prepare(new_records)
    keys = _all_keys(new, settings).join(index.keys, on=["pass", "key"], suffix="_existing")
    keys = keys.filter(pl.col("frequency") < settings.max_block_size)
    per_pass = {
        "os_id": 1,
        "name_token": settings.rare_name_tokens,
        "address_token": settings.rare_address_tokens,
        "geo_cell": 1,
    }
    chosen = (
        keys.select("record_id", "pass", "key", "frequency")
        .unique()
        .sort("record_id", "pass", "frequency", "key")
    )
    chosen = pl.concat(
        [
            chosen.filter(pl.col("pass") == name).group_by("record_id", maintain_order=True).head(limit)
            for name, limit in per_pass.items()
        ]
    )
    candidates = (
        keys.join(chosen.select("record_id", "pass", "key"), on=["record_id", "pass", "key"])
        .select("record_id", pl.col("record_id_existing").alias("existing"), "pass")
        .unique()
    )
    return _decide(index, new, candidates, settings)


def _decide(
    index: MatchIndex, new: pl.DataFrame, candidates: pl.DataFrame, settings: ResolutionSettings
) -> pl.DataFrame:
    """Score new x existing candidates and pick each new record's best existing facility."""
    existing = index.records.join(
        candidates.select(pl.col("existing").alias("record_id")).unique(), on="record_id"
    )
    columns = [c for c in INDEX_COLUMNS if c != "facility_id"]
    both = pl.concat([new.select(columns), existing.select(columns)]).with_row_index("idx")
    new_position = new.select("record_id").with_row_index("left")
    old_position = existing.select(pl.col("record_id").alias("existing")).with_row_index(
        "right", offset=new.height
    )
    pairs = (
        candidates.join(new_position, on="record_id")
        .join(old_position, on="existing")
        .with_columns(
            bit=pl.col("pass").replace_strict({n: 2**b for b, n in enumerate(PASSES)}, return_dtype=pl.UInt8)
        )
        .group_by("left", "right")
        .agg(pl.col("bit").sum().cast(pl.UInt8).alias("pass_mask"))
        .with_columns(pl.col("left", "right").cast(pl.UInt32))
    )
    scored = score_pairs(both, pairs, settings).scored.select("left", "right", "match_score")
    best = (
        scored.join(both.select(pl.col("idx").alias("left"), "record_id"), on="left")
        .join(
            both.select(pl.col("idx").alias("right"), pl.col("record_id").alias("matched_record_id")),
            on="right",
        )
        .join(
            index.records.select(pl.col("record_id").alias("matched_record_id"), "facility_id"),
            on="matched_record_id",
        )
        .sort("record_id", "match_score", "matched_record_id", descending=[False, True, False])
        .unique("record_id", keep="first", maintain_order=True)
    )
    linked = new.select("record_id").join(
        best.select("record_id", "facility_id", "match_score", "matched_record_id"),
        on="record_id",
        how="left",
    )
    decided = linked.with_columns(
        decision=pl.when(pl.col("match_score") >= settings.auto_match_threshold)
        .then(pl.lit("auto"))
        .when(pl.col("match_score") >= settings.review_threshold)
        .then(pl.lit("review"))
        .otherwise(pl.lit("new"))
    )
    return _resolve_leftovers(decided, new, settings)


def _resolve_leftovers(
    decided: pl.DataFrame, new: pl.DataFrame, settings: ResolutionSettings
) -> pl.DataFrame:
    """Records not linked automatically get facility IDs from resolving the new records among themselves."""
    open_ids = decided.filter(pl.col("decision") != "auto")["record_id"]
    rest = new.filter(pl.col("record_id").is_in(open_ids.implode())).drop(
        "idx", "name_norm", "core_norm", "address_norm", "units", "numbers"
    )
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
