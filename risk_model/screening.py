"""List exposure: screen facility names, parent companies and aliases against trade-restriction lists.

Every name a facility is known by (its representative name, its parent company, and every name a
linked source record gives it) goes through entity_resolution's name normalisation (legal forms
removed), then rapidfuzz's token_sort_ratio against every list name and alias in the same country (or
any country when the entry has none). Names are compared once per distinct normalised name and
country, so the cost grows with the number of distinct names in listed countries, not with pairs of
records. Before normalisation, invisible and confusable characters are stripped
(`risk_model.text_safety.comparable`); Chinese-script names are romanised by the same normalisation
entity resolution uses, so 和田泰达服装有限公司 meets "Hetian Taida Apparel Co., Ltd.". A pair scores the
better of token_sort_ratio and the plain ratio of the names with their spaces removed (so a name split or
joined by a hidden character still meets its entry). Each hit keeps the matched entry and score as
evidence and is published to `published.list_screening_hits`. Its state (candidate, confirmed,
dismissed) comes from the one state machine in `risk_model.screening_states`; reviewers' decisions
(`risk_model.list_decisions`) then confirm or dismiss hits on every run.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from entity_resolution.normalise import normalise_name_expr
from risk_model.inputs import RiskInputs, drivers_frame
from risk_model.parameters import RiskParameters
from risk_model.screening_states import CONFIRMED, DISMISSED, auto_status
from risk_model.text_safety import comparable, suspicious

HIT_SCHEMA = {
    "hit_id": pl.String,
    "facility_id": pl.String,
    "screened_name": pl.String,
    "list_name": pl.String,
    "list_entry_id": pl.String,
    "list_entity_name": pl.String,
    "match_score": pl.Float64,
    "status": pl.String,
    "status_reason": pl.String,
}
CHUNK = 20_000  # distinct names per rapidfuzz call: bounds the score matrix's memory


def screened_names(inputs: RiskInputs) -> pl.DataFrame:
    """(facility_id, country_code, screened_name, normalised): every distinct name of every facility."""
    facilities = inputs.facilities
    frames = [
        facilities.select("facility_id", "country_code", pl.col("name").alias("screened_name")),
        facilities.select("facility_id", "country_code", pl.col("parent_company").alias("screened_name")),
    ]
    if inputs.facility_records is not None:
        records = inputs.facility_records.join(
            inputs.record_links.select("record_id", "facility_id"), on="record_id", how="inner"
        ).join(facilities.select("facility_id", "country_code"), on="facility_id", how="inner")
        for column in ("name", "parent_company"):
            if column in records.columns:
                frames.append(
                    records.select("facility_id", "country_code", pl.col(column).alias("screened_name"))
                )
    names = (
        pl.concat(frames, how="vertical_relaxed")
        .drop_nulls("screened_name")
        .unique(["facility_id", "screened_name"], keep="first", maintain_order=True)
    )
    return names.with_columns(
        normalised=normalise_name_expr(_comparable("screened_name")),
        suspicious=pl.col("screened_name").map_elements(suspicious, return_dtype=pl.Boolean),
    ).filter(pl.col("normalised") != "")


def _comparable(column: str) -> pl.Expr:
    return pl.col(column).map_elements(comparable, return_dtype=pl.String)


def _list_names(inputs: RiskInputs) -> pl.DataFrame:
    return (
        inputs.entity_lists.select(
            "entry_id",
            "list_name",
            "entity_name",
            "country_code",
            pl.concat_list(pl.col("entity_name"), pl.col("aliases").fill_null([])).alias("list_alias"),
        )
        .explode("list_alias")
        .drop_nulls("list_alias")
        .with_columns(list_normalised=normalise_name_expr(_comparable("list_alias")))
        .filter(pl.col("list_normalised") != "")
    )


def _sorted_tokens(names: list[str]) -> list[str]:
    """Tokens sorted and re-joined: `fuzz.ratio` on these equals `fuzz.token_sort_ratio` on the names,
    and lets rapidfuzz compare many short strings at once (SIMD) instead of sorting per pair."""
    return [" ".join(sorted(name.split())) for name in names]


def _matches(names: list[str], choices: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """(name index, choice index, score 0-1) of every pair whose token_sort_ratio, or whose ratio with
    spaces removed, is at least `threshold` (the better of the two is the score)."""
    found = []
    forms = [
        (_sorted_tokens(names), _sorted_tokens(choices)),
        ([n.replace(" ", "") for n in names], [c.replace(" ", "") for c in choices]),
    ]
    for start in range(0, len(names), CHUNK):
        scores = np.maximum(
            *[
                process.cdist(
                    queries[start : start + CHUNK],
                    targets,
                    scorer=fuzz.ratio,
                    score_cutoff=threshold * 100,
                    workers=-1,
                    dtype=np.float32,
                )
                for queries, targets in forms
            ]
        )
        rows, cols = np.nonzero(scores >= threshold * 100)
        found += [
            (start + r, c, round(float(scores[r, c]) / 100, 4))
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        ]
    return found


def _block_pairs(names: pl.DataFrame, entries: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Matching (normalised, list_normalised, match_score) within one country block."""
    queries = names["normalised"].unique().sort().to_list()
    choices = entries["list_normalised"].unique().sort().to_list()
    pairs = _matches(queries, choices, threshold)
    return pl.DataFrame(
        [(queries[q], choices[c], score) for q, c, score in pairs],
        schema={"normalised": pl.String, "list_normalised": pl.String, "match_score": pl.Float64},
        orient="row",
    )


def screen(inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    """All hits at or above `min_match_score`, one row per facility x list entry (best name kept)."""
    rule = params["list_screening"]
    names, entries = screened_names(inputs), _list_names(inputs)
    if names.is_empty() or entries.is_empty():
        return pl.DataFrame(schema=HIT_SCHEMA)
    hits = []
    for country in entries["country_code"].unique().sort(nulls_last=True).to_list():
        block = entries.filter(
            pl.col("country_code").is_null() if country is None else pl.col("country_code") == country
        )
        candidates = names if country is None else names.filter(pl.col("country_code") == country)
        if candidates.is_empty():
            continue
        pairs = _block_pairs(candidates, block, rule["min_match_score"])
        hits.append(
            candidates.rename({"country_code": "facility_country"})
            .join(pairs, on="normalised")
            .join(block.rename({"country_code": "entry_country"}), on="list_normalised")
        )
    hits = [frame for frame in hits if frame.height]
    if not hits:
        return pl.DataFrame(schema=HIT_SCHEMA)
    frame = (
        pl.concat(hits)
        .rename({"entry_id": "list_entry_id", "entity_name": "list_entity_name"})
        .sort("match_score", "screened_name", descending=[True, False])
        .unique(["facility_id", "list_entry_id"], keep="first", maintain_order=True)
    )
    return (
        auto_status(frame)
        .with_columns(
            hit_id=pl.concat_str("facility_id", "list_entry_id", separator=":").map_elements(
                lambda key: hashlib.sha256(key.encode()).hexdigest()[:16], return_dtype=pl.String
            ),
        )
        .select(HIT_SCHEMA.keys())
        .sort("hit_id")
    )


def list_component(hits: pl.DataFrame, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """List-exposure drivers and score: a confirmed hit scores 100, a pending one match score x
    `pending_hit_points`, a dismissed one (rejected by a reviewer) nothing. A reviewer's decision is
    named in the driver, dated by it (who decided stays in resolved.list_hit_decisions)."""
    points = params["list_screening"]["pending_hit_points"]
    if "decided_at" not in hits.columns:
        hits = hits.with_columns(decided_at=pl.lit(None, pl.Datetime("us")))
    reviewed = pl.col("decided_at").is_not_null()
    drivers = drivers_frame(
        hits.filter(pl.col("status") != DISMISSED).with_columns(
            component=pl.lit("list_exposure"),
            points=pl.when(pl.col("status") == CONFIRMED)
            .then(100.0)
            .otherwise(pl.col("match_score") * points),
            description=pl.format(
                "Name '{}' matches {} entry '{}' (score {}, {})",
                "screened_name",
                pl.col("list_name").str.replace_all("_", " "),
                "list_entity_name",
                pl.col("match_score").round(2),
                pl.when(reviewed)
                .then(pl.format("{} by a reviewer on {}", "status", pl.col("decided_at").dt.date()))
                .otherwise(pl.col("status")),
            ),
            evidence_source=pl.col("list_name"),
            evidence_date=pl.col("decided_at").dt.date(),
            evidence_list_entry=pl.col("list_entry_id"),
        )
    )
    scores = drivers.group_by("facility_id").agg(
        pl.col("points").max().clip(0, 100).alias("list_exposure_score")
    )
    return drivers, scores
