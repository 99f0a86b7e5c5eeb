"""Scoring: named features per candidate pair, combined into one match score from 0 to 1.

Features (all kept, so every link can be explained):
- `name_score`: mean of rapidfuzz token_sort_ratio and token_set_ratio on normalised names;
- `address_score`: token_set_ratio on normalised addresses (null when either is missing);
- `distance_km`: great-circle distance (null when either has no coordinates);
- `os_id_match`: True/False when both carry an OS ID, else null;
- `unit_conflict`: the names carry different unit/plant/building numbers.

Combination: weighted name/address similarity (name alone when an address is missing), plus a small
bonus when closer than `near_km`, a penalty when farther than `far_km`; equal OS IDs score 1.0;
different OS IDs or different unit numbers cap the score at `conflict_cap` (below review).
All string features are computed in batches with `rapidfuzz.process.cpdist`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from entity_resolution.settings import ResolutionSettings

EARTH_RADIUS_KM = 6371.0


def _pairwise(left: list[str], right: list[str], scorer) -> np.ndarray:
    if not left:
        return np.zeros(0, dtype=np.float64)
    return process.cpdist(left, right, scorer=scorer, workers=-1, dtype=np.float64) / 100.0


def haversine_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Great-circle distance in km between coordinate arrays (NaN where any input is missing)."""
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def score_pairs(records: pl.DataFrame, pairs: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Add the named features and `match_score` to each candidate pair (`left`, `right` indexes)."""
    columns = ["name_norm", "address_norm", "lat", "lng", "os_id", "units"]
    left = records.select(columns)[pairs["left"].to_numpy()]
    right = records.select(columns)[pairs["right"].to_numpy()]
    names_l, names_r = left["name_norm"].to_list(), right["name_norm"].to_list()
    name_score = (
        _pairwise(names_l, names_r, fuzz.token_sort_ratio) + _pairwise(names_l, names_r, fuzz.token_set_ratio)
    ) / 2
    addr_l = left["address_norm"].fill_null("").to_list()
    addr_r = right["address_norm"].fill_null("").to_list()
    address_score = _pairwise(addr_l, addr_r, fuzz.token_set_ratio)
    has_address = np.array([bool(a) for a in addr_l], dtype=bool) & np.array(
        [bool(a) for a in addr_r], dtype=bool
    )
    distance = haversine_km(
        left["lat"].fill_null(np.nan).to_numpy(),
        left["lng"].fill_null(np.nan).to_numpy(),
        right["lat"].fill_null(np.nan).to_numpy(),
        right["lng"].fill_null(np.nan).to_numpy(),
    )
    features = pairs.with_columns(
        name_score=pl.Series(name_score),
        address_score=pl.Series(np.where(has_address, address_score, np.nan)).fill_nan(None),
        distance_km=pl.Series(distance).fill_nan(None),
        os_id_match=pl.when(left["os_id"].is_null() | right["os_id"].is_null())
        .then(None)
        .otherwise(pl.Series(left["os_id"] == right["os_id"])),
        unit_conflict=pl.Series(left["units"].fill_null("") != right["units"].fill_null("")),
    )
    return features.with_columns(match_score=_combine(settings))


def _combine(settings: ResolutionSettings) -> pl.Expr:
    """The documented combination of features into `match_score` (see module docstring)."""
    similarity = (
        pl.when(pl.col("address_score").is_null())
        .then(pl.col("name_score"))
        .otherwise(
            settings.name_weight * pl.col("name_score") + settings.address_weight * pl.col("address_score")
        )
    )
    geo = (
        pl.when(pl.col("distance_km") < settings.near_km)
        .then(settings.near_bonus)
        .when(pl.col("distance_km") > settings.far_km)
        .then(-settings.far_penalty)
        .otherwise(0.0)
    )
    combined = (similarity + geo).clip(0.0, 1.0)
    conflict = pl.col("os_id_match").eq(False) | pl.col("unit_conflict")
    return (
        pl.when(pl.col("os_id_match").eq(True))
        .then(1.0)
        .when(conflict)
        .then(pl.min_horizontal(combined, pl.lit(settings.conflict_cap)))
        .otherwise(combined)
        .round(4)
    )


def explain(row: dict) -> str:
    """A plain-language reason for a pair's score, for `resolved.record_links.explanation`."""
    parts = [f"name similarity {row['name_score']:.2f}"]
    if row.get("address_score") is not None:
        parts.append(f"address similarity {row['address_score']:.2f}")
    if row.get("distance_km") is not None:
        parts.append(f"{row['distance_km']:.1f} km apart")
    if row.get("os_id_match"):
        parts.append("same OS ID")
    if row.get("unit_conflict"):
        parts.append("different unit numbers")
    return ", ".join(parts) + f" -> score {row['match_score']:.2f}"
