"""Labelled benchmark sets: development and test facility records with their true facility.

`python -m benchmarks.er.generator --scale 10k|100k|1m [--split dev|test|both]` writes
`benchmarks/results/er-data/er-<scale>-<split>.parquet`. A scale is the number of records in EACH
split. Splits are drawn by facility group (a facility, its sibling sites, or one company's sites),
so no true facility and no hard-negative group straddles them; groups are dealt to whichever split
has fewer records until both are full, and the last group's appearances are trimmed to the exact size.

Determinism: one seed drives the facility universe; each facility then draws its mentions from its
own stream (seed, facility number), so a split is identical whether generated alone or with the other.
Columns: record_id, name, address, country, lat, lng (the engine's input) and true_facility,
group_id, source, kind, list_id, noise (labels and diagnostics).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import time
from itertools import accumulate
from pathlib import Path

import polars as pl

from benchmarks.er import mentions
from benchmarks.er.universe import Facility, build_universe, mention_counts
from entity_resolution.standalone import INPUT_SCHEMA

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SPLITS = ("dev", "test")
DEFAULT_SEED = 20261123
DATA_DIR = Path(__file__).resolve().parents[1] / "results" / "er-data"
MEAN_MENTIONS = 2.2
SCHEMA = {
    **INPUT_SCHEMA,  # what `flrisk resolve` reads, then the labels
    "true_facility": pl.String,
    "group_id": pl.String,
    "source": pl.String,
    "kind": pl.String,
    "list_id": pl.String,
    "noise": pl.String,
}


def assign_splits(facilities: list[Facility], size: int, rng: random.Random) -> dict[str, list[Facility]]:
    """Deal whole groups to the emptier split until each holds exactly `size` mentions."""
    groups: dict[str, list[Facility]] = {}
    for facility in facilities:
        groups.setdefault(facility.group, []).append(facility)
    order = list(groups)
    rng.shuffle(order)
    chosen: dict[str, list[Facility]] = {split: [] for split in SPLITS}
    totals = dict.fromkeys(SPLITS, 0)
    for key in order:
        open_splits = [s for s in SPLITS if totals[s] < size]
        if not open_splits:
            break
        split = min(open_splits, key=lambda s: totals[s])
        for facility in groups[key]:
            take = min(facility.mentions, size - totals[split])
            if take == 0:
                break
            facility.mentions = take
            chosen[split].append(facility)
            totals[split] += take
    if any(total < size for total in totals.values()):
        raise RuntimeError(f"the facility universe is too small for {size} records per split: {totals}")
    return chosen


_SHARED: dict = {}


def _render_chunk(bounds: tuple[int, int]) -> pl.DataFrame:
    """Render the mentions of facilities[start:end] (each facility from its own random stream)."""
    facilities, seed, generic = _SHARED["facilities"], _SHARED["seed"], _SHARED["generic"]
    styles = mentions.list_styles(seed)
    cumulative = list(accumulate(mentions.list_weights()))
    indexes = range(len(styles))
    countries = sorted({f.country for f in facilities})
    rows: list[dict] = []
    for facility in facilities[bounds[0] : bounds[1]]:
        rng = random.Random(seed * 1_000_003 + int(facility.facility_id[1:]))
        lists: list[int] = []
        while len(lists) < facility.mentions:
            pick = rng.choices(indexes, cum_weights=cumulative)[0]
            if pick not in lists:
                lists.append(pick)
        for pick in lists:
            row = mentions.render(facility, styles[pick], generic[facility.source], countries, rng)
            row.update(
                true_facility=facility.facility_id,
                group_id=facility.group,
                source=facility.source,
                kind=facility.kind,
                record_id="",
            )
            rows.append(row)
    return pl.from_dicts(rows, schema=SCHEMA)


def records_for(
    facilities: list[Facility], split: str, seed: int, generic: dict[str, frozenset[str]], workers: int = 2
) -> pl.DataFrame:
    """Every mention of `facilities`, shuffled, with record ids (rendered in `workers` processes)."""
    _SHARED.update(facilities=facilities, seed=seed, generic=generic)
    step = max(1, -(-len(facilities) // (workers * 4)))
    chunks = [(start, start + step) for start in range(0, len(facilities), step)]
    if workers > 1 and len(facilities) > 20_000:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_render_chunk, chunks)
    else:
        parts = [_render_chunk(chunk) for chunk in chunks]
    _SHARED.clear()
    frame = pl.concat(parts)
    order = list(range(frame.height))
    random.Random(seed + SPLITS.index(split)).shuffle(order)
    prefix = "D" if split == "dev" else "T"
    return frame[order].with_columns(
        record_id=pl.format("{}{}", pl.lit(prefix), pl.int_range(pl.len()).cast(pl.String).str.zfill(7))
    )


def generate(
    size: int, seed: int = DEFAULT_SEED, splits: tuple[str, ...] = SPLITS
) -> dict[str, pl.DataFrame]:
    """The requested splits of a benchmark set with `size` records per split."""
    rng = random.Random(seed)
    facilities, generic = build_universe(int(2 * size / MEAN_MENTIONS * 1.1) + 50, rng)
    for facility, count in zip(facilities, mention_counts(len(facilities), rng), strict=True):
        facility.mentions = count
    chosen = assign_splits(facilities, size, rng)
    return {split: records_for(chosen[split], split, seed, generic) for split in splits}


def data_path(scale: str, split: str, directory: Path = DATA_DIR) -> Path:
    """Where the generator writes a split."""
    return directory / f"er-{scale}-{split}.parquet"


def write(scale: str, seed: int = DEFAULT_SEED, splits: tuple[str, ...] = SPLITS, directory: Path = DATA_DIR):
    """Generate and write the splits; returns {split: path}."""
    return write_splits(
        generate(SCALES[scale], seed, splits), lambda split: data_path(scale, split, directory)
    )


def write_splits(frames: dict[str, pl.DataFrame], path_of) -> dict[str, Path]:
    """Write each split's frame where `path_of(split)` says (its folder git-ignored); returns the paths.
    Shared by both generators."""
    paths = {}
    for split, frame in frames.items():
        paths[split] = path_of(split)
        paths[split].parent.mkdir(parents=True, exist_ok=True)
        ignore = paths[split].parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# generated benchmark sets: rebuild with the generators\n*\n")
        frame.write_parquet(paths[split])
    return paths


def command_line(description: str, write_scale, default_seed: int) -> None:
    """The command line both generators share: --scale, --split (dev|test|both), --seed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", choices=SCALES, default="10k")
    parser.add_argument("--split", choices=(*SPLITS, "both"), default="both")
    parser.add_argument("--seed", type=int, default=default_seed)
    args = parser.parse_args()
    started = time.perf_counter()
    splits = SPLITS if args.split == "both" else (args.split,)
    for split, path in write_scale(args.scale, args.seed, splits).items():
        frame = pl.read_parquet(path)
        print(f"{split}: {frame.height} records, {frame['true_facility'].n_unique()} facilities -> {path}")
    print(f"generated in {time.perf_counter() - started:.1f} s")


def main() -> None:
    command_line(__doc__.splitlines()[0], write, DEFAULT_SEED)


if __name__ == "__main__":
    main()
