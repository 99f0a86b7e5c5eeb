"""Incremental vs full resolution through the warehouse, as the `resolved_tables` asset runs them.

Usage: .venv/bin/python -m benchmarks.er_incremental_update [--scale 100k] [--new 1000] [--reuse-data]

The labelled test split is the warehouse's staged.facility_records; `--new` records are held out and
the rest resolved in full (the previous state: resolved tables + match index in a temporary DuckDB
file). The held-out records then arrive as a new list and are resolved twice from that same state:
incrementally and in full, each timed end to end (reading the warehouse, resolving, writing every
table in one transaction; `assets.resolution.resolve_into_warehouse`). Reported: seconds, facilities
whose row changed, pairwise F1 of both against the truth, and how many records the two assign to
different facilities.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import polars as pl

from assets.resolution import resolve_into_warehouse
from benchmarks.er import generator, metrics
from benchmarks.er.run import labelled_split
from data_contracts import load_contract
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import to_records
from warehouse.database import Warehouse

COLUMNS = ["record_id", "name", "address", "country", "lat", "lng"]


def staged(frame: pl.DataFrame) -> pl.DataFrame:
    """The labelled records as staged.facility_records rows (raw values = cleaned ones)."""
    records = to_records(frame.select(COLUMNS).with_columns(pl.col("lat", "lng").cast(pl.Float64)))
    contract = load_contract("staged.facility_records")
    filled = records.with_columns(
        load_id=pl.lit("benchmark"),
        source_file=pl.lit("benchmark.parquet"),
        source_row=pl.int_range(1, pl.len() + 1),
        name_raw=pl.col("name"),
        address_raw=pl.col("address"),
        country_raw=pl.col("country_code"),
    )
    missing = [c for c in contract.column_names if c not in filled.columns]
    return contract.conform(filled.with_columns(pl.lit(None).alias(c) for c in missing))


def timed_run(database: Path, records: pl.DataFrame, full: bool) -> tuple[float, dict]:
    warehouse = Warehouse(database=str(database))
    warehouse.replace("staged.facility_records", records)
    started = time.perf_counter()
    plan, result = resolve_into_warehouse(warehouse, ResolutionSettings(), full)
    seconds = time.perf_counter() - started
    assert plan.mode == ("full" if full else "incremental"), plan
    return seconds, {"plan": plan.reason, "report": result.report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="100k")
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--reuse-data", action="store_true")
    args = parser.parse_args()
    frame, _ = labelled_split(args.scale, "test", generator.DEFAULT_SEED, args.reuse_data)
    held = frame.sample(args.new, seed=20261123)
    work = Path(tempfile.mkdtemp(prefix="flrisk-er-incremental-"))
    try:
        base = work / "previous.duckdb"
        seconds, _ = timed_run(base, staged(frame.join(held, on="record_id", how="anti")), full=True)
        print(f"previous state: {frame.height - args.new} records resolved in full in {seconds:.1f} s")
        everything = staged(frame)
        results = {}
        for mode, full in (("incremental", False), ("full", True)):
            database = work / f"{mode}.duckdb"
            shutil.copy(base, database)
            seconds, detail = timed_run(database, everything, full)
            links = Warehouse(database=str(database)).read("resolved.record_links")
            scored = frame.select("record_id", "true_facility").join(
                links.select("record_id", pl.col("facility_id").alias("cluster")), on="record_id"
            )
            results[mode] = links
            accuracy = metrics.pairwise(scored)
            print(
                f"{mode:>11}: {seconds:.2f} s end to end ({detail['plan']}); "
                f"pairwise P {accuracy['precision']:.3f} R {accuracy['recall']:.3f} F1 {accuracy['f1']:.3f}"
            )
        differing = (
            results["incremental"]
            .join(results["full"], on="record_id", suffix="_full")
            .filter(pl.col("facility_id") != pl.col("facility_id_full"))
            .height
        )
        print(f"records the two runs assign to different facilities: {differing} of {frame.height}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
