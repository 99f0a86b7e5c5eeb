"""The v2 benchmark generator: labelled dev and test splits drawn from the supplier world.

    python -m benchmarks.er.supplier_world.generator --scale 10k|100k|1m [--split dev|test|both] [--seed N]

writes benchmarks/results/er-data/er2-<scale>-<split>.parquet with the v1 harness's columns
(`record_id, name, address, country, lat, lng` for the engine; `true_facility, group_id, source, kind,
list_id, noise` for scoring). Here `group_id` is the facility's family (a corporate group with its
siblings and namesakes, a park with its tenants, or a single firm), `source` the family type (seed,
single, group, park) and `kind` the facility's role in it (seed, firm, sibling, namesake, tenant).

Splits as in v1: a scale is the number of records in EACH split; whole families are dealt, in a
shuffled order, to the emptier split until both hold exactly that many records (the last family's
mentions are trimmed), so no facility and no hard-negative family straddles them. The universe and the
dealing depend on the seed only; each split renders from its own random stream, so a split is identical
whether generated alone or with the other. Tune only on dev; test is for the figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.er import generator as v1
from benchmarks.er.supplier_world import lists, render, universe
from benchmarks.er.supplier_world.lexicon import load

SCALES, SPLITS, DATA_DIR = v1.SCALES, v1.SPLITS, v1.DATA_DIR
DEFAULT_SEED = 20261205
MEAN_MENTIONS = 2.66
RENDER_CHUNK = 250_000  # mentions rendered at a time: bounds memory at 1M records


def assign_splits(facilities: pl.DataFrame, size: int, seed: int) -> dict[str, pl.DataFrame]:
    """Deal whole families to the emptier split until each holds exactly `size` mentions; returns each
    split's facilities with their (possibly trimmed) `mentions`."""
    families = (
        facilities.with_row_index("row").group_by("family_id", maintain_order=True).agg("row", "mentions")
    )
    order = np.random.default_rng([seed, 1]).permutation(families.height)
    rows, counts = families["row"].to_list(), families["mentions"].to_list()
    taken: dict[str, tuple[list[int], list[int]]] = {split: ([], []) for split in SPLITS}
    totals = dict.fromkeys(SPLITS, 0)
    for family in order:
        open_splits = [s for s in SPLITS if totals[s] < size]
        if not open_splits:
            break
        split = min(open_splits, key=lambda s: totals[s])
        for row, mentions in zip(rows[family], counts[family], strict=True):
            take = min(mentions, size - totals[split])
            if take == 0:
                break
            taken[split][0].append(row)
            taken[split][1].append(take)
            totals[split] += take
    if any(total < size for total in totals.values()):
        raise RuntimeError(f"the supplier world is too small for {size} records per split: {totals}")
    return {
        split: facilities[index].with_columns(mentions=pl.Series(take, dtype=pl.Int64))
        for split, (index, take) in taken.items()
    }


def generate(
    size: int, seed: int = DEFAULT_SEED, splits: tuple[str, ...] = SPLITS
) -> dict[str, pl.DataFrame]:
    """The requested splits of a v2 benchmark set with `size` records per split."""
    facilities = universe.build(int(2 * size / MEAN_MENTIONS * 1.1) + 200, seed)
    chosen = assign_splits(facilities, size, seed)
    lexicon = load()
    habits = lists.habits(seed, lexicon.countries)
    result = {}
    for split in splits:
        rng = np.random.default_rng([seed, 2, SPLITS.index(split)])
        facs = chosen[split]
        assignment = lists.assign(facs["country"].to_numpy(), facs["mentions"].to_numpy(), habits, rng)
        frame = pl.concat(
            [
                render.records(facs, habits, assignment.slice(start, RENDER_CHUNK), lexicon, rng)
                for start in range(0, assignment.height, RENDER_CHUNK)
            ]
        )
        frame = frame[rng.permutation(frame.height).tolist()]
        prefix = "D" if split == "dev" else "T"
        result[split] = frame.select(
            pl.format("{}{}", pl.lit(prefix), pl.int_range(pl.len()).cast(pl.String).str.zfill(7)).alias(
                "record_id"
            ),
            *[c for c in v1.SCHEMA if c != "record_id"],
        ).cast(v1.SCHEMA)
    return result


def data_path(scale: str, split: str, directory: Path = DATA_DIR) -> Path:
    """Where the v2 generator writes a split."""
    return directory / f"er2-{scale}-{split}.parquet"


def write(scale: str, seed: int = DEFAULT_SEED, splits: tuple[str, ...] = SPLITS, directory: Path = DATA_DIR):
    """Generate and write the splits; returns {split: path}."""
    return v1.write_splits(
        generate(SCALES[scale], seed, splits), lambda split: data_path(scale, split, directory)
    )


def main() -> None:
    v1.command_line(__doc__.splitlines()[0], write, DEFAULT_SEED)


if __name__ == "__main__":
    main()
