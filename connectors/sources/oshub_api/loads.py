"""Which raw.oshub_api rows staging reads when full pulls and one-country pulls overlap.

raw.oshub_api is append-only: every finished pull stays, registered in raw.loads. Staging reads the
latest load of each source_file, and a one-country pull has its own source_file
(``api:/api/v1/production-locations/?country=VN``), so re-pulling a country supersedes that country's
earlier pull. Between the latest full pull of production locations and the latest pull of a country,
the newer one wins for that country: a country pulled after the full pull replaces the full pull's
records of that country; a country pulled before it (or at the same moment) is superseded by it.
Pulls of other endpoints (``/api/facilities/``) are left as they are.
"""

from __future__ import annotations

import polars as pl

from connectors.sources.oshub_api.records import PRODUCTION_LOCATIONS, source_file, split_source_file

FULL_PULL = source_file(PRODUCTION_LOCATIONS)
LOCATION_COUNTRY = "$.country.alpha_2"  # where a production-location record names its country


def current_rows(raw: pl.DataFrame, latest_loads: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``raw`` (the latest load of each source_file) that staging should read.

    ``latest_loads`` has one row per source_file of those loads: ``source_file``, ``load_id`` and
    ``loaded_at``. A full-pull record whose country cannot be read is kept (staging quarantines it).
    """
    full = latest_loads.filter(pl.col("source_file") == FULL_PULL)
    if full.is_empty() or raw.is_empty():
        return raw
    full_loaded_at = full["loaded_at"].max()
    newer_countries: list[str] = []
    superseded_loads: list[str] = []
    for name, load_id, loaded_at in latest_loads.select("source_file", "load_id", "loaded_at").iter_rows():
        endpoint, country = split_source_file(name)
        if endpoint != FULL_PULL or country is None:
            continue
        if loaded_at > full_loaded_at:
            newer_countries.append(country)
        else:
            superseded_loads.append(load_id)
    country = pl.col("payload").str.json_path_match(LOCATION_COUNTRY)
    replaced_in_full = (pl.col("source_file") == FULL_PULL) & country.is_in(newer_countries).fill_null(False)
    return raw.filter(~pl.col("load_id").is_in(superseded_loads) & ~replaced_in_full)
