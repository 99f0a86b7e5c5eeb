"""List exposure: screen facility names and parent companies against trade-restriction entity lists.

Names on both sides go through entity_resolution's name normalisation (legal forms removed), then
rapidfuzz's token_sort_ratio over every (facility name, list name or alias) pair in the same country
(or any country when the entry has none). Each hit keeps the matched entry and score as evidence and
is published to `published.list_screening_hits` for review; it stays `pending_review` until a person
confirms it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from entity_resolution.normalise import normalise_name
from risk_model.inputs import RiskInputs, drivers_frame
from risk_model.parameters import RiskParameters

HIT_SCHEMA = {
    "hit_id": pl.String,
    "facility_id": pl.String,
    "screened_name": pl.String,
    "list_name": pl.String,
    "list_entry_id": pl.String,
    "list_entity_name": pl.String,
    "match_score": pl.Float64,
    "status": pl.String,
}


def screen(inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    """All hits at or above `min_match_score`, one row per facility x list entry (best name kept)."""
    threshold = params["list_screening"]["min_match_score"]
    screened = pl.concat(
        [
            inputs.facilities.select("facility_id", "country_code", pl.col("name").alias("screened_name")),
            inputs.facilities.select(
                "facility_id", "country_code", pl.col("parent_company").alias("screened_name")
            ),
        ]
    ).drop_nulls("screened_name")
    entries = (
        inputs.entity_lists.select(
            "entry_id",
            "list_name",
            "entity_name",
            "country_code",
            pl.concat_list(pl.col("entity_name"), pl.col("aliases").fill_null([])).alias("list_alias"),
        )
        .explode("list_alias")
        .drop_nulls("list_alias")
    )
    if screened.is_empty() or entries.is_empty():
        return pl.DataFrame(schema=HIT_SCHEMA)
    scores = (
        process.cdist(
            [normalise_name(n) for n in screened["screened_name"]],
            [normalise_name(n) for n in entries["list_alias"]],
            scorer=fuzz.token_sort_ratio,
            workers=-1,
            dtype=np.float64,
        )
        / 100.0
    )
    rows, cols = np.nonzero(scores >= threshold)
    hits = []
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        facility, entry = screened.row(row, named=True), entries.row(col, named=True)
        if entry["country_code"] and entry["country_code"] != facility["country_code"]:
            continue
        hits.append(
            {
                "facility_id": facility["facility_id"],
                "screened_name": facility["screened_name"],
                "list_name": entry["list_name"],
                "list_entry_id": entry["entry_id"],
                "list_entity_name": entry["entity_name"],
                "match_score": round(float(scores[row, col]), 4),
            }
        )
    if not hits:
        return pl.DataFrame(schema=HIT_SCHEMA)
    frame = (
        pl.DataFrame(hits)
        .sort("match_score", descending=True)
        .unique(["facility_id", "list_entry_id"], keep="first", maintain_order=True)
    )
    return (
        frame.with_columns(
            hit_id=pl.concat_str("facility_id", "list_entry_id", separator=":").map_elements(
                lambda key: hashlib.sha256(key.encode()).hexdigest()[:16], return_dtype=pl.String
            ),
            status=pl.lit("pending_review"),
        )
        .select(HIT_SCHEMA.keys())
        .sort("hit_id")
    )


def list_component(hits: pl.DataFrame, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """List-exposure drivers and score from screening hits (pending hits score `pending_hit_points`)."""
    points = params["list_screening"]["pending_hit_points"]
    drivers = drivers_frame(
        hits.with_columns(
            component=pl.lit("list_exposure"),
            points=pl.when(pl.col("status") == "confirmed")
            .then(100.0)
            .otherwise(pl.col("match_score") * points),
            description=pl.format(
                "Name '{}' matches {} entry '{}' (score {}, {})",
                "screened_name",
                pl.col("list_name").str.replace_all("_", " "),
                "list_entity_name",
                pl.col("match_score").round(2),
                "status",
            ),
            evidence_source=pl.col("list_name"),
            evidence_list_entry=pl.col("list_entry_id"),
        )
    )
    scores = drivers.group_by("facility_id").agg(
        pl.col("points").max().clip(0, 100).alias("list_exposure_score")
    )
    return drivers, scores
