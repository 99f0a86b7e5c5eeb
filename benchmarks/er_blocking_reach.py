"""Exact blocking reach of the engine on a labelled split: the share of true pairs that blocking
proposes as candidate pairs (the ceiling on recall), and candidate pairs per record, per pass.

Usage: .venv/bin/python -m benchmarks.er_blocking_reach [--scale 100k] [--split test]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from entity_resolution.blocking import blocking_report, candidate_pairs
from entity_resolution.resolve import prepare
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import to_records

DATA = Path(__file__).resolve().parent / "results" / "er-data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="100k")
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    frame = pl.read_parquet(DATA / f"er-{args.scale}-{args.split}.parquet").with_columns(
        pl.col("lat", "lng").cast(pl.Float64)
    )
    prepared = prepare(to_records(frame.select("record_id", "name", "address", "country", "lat", "lng")))
    truth = prepared.select("idx", "record_id").join(
        frame.select("record_id", "true_facility"), on="record_id"
    )
    true_pairs = (
        truth.join(truth, on="true_facility", suffix="_r")
        .filter(pl.col("idx") < pl.col("idx_r"))
        .select(pl.col("idx").cast(pl.UInt32).alias("left"), pl.col("idx_r").cast(pl.UInt32).alias("right"))
    )
    pairs = candidate_pairs(prepared, ResolutionSettings())
    reached = true_pairs.join(pairs, on=["left", "right"]).height
    print(
        f"{args.scale} {args.split}: {true_pairs.height} true pairs, {reached} proposed by blocking "
        f"-> reach {reached / max(true_pairs.height, 1):.1%}"
    )
    print(blocking_report(prepared, pairs))


if __name__ == "__main__":
    main()
