"""Incremental matching benchmark: 1,000 new records against an index of ~1M resolved records.

Usage (after `python -m benchmarks.er.run --scale 1m` has written the 1M test split):
    .venv/bin/python -m benchmarks.er_incremental
1,000 records are held out of the 1M test split; the rest is indexed with their true facility as
facility_id (`entity_resolution.incremental.build_index`, timed separately: it is built once and
reused). The held-out records are matched (`match_new`, timed). Reported: seconds, decisions, and
how often a held-out record whose facility still has mentions in the index is linked to it (auto)
or sent to review, and how often a record of a facility absent from the index is wrongly linked.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from entity_resolution.incremental import build_index, match_new
from entity_resolution.standalone import to_records

DATA = Path(__file__).resolve().parent / "results" / "er-data" / "er-1m-test.parquet"
HELD_OUT = 1_000


def main() -> None:
    frame = pl.read_parquet(DATA).with_columns(pl.col("lat", "lng").cast(pl.Float64))
    held = frame.sample(HELD_OUT, seed=20261123)
    rest = frame.join(held.select("record_id"), on="record_id", how="anti")
    columns = ["record_id", "name", "address", "country", "lat", "lng"]
    existing = to_records(rest.select(columns)).join(
        rest.select("record_id", pl.col("true_facility").cast(pl.String).alias("facility_id")), on="record_id"
    )
    started = time.perf_counter()
    index = build_index(existing)
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = match_new(index, to_records(held.select(columns)))
    matched = time.perf_counter() - started
    truth = held.select("record_id", pl.col("true_facility").cast(pl.String).alias("truth"))
    indexed = set(existing["facility_id"].unique().to_list())
    scored = result.join(truth, on="record_id").with_columns(known=pl.col("truth").is_in(list(indexed)))
    known, unknown = scored.filter(pl.col("known")), scored.filter(~pl.col("known"))
    linked_right = known.filter(
        (pl.col("decision") == "auto") & (pl.col("facility_id") == pl.col("truth"))
    ).height
    in_review = known.filter(pl.col("decision") == "review").height
    linked_wrong = scored.filter(
        (pl.col("decision") == "auto") & (pl.col("facility_id") != pl.col("truth"))
    ).height
    print(f"index: {existing.height} records, built in {built:.1f} s (once)")
    print(
        f"matched {HELD_OUT} new records in {matched:.2f} s; "
        f"decisions {dict(result['decision'].value_counts().iter_rows())}"
    )
    print(
        f"records whose facility is indexed: {known.height}; linked to it {linked_right} "
        f"({linked_right / max(known.height, 1):.1%}), sent to review {in_review}"
    )
    print(
        f"records of facilities not in the index: {unknown.height}; wrong auto links overall: {linked_wrong}"
    )


if __name__ == "__main__":
    main()
