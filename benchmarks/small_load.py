"""How long `flrisk load` of a small supplier list takes on the demo warehouse (run by hand).

Builds the demo once in a temporary FLRISK_HOME, then loads `--lists` new lists of `--rows` rows each
(a fresh list every time, so every load has a run of its own) and prints, per load: wall seconds end to
end, CPU seconds of the command (user + system, the figure a loaded machine distorts least) and the
seconds of each step of its Dagster run. Goal (issue 19): a 10-row list in <= 5 s end to end.

Usage: .venv/bin/python benchmarks/small_load.py [--rows 10] [--lists 3] [--home DIR] [--code DIR]
  --home reuses a demo home (a copy of it is loaded, the original is never changed).
  --code runs the loads with the flrisk of another checkout (e.g. `git archive COMMIT | tar -x -C DIR`)
         in this venv, for a before/after comparison on the same demo home and machine load.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLRISK = Path(sys.executable).parent / "flrisk"
SUPPLIERS = [
    ("Karatoya Knit Composite", "Plot 12, Konabari, Gazipur", "Bangladesh"),
    ("Song Lam Garment", "Lot C3, Tan Tao Industrial Park, Binh Tan, Ho Chi Minh City", "Vietnam"),
    ("Anatolia Denim Tekstil", "Organize Sanayi Bolgesi 4. Cadde No 7, Denizli", "Turkey"),
    ("Shanghai Bright Star Toys", "88 Jinqiao Road, Pudong, Shanghai", "China"),
    ("Lanka Glove Works", "Export Processing Zone, Biyagama", "Sri Lanka"),
    ("Mekong Seafood Processing", "Tra Noc Industrial Zone, Can Tho", "Vietnam"),
    ("Tirupur Cotton Mills", "SIDCO Industrial Estate, Tirupur, Tamil Nadu", "India"),
    ("Guatemala Apparel Group", "Km 17.5 Carretera al Pacifico, Villa Nueva", "Guatemala"),
    ("Sialkot Sports Gear", "Small Industrial Estate, Sialkot", "Pakistan"),
    ("Phnom Penh Footwear", "Street 598, Khan Russey Keo, Phnom Penh", "Cambodia"),
]


def write_list(path: Path, rows: int, tag: int) -> None:
    """A supplier list of `rows` rows, distinct per `tag` (so each load brings new bytes)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "address", "country"])
        for index in range(rows):
            name, address, country = SUPPLIERS[index % len(SUPPLIERS)]
            writer.writerow([f"{name} {tag}-{index // len(SUPPLIERS)}", address, country])


def run(args: list[str], env: dict, cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def step_seconds(home: Path) -> list[tuple[str, float]]:
    """Seconds of each step of the last refresh_all run in the home's Dagster instance."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    with dg.DagsterInstance.get() as instance:
        record = instance.get_run_records(dg.RunsFilter(job_name="refresh_all"), limit=1)[0]
        stats = instance.get_run_step_stats(record.dagster_run.run_id)
    ordered = sorted(stats, key=lambda stat: stat.start_time or 0)
    return [(stat.step_key, (stat.end_time or 0) - (stat.start_time or 0)) for stat in ordered]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--lists", type=int, default=3)
    parser.add_argument("--home", type=Path, default=None, help="a demo home to copy instead of a new demo")
    parser.add_argument("--code", type=Path, default=None, help="load with the flrisk of this checkout")
    options = parser.parse_args()
    flrisk = [str(FLRISK)]
    if options.code:
        flrisk = [sys.executable, "-m", "cli.main"]
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        env = {**os.environ, "FLRISK_HOME": str(home)}
        env.pop("DAGSTER_HOME", None)
        if options.code:
            env["PYTHONPATH"] = str(options.code.resolve())
        if options.home:
            shutil.copytree(options.home, home, symlinks=True)
        else:
            wall, _ = run([str(FLRISK), "demo", "--as-of", "2026-11-23"], env)
            print(f"demo built in {wall:.1f} s")
        walls, cpus = [], []
        for tag in range(options.lists):
            listing = Path(scratch) / f"brand_list_{tag}.csv"
            write_list(listing, options.rows, tag)
            command = [*flrisk, "load", "supplier-list", str(listing), "--contributor", "Bench"]
            wall, cpu = run(command, env, options.code.resolve() if options.code else None)
            walls.append(wall)
            cpus.append(cpu)
            steps = ", ".join(f"{key} {seconds:.1f}" for key, seconds in step_seconds(home))
            print(f"load {tag + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU; steps: {steps}")
        print(
            f"median of {options.lists} loads of {options.rows} rows: {statistics.median(walls):.1f} s wall, "
            f"{statistics.median(cpus):.1f} s CPU; load average now {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
