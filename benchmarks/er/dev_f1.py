"""Pairwise precision, recall and F1 of the engine on labelled splits: the figure rules are chosen on.

`python -m benchmarks.er.dev_f1 er-10k-dev er2-10k-dev er-100k-dev er2-100k-dev` resolves each named
split of `benchmarks/results/er-data/` (written by the generators) exactly as `resolve` does
(`benchmarks.er.trace`) and prints one line per split: precision, recall, F1, candidate pairs per
record and seconds. Normalisation and vocabulary changes are measured with it on the dev splits only;
the test splits are for the benchmark's reported figures (`benchmarks.er.run`), never for choices.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from benchmarks.er.generator import DATA_DIR
from benchmarks.er.metrics import pairwise
from benchmarks.er.trace import trace

DEFAULT_SETS = ("er-10k-dev", "er2-10k-dev", "er-100k-dev", "er2-100k-dev")


def split_figures(path: Path) -> dict[str, float]:
    """Precision, recall, F1, pairs per record and seconds of the engine on the labelled split at
    `path` (input columns plus `true_facility`)."""
    started = time.perf_counter()
    traced = trace(pl.read_parquet(path))
    clusters = traced.prepared.select("true_facility").with_columns(cluster=pl.Series(traced.labels))
    figures = pairwise(clusters)
    return {
        "precision": figures["precision"],
        "recall": figures["recall"],
        "f1": figures["f1"],
        "pairs_per_record": traced.pairs.height / max(traced.prepared.height, 1),
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(DEFAULT_SETS), help="e.g. er-10k-dev er2-100k-dev")
    for name in parser.parse_args(argv).sets:
        if "-test" in name:
            parser.error(f"{name}: choices are made on dev splits; the test splits are for benchmarks.er.run")
        f = split_figures(DATA_DIR / f"{name}.parquet")
        print(
            f"{name}: P {f['precision']:.4f} R {f['recall']:.4f} F1 {f['f1']:.4f} "
            f"pairs/record {f['pairs_per_record']:.2f} {f['seconds']:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
