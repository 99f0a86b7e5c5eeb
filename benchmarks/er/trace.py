"""Inside the engine on a labelled split: its candidate pairs, pair scores and clusters, and exact reach.

`entity_resolution/` is read-only for the benchmark, and its public interfaces (`resolve_frame`, the
CLI) return only the final facilities. `trace` runs the same stages `entity_resolution.resolve.resolve`
runs - `prepare`, `blocking.candidate_pairs`, `scoring.score_pairs`, `clustering.cluster` with no human
decisions - through those modules' own functions and settings, and lines each engine record index
(`idx`) up with its labels. `errors.py` checks that the traced clusters are `resolve_frame`'s partition.

`reach` needs blocking only: the share of true pairs the engine ever compares, directly (the pair is a
candidate pair) and transitively (the two records are joined by a chain of candidate pairs inside their
own facility: what a perfect scorer could still link without a wrong merge), and candidate pairs per
record (overall and per blocking pass). Both count pairs through group sizes, never by listing true
pairs, so a 1M split with big suppliers costs no more than its candidate pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from benchmarks.er.engine import INPUT_COLUMNS
from entity_resolution.blocking import blocking_report, candidate_pairs
from entity_resolution.chain_probes import cluster_with_probes
from entity_resolution.resolve import prepare
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import to_records

LABELS = ["true_facility", "group_id", "source", "kind", "noise"]


@dataclass(frozen=True)
class Trace:
    """One labelled split as the engine sees it (rows of `prepared` in `idx` order)."""

    prepared: pl.DataFrame  # the engine's prepared records plus LABELS
    pairs: pl.DataFrame  # candidate pairs: left, right, pass_mask
    scores: pl.DataFrame | None  # every candidate pair: left, right, match_score, dismissed
    labels: np.ndarray | None  # the engine's cluster label per idx
    settings: ResolutionSettings


def prepared_records(labelled: pl.DataFrame) -> pl.DataFrame:
    """The engine's prepared records (as `resolve_frame` prepares them) with the labels, by `idx`."""
    frame = labelled.select(INPUT_COLUMNS).with_columns(pl.col("lat", "lng").cast(pl.Float64))
    prepared = prepare(to_records(frame))
    labels = labelled.select("record_id", *[c for c in LABELS if c in labelled.columns])
    return prepared.join(labels, on="record_id", how="left", maintain_order="left").sort("idx")


def trace(labelled: pl.DataFrame, settings: ResolutionSettings | None = None, score: bool = True) -> Trace:
    """Blocking (and with `score`, scoring and clustering) of `labelled` exactly as `resolve` runs them."""
    settings = settings or ResolutionSettings()
    prepared = prepared_records(labelled)
    pairs = candidate_pairs(prepared, settings)
    if not score:
        return Trace(prepared, pairs, None, None, settings)
    scoring = score_pairs(prepared, pairs, settings)
    labels = cluster_with_probes(prepared, scoring, settings, set(), set())
    scores = pl.concat(
        [
            scoring.scored.select("left", "right", "match_score", dismissed=pl.lit(False)),
            scoring.dismissed.select("left", "right", match_score=pl.lit(0.0), dismissed=pl.lit(True)),
        ]
    )
    return Trace(prepared, pairs, scores, np.asarray(labels), settings)


def pair_count(frame: pl.DataFrame, columns: list[str]) -> int:
    """Unordered pairs of rows agreeing on every column of `columns`."""
    sizes = frame.group_by(columns).len()["len"].cast(pl.Int64)
    return int((sizes * (sizes - 1) // 2).sum())


def facility_components(facility: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components over the given edges kept only where both ends share a true facility."""
    inside = facility[left] == facility[right]
    n = len(facility)
    graph = coo_matrix(
        (np.ones(int(inside.sum()), dtype=np.int8), (left[inside], right[inside])), shape=(n, n)
    )
    return connected_components(graph, directed=False)[1]


def facility_codes(prepared: pl.DataFrame) -> np.ndarray:
    """Each record's true facility as an integer code, in `idx` order."""
    return prepared["true_facility"].cast(pl.Categorical).to_physical().to_numpy()


def reach(tr: Trace) -> dict:
    """Exact blocking reach (direct and within-facility transitive) and candidate pairs per record."""
    facility = facility_codes(tr.prepared)
    left, right = tr.pairs["left"].to_numpy().astype(np.int64), tr.pairs["right"].to_numpy().astype(np.int64)
    truth = pl.DataFrame({"f": facility, "c": facility_components(facility, left, right)})
    true_pairs = pair_count(truth, ["f"])
    direct = int((facility[left] == facility[right]).sum())
    transitive = pair_count(truth, ["f", "c"])
    report = blocking_report(tr.prepared, tr.pairs)
    return {
        "records": tr.prepared.height,
        "true_pairs": true_pairs,
        "true_pairs_compared": direct,
        "reach_direct": round(direct / true_pairs, 4) if true_pairs else 1.0,
        "reach_transitive": round(transitive / true_pairs, 4) if true_pairs else 1.0,
        "candidate_pairs": report["candidate_pairs"],
        "pairs_per_record": report["pairs_per_record"],
        "pairs_by_pass": {
            k.removeprefix("pairs_from_"): v for k, v in report.items() if k.startswith("pairs_from_")
        },
    }
