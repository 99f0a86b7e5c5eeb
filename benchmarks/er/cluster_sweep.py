"""Sweep the clustering settings on a dev split: block and score once, then cluster per variant.

    .venv/bin/python -m benchmarks.er.cluster_sweep er2-100k-dev [--window 3] VARIANT ...

A VARIANT is `probes:links_per_difference[:auto]` (e.g. `2:4`, `0:4` = no chain probes, `2:3:0.6`).
The split is read from benchmarks/results/er-data/ (write it with `benchmarks.er.run` or
`benchmarks.er.errors`; only dev splits are accepted). Prints pairwise precision, recall and F1 of the
partition `resolve` would give with each variant (`chain_probes.cluster_with_probes`, no human
decisions), so the clustering choices in docs/benchmarks-entity-resolution.md can be re-measured
without re-running blocking and scoring per variant.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import polars as pl

from benchmarks.er.generator import DATA_DIR
from benchmarks.er.metrics import pairwise
from benchmarks.er.trace import prepared_records
from entity_resolution.blocking import candidate_pairs
from entity_resolution.chain_probes import cluster_with_probes
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings


def variant_settings(base: ResolutionSettings, variant: str) -> ResolutionSettings:
    """Settings for one `probes:links_per_difference[:auto]` variant."""
    parts = variant.split(":")
    settings = replace(base, probes_per_record=int(parts[0]), links_per_difference=float(parts[1]))
    if len(parts) > 2:
        auto = float(parts[2])
        settings = replace(
            settings, auto_match_threshold=auto, review_threshold=min(settings.review_threshold, auto - 0.05)
        )
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", help="a dev split in benchmarks/results/er-data/, e.g. er2-100k-dev")
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--window", type=int, default=ResolutionSettings().neighbourhood_window)
    args = parser.parse_args()
    if not args.split.endswith("-dev"):
        raise SystemExit(f"{args.split}: only development splits are swept")
    labelled = pl.read_parquet(DATA_DIR / f"{args.split}.parquet")
    base = replace(ResolutionSettings(), neighbourhood_window=args.window)
    started = time.perf_counter()
    prepared = prepared_records(labelled)
    scoring = score_pairs(prepared, candidate_pairs(prepared, base), base)
    print(f"{args.split}: {scoring.scored.height:,} pairs scored in {time.perf_counter() - started:.1f} s")
    truth = prepared.select("true_facility")
    for variant in args.variants:
        labels = cluster_with_probes(prepared, scoring, variant_settings(base, variant), set(), set())
        figures = pairwise(truth.with_columns(cluster=pl.Series(labels)))
        print(
            f"{variant}: precision {figures['precision']:.4f} recall {figures['recall']:.4f} "
            f"F1 {figures['f1']:.4f}"
        )


if __name__ == "__main__":
    main()
