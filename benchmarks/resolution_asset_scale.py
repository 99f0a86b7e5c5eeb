"""A full resolution run at scale exactly as the `resolved_tables` asset does it: read the staged records,
resolve, build the match index, write every resolved table and the index in one transaction.

Usage: .venv/bin/python -m benchmarks.resolution_asset_scale [--scale 1m] [--reuse-data]

The labelled test split becomes staged.facility_records of a temporary DuckDB file; then a child
process runs `assets.resolution.resolve_into_warehouse(full=True)` and reports wall time, peak RSS
(resource.getrusage) and the resolver's own per-stage seconds and RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(database: str) -> None:
    from assets.resolution import resolve_into_warehouse
    from entity_resolution.settings import ResolutionSettings
    from warehouse.database import Warehouse

    started = time.perf_counter()
    plan, result = resolve_into_warehouse(Warehouse(database=database), ResolutionSettings(), True)
    figures = {
        "mode": plan.mode,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "facilities": result.facilities.height,
        "stages": {k: v for k, v in result.report.items() if k.startswith(("seconds_", "peak_rss"))},
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1m")
    parser.add_argument("--reuse-data", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from benchmarks.er import generator
    from benchmarks.er.run import labelled_split
    from benchmarks.er_incremental_update import staged
    from warehouse.database import Warehouse

    frame, _ = labelled_split(args.scale, "test", generator.DEFAULT_SEED, args.reuse_data)
    with tempfile.TemporaryDirectory(prefix="flrisk-resolution-scale-") as work:
        database = str(Path(work) / "warehouse.duckdb")
        Warehouse(database=database).replace("staged.facility_records", staged(frame))
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.resolution_asset_scale", "--child", database],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{frame.height} staged records -> {figures['facilities']} facilities, full run as the asset does it"
    )
    print(f"{figures['seconds']} s end to end, peak RSS {figures['peak_rss_mb']} MB")
    print(f"resolver stages: {figures['stages']}")


if __name__ == "__main__":
    main()
