"""Peers run beside the engine on the same input: a naive rapidfuzz baseline and Splink 5 (DuckDB).

Both see only the six input columns and share one plain normalisation (ASCII, lower case,
punctuation to spaces, legal-form words dropped); countries go through the project's public
`connectors.countries.to_alpha2` like the engine's input.
- naive: block on country + first core token of the name; inside a block, link pairs with
  rapidfuzz `token_sort_ratio` >= 90 on the normalised name; union-find.
- Splink: blocking rules country + first name token, country + last name token, country + 0.05 degree
  geo cell; comparisons on name (Jaro-Winkler 0.95 / 0.88 / 0.8), address (Jaro-Winkler 0.9 / 0.75),
  country (exact) and position (0.5 / 2 / 10 km); lambda from a deterministic rule (same country,
  name and address; recall 0.5), u by random sampling (5M pairs, seed 1), m by three EM sessions
  (country + first token, country + geo cell, first + last token); clusters at p >= 0.95. Modelling
  the first / last tokens as well (exact, term-frequency adjusted) scored better at 10k (F1 0.60)
  but collapsed into one giant cluster at 100k (F1 0.02), so they are blocked on, not modelled.
`python -m benchmarks.er.peers naive|splink INPUT OUTPUT` runs one peer (the runner measures it).
"""

from __future__ import annotations

import logging
import re
import sys
from functools import cache

import numpy as np
import polars as pl
from anyascii import anyascii
from rapidfuzz import fuzz, process

from benchmarks.er.vocabulary import LEGAL_PREFIXES, LEGAL_SUFFIXES
from connectors.countries import to_alpha2
from entity_resolution.clustering import components

NAIVE_THRESHOLD = 90
SPLINK_THRESHOLD = 0.95
SPLINK_SWEEP = (0.5, 0.8, 0.9, 0.99, 0.999)
GEO_CELL_DEGREES = 0.05
NAIVE_KEYS = [["country_code", "name_first_token"]]
SPLINK_KEYS = [
    ["country_code", "name_first_token"],
    ["country_code", "name_last_token"],
    ["country_code", "geo_cell"],
]
_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


@cache
def legal_words() -> frozenset[str]:
    """Words that make up legal forms ("co", "ltd", "pvt", "gmbh", "tnhh"): not identity."""
    words = {w for group in (*LEGAL_SUFFIXES, *LEGAL_PREFIXES) for f in group for w in _plain(f).split()}
    return frozenset(w for w in words if w not in {"de", "and"}) | {"company", "limited", "the"}


def _plain(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(_NON_ALPHANUMERIC.sub(" ", anyascii(text).lower().replace("&", " and ")).split())


def core_name(name: str | None) -> str:
    """The name without legal-form words (all words kept if nothing else is left)."""
    words = _plain(name).split()
    core = [w for w in words if w not in legal_words()]
    return " ".join(core or words)


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """Peer input: record_id, name_norm, first / last name token, address_norm, country_code, lat,
    lng, geo_cell."""
    countries = {v: to_alpha2(v) or v.strip().upper() for v in frame["country"].drop_nulls().unique()}
    names = frame["name"].map_elements(core_name, return_dtype=pl.String)
    return frame.select(
        "record_id",
        name_norm=names,
        address_norm=frame["address"].map_elements(_plain, return_dtype=pl.String).replace("", None),
        country_code=pl.col("country").replace_strict(countries, default=None, return_dtype=pl.String),
        lat=pl.col("lat").cast(pl.Float64),
        lng=pl.col("lng").cast(pl.Float64),
    ).with_columns(
        name_first_token=pl.col("name_norm").str.split(" ").list.first(),
        name_last_token=pl.col("name_norm").str.split(" ").list.last(),
        geo_cell=pl.concat_str(
            (pl.col("lat") / GEO_CELL_DEGREES).floor().cast(pl.Int64),
            (pl.col("lng") / GEO_CELL_DEGREES).floor().cast(pl.Int64),
            separator=":",
        ),
    )


def naive(frame: pl.DataFrame) -> pl.DataFrame:
    """record_id, cluster by the naive rapidfuzz baseline (see module docstring)."""
    prepared = prepare(frame).with_row_index("row")
    blocks = (
        prepared.filter(pl.col("name_first_token").is_not_null() & pl.col("country_code").is_not_null())
        .group_by("country_code", "name_first_token")
        .agg("row", "name_norm")
        .filter(pl.col("row").list.len() > 1)
    )
    links: list[tuple[int, int]] = []
    for rows, names in blocks.select("row", "name_norm").iter_rows():
        scores = process.cdist(
            names, names, scorer=fuzz.token_sort_ratio, score_cutoff=NAIVE_THRESHOLD, workers=-1
        )
        left, right = np.nonzero(np.triu(scores, k=1))
        links.extend((rows[a], rows[b]) for a, b in zip(left.tolist(), right.tolist(), strict=True))
    pairs = np.array(links, dtype=np.int64).reshape(-1, 2)
    labels = components(prepared.height, pairs[:, 0], pairs[:, 1])
    return prepared.select("record_id", cluster=pl.Series(labels, dtype=pl.Int64).cast(pl.String))


def splink(frame: pl.DataFrame, threshold: float = SPLINK_THRESHOLD) -> pl.DataFrame:
    """record_id, cluster by Splink 5 on DuckDB at `threshold` (see module docstring), plus
    `cluster@<p>` columns clustering the same predictions at each SPLINK_SWEEP threshold."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    prepared = prepare(frame).rename({"record_id": "unique_id"})
    db_api = DuckDBAPI()
    table = db_api.register(prepared.to_arrow())
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(*keys) for keys in SPLINK_KEYS],
        comparisons=[
            cl.JaroWinklerAtThresholds("name_norm", [0.95, 0.88, 0.8]),
            cl.JaroWinklerAtThresholds("address_norm", [0.9, 0.75]),
            cl.ExactMatch("country_code"),
            cl.DistanceInKMAtThresholds("lat", "lng", [0.5, 2, 10]),
        ],
    )
    linker = Linker(table, settings, log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("country_code", "name_norm", "address_norm")], recall=0.5
    )
    training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("country_code", "name_first_token"))
    training.estimate_parameters_using_expectation_maximisation(block_on("country_code", "geo_cell"))
    training.estimate_parameters_using_expectation_maximisation(
        block_on("name_first_token", "name_last_token")
    )
    predictions = linker.inference.predict(threshold_match_probability=min(SPLINK_SWEEP))
    result = None
    for value in (threshold, *SPLINK_SWEEP):
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, value)
        column = "cluster" if value == threshold else f"cluster@{value}"
        labelled = pl.from_arrow(clusters.as_pyarrow_table()).select(
            pl.col("unique_id").alias("record_id"), pl.col("cluster_id").cast(pl.String).alias(column)
        )
        result = labelled if result is None else result.join(labelled, on="record_id")
    return result


def main(peer: str, input_path: str, output_path: str) -> None:
    """Child process: run one peer on the input file and write record_id, cluster."""
    frame = pl.read_parquet(input_path)
    result = {"naive": naive, "splink": splink}[peer](frame)
    result.write_parquet(output_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
