"""How long `flrisk load` of a small supplier list takes on the demo warehouse (run by hand).

Builds the demo once in a temporary FLRISK_HOME, then loads `--lists` new lists of `--rows` rows each
(a fresh list every time, so every load has a run of its own) and prints, per load: wall seconds end to
end, CPU seconds of the command (user + system, the figure a loaded machine distorts least) and the
seconds of each step of its Dagster run. Goal (issue 19): a 10-row list in <= 5 s end to end.

Usage: .venv/bin/python benchmarks/small_load.py [--rows 10] [--lists 3] [--home DIR] [--code DIR]
                                                   [--against DIR]
  --home reuses a demo home (a copy of it is loaded, the original is never changed).
  --code runs the loads with the flrisk of another checkout (e.g. `git archive COMMIT | tar -x -C DIR`)
         in this venv, for a before/after comparison on the same demo home and machine load.
  --against also loads every list with the flrisk of that checkout, on a second copy of the same
         home, alternating with this code's loads (so both meet the same machine load), and prints
         both medians.
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
    parser.add_argument("--against", type=Path, default=None, help="alternate with this checkout's loads")
    options = parser.parse_args()
    codes = {"": options.code} | ({"against": options.against} if options.against else {})
    with tempfile.TemporaryDirectory() as scratch:
        homes = {name: Path(scratch) / f"home{name}" for name in codes}
        if options.home:
            for home in homes.values():
                shutil.copytree(options.home, home, symlinks=True)
        else:
            first = homes[""]
            wall, _ = run([str(FLRISK), "demo", "--as-of", "2026-11-23"], _environment(first, None))
            print(f"demo built in {wall:.1f} s")
            for home in list(homes.values())[1:]:
                shutil.copytree(first, home, symlinks=True)
        figures: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in codes}
        for tag in range(options.lists):
            listing = Path(scratch) / f"brand_list_{tag}.csv"
            write_list(listing, options.rows, tag)
            for name, code in codes.items():
                flrisk = [sys.executable, "-m", "cli.main"] if code else [str(FLRISK)]
                command = [*flrisk, "load", "supplier-list", str(listing), "--contributor", "Bench"]
                env = _environment(homes[name], code)
                wall, cpu = run(command, env, code.resolve() if code else None)
                figures[name][0].append(wall)
                figures[name][1].append(cpu)
                steps = ", ".join(f"{key} {seconds:.1f}" for key, seconds in step_seconds(homes[name]))
                label = f" ({code})" if name else ""
                print(f"load {tag + 1}{label}: {wall:.1f} s wall, {cpu:.1f} s CPU; steps: {steps}")
        for name, (walls, cpus) in figures.items():
            label = f" with {codes[name]}" if name else ""
            print(
                f"median of {options.lists} loads of {options.rows} rows{label}: "
                f"{statistics.median(walls):.1f} s wall, {statistics.median(cpus):.1f} s CPU"
            )
        print(f"load average now {os.getloadavg()[0]:.1f}")


def _environment(home: Path, code: Path | None) -> dict:
    """The environment of a command on `home`, with the flrisk of `code` when given."""
    env = {**os.environ, "FLRISK_HOME": str(home)}
    env.pop("DAGSTER_HOME", None)
    if code:
        env["PYTHONPATH"] = str(code.resolve())
    return env


if __name__ == "__main__":
    main()
