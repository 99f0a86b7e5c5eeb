"""How long `flrisk load` of a 1,000-row supplier list takes against a warehouse of ~1M facilities
(run by hand; issue 19 goal: <= 30 s end to end).

The warehouse is a real one, built by the pipeline itself: an Open Supply Hub download of
`--facilities` rows (the `staging_scale.py` generator, every row given a distinct name so that
records stay distinct facilities) loaded with `flrisk load oshub-download` into a fresh FLRISK_HOME,
which ingests, stages, resolves in full (first run), scores and publishes it. Building takes long
(full resolution at 1M is ~3 min on an idle machine, more on a shared one) and is done once: later
timings reuse the home with `--home` (each load runs on a copy; the built home is never changed).

The fast path of a load (score only the facilities it touched, docs/operations.md "Fast loads")
needs a home last scored on the same day by the same code: run `flrisk refresh` on a built home
(FLRISK_HOME=DIR) before timing loads on it; each load line says how its publish scored.

Each timed load is a new list of `--rows` rows: half are mentions of facilities already in the
warehouse (their name, address and country as the download gave them, names re-cased), half new
facilities. Printed per load: wall seconds end to end, CPU seconds of the command (user + system; a
shared machine distorts them least), the seconds of each step of its Dagster run, and the load
average.

Before/after on one home: `--code DIR` loads with another checkout's flrisk (`git archive COMMIT |
tar -x -C DIR`, run with this virtualenv), and `--prime` first loads one other list, untimed, on the
copy: a home refreshed by one code takes the fast path only for that code (the risk fingerprint
covers the code), so priming with the code under test records its fingerprint and the timed load
then takes the fast path with either code.

Usage: .venv/bin/python benchmarks/load_at_scale.py [--facilities 1000000] [--rows 1000] [--lists 1]
       [--home DIR] [--build-only DIR] [--code DIR] [--prime]
  --build-only DIR  build the warehouse into DIR and stop (then pass --home DIR to time loads)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.small_load import FLRISK, run, step_seconds  # noqa: E402
from benchmarks.staging_scale import HEADER  # noqa: E402
from benchmarks.staging_scale import generate as generate_download  # noqa: E402

NAME, ADDRESS, COUNTRY = HEADER.index("name"), HEADER.index("address"), HEADER.index("country_code")


def build(home: Path, facilities: int) -> None:
    """A warehouse of `facilities` OS Hub facilities in `home`, through `flrisk load oshub-download`."""
    home.mkdir(parents=True, exist_ok=True)
    download = home.parent / f"{home.name}-oshub_download.csv"
    started = time.perf_counter()
    generate_download(download, facilities)
    _distinct_names(download)
    print(f"generated {facilities:,} download rows in {time.perf_counter() - started:.1f} s", flush=True)
    env = {**os.environ, "FLRISK_HOME": str(home)}
    env.pop("DAGSTER_HOME", None)
    command = [str(FLRISK), "load", "oshub-download", str(download), "--contributor", "Open Supply Hub"]
    wall, cpu = run(command, env)
    print(f"built the warehouse in {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)


def _distinct_names(download: Path) -> None:
    """Give every row a name of its own (the generator reuses ~1,000 seed names), in place."""
    rng = random.Random(7)
    syllables = ["ka", "ro", "ti", "ma", "lu", "sen", "dor", "vi", "na", "pe", "quo", "zan", "mir", "tal"]
    rewritten = download.with_suffix(".tmp")
    with (
        download.open(encoding="utf-8", newline="") as source,
        rewritten.open("w", encoding="utf-8", newline="") as target,
    ):
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        for row in reader:
            if row[NAME] and row[NAME] not in {"N/A"} and not row[NAME].startswith("="):
                word = "".join(rng.choice(syllables) for _ in range(4)).title()
                row[NAME] = f"{word} {row[NAME].split()[0].title()} Industries"
            writer.writerow(row)
    rewritten.replace(download)


def write_list(home: Path, path: Path, rows: int, tag: int) -> None:
    """A supplier list: half existing facilities (from the download), half new ones."""
    download = home.parent / f"{home.name}-oshub_download.csv"
    rng = random.Random(tag)
    existing: list[list[str]] = []
    if download.is_file():
        with download.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for number, row in enumerate(reader):
                if number % 997 == tag % 997 and row[NAME] and row[COUNTRY] and row[NAME].isascii():
                    existing.append(row)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "address", "country"])
        for index in range(rows):
            if index % 2 == 0 and existing:
                row = rng.choice(existing)
                writer.writerow([row[NAME].upper(), row[ADDRESS], row[COUNTRY]])
            else:
                writer.writerow([f"Newco {tag} Works {index}", f"{index} Industrial Road, Dhaka", "BD"])


def scoring_scope(home: Path) -> str:
    """How the load's publish scored: only the touched facilities, or every one and why (a home last
    scored on another day, or by other code, is scored in full: run `flrisk refresh` on it first)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["published", "facility_risk"]))
    metadata = {key: value.value for key, value in event.asset_materialization.metadata.items()}
    scored, scope = metadata.get("scored_facilities", "?"), metadata.get("scope", "all")
    return f"scored {scored} facilities ({scope}: {metadata.get('scope_reason', '')})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--lists", type=int, default=1)
    parser.add_argument("--home", type=Path, default=None, help="a home built by --build-only")
    parser.add_argument("--build-only", type=Path, default=None, help="build the warehouse here and stop")
    parser.add_argument("--code", type=Path, default=None, help="load with the flrisk of this checkout")
    parser.add_argument("--prime", action="store_true", help="load another list first, untimed")
    options = parser.parse_args()
    flrisk = [sys.executable, "-m", "cli.main"] if options.code else [str(FLRISK)]
    if options.build_only:
        build(options.build_only.resolve(), options.facilities)
        return
    with tempfile.TemporaryDirectory() as scratch:
        built = options.home.resolve() if options.home else Path(scratch) / "built"
        if not options.home:
            build(built, options.facilities)
        for tag in range(options.lists):
            home = Path(scratch) / f"home-{tag}"
            shutil.copytree(built, home, symlinks=True)
            env = {**os.environ, "FLRISK_HOME": str(home)}
            env.pop("DAGSTER_HOME", None)
            if options.prime:
                primer = Path(scratch) / f"primer_{tag}.csv"
                write_list(built, primer, options.rows, 1000 + tag)
                command = [*flrisk, "load", "supplier-list", str(primer), "--contributor", "Primer Brand"]
                run(command, env, cwd=options.code)
            listing = Path(scratch) / f"brand_list_{tag}.csv"
            write_list(built, listing, options.rows, tag)
            command = [*flrisk, "load", "supplier-list", str(listing), "--contributor", "Bench Brand"]
            wall, cpu = run(command, env, cwd=options.code)
            steps = ", ".join(f"{key} {seconds:.1f}" for key, seconds in step_seconds(home))
            print(
                f"load {tag + 1} of {options.rows} rows: {wall:.1f} s wall, {cpu:.1f} s CPU; steps: {steps}; "
                f"load average {os.getloadavg()[0]:.1f}; {scoring_scope(home)}",
                flush=True,
            )
            shutil.rmtree(home)


if __name__ == "__main__":
    main()
