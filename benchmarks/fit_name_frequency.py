"""Fit the name-frequency shift of name-only pairs (entity_resolution/name_frequency.py) on dev splits.

Usage (after the generators have written benchmarks/results/er-data/):
    .venv/bin/python -m benchmarks.fit_name_frequency [--data er-10k-dev er2-10k-dev er-100k-dev er2-100k-dev]

1. Candidate pairs of each dev split, labelled by the generator's true facility, scored by the shipped
   model with no shift (`labelled_pairs`, as the model's own training sees them).
2. On the name-only pairs the model puts at `FIT_FLOOR` or above (the pairs whose decision a shift can
   change), a logistic regression of the label on log2(1 + count of names carrying the rarest shared
   word), with the model's log-odds as a fixed offset: (intercept, per_doubling).
3. `strength` and `largest_penalty` from `GRID`, by the mean pairwise F1 of the dev splits resolved
   end to end. The coefficients, the choice and what they were fitted on go to
   entity_resolution/reference/match_model.json under `name_frequency`. Test splits are never read.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

import numpy as np
import polars as pl

from benchmarks.train_match_model import dev_split, labelled_pairs, pairwise_f1
from entity_resolution.model import MODEL_FILE, load_model, newton_logistic
from entity_resolution.name_frequency import name_only, rarest_shared_count, word_counts
from entity_resolution.resolve import prepare
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import resolve_frame, to_records

FIT_FLOOR = 0.3
GRID = ((0.5, 1.0), (0.5, 1.5), (1.0, 1.0), (1.0, 1.5), (1.0, 2.0))
DEFAULT_DATA = ("er-10k-dev", "er2-10k-dev", "er-100k-dev", "er2-100k-dev")
INPUT = ["record_id", "name", "address", "country", "lat", "lng"]


def offset_fit(x: np.ndarray, offset: np.ndarray, label: np.ndarray, l2: float = 1.0) -> tuple[float, float]:
    """(intercept, slope) of logit P(label) = offset + intercept + slope x, both L2-penalised."""
    design = np.stack([np.ones_like(x), x], axis=1)
    beta = newton_logistic(design, label, l2 * np.eye(2), offset, iterations=50, tolerance=1e-9)
    return float(beta[0]), float(beta[1])


def name_only_rows(frame: pl.DataFrame, settings: ResolutionSettings) -> tuple[np.ndarray, ...]:
    """(log2(1 + rarest shared word's count), model log-odds, label) of the split's name-only pairs at
    `FIT_FLOOR` or above."""
    prepared = prepare(to_records(frame.select(INPUT)))
    pairs = labelled_pairs(frame, settings)
    logits = load_model().logits(pairs)
    keep = name_only(pairs) & (logits >= np.log(FIT_FLOOR / (1 - FIT_FLOOR)))
    chosen = pairs.filter(pl.Series(keep))
    counts = rarest_shared_count(
        prepared, chosen["left"].to_numpy(), chosen["right"].to_numpy(), word_counts(prepared)
    )
    return np.log2(1.0 + counts), logits[keep], chosen["label"].to_numpy()


def _write(body: dict, frequency: dict) -> None:
    MODEL_FILE.write_text(json.dumps(body | {"name_frequency": frequency}, indent=2, sort_keys=True) + "\n")
    load_model.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=list(DEFAULT_DATA))
    args = parser.parse_args()
    settings = ResolutionSettings()
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body.pop("name_frequency", None)
    _write(body, {})  # fit against the model without any shift
    frames = {name: dev_split(name) for name in args.data}
    rows = [name_only_rows(frame, settings) for frame in frames.values()]
    x, offset, label = (np.concatenate(part) for part in zip(*rows, strict=True))
    intercept, per_doubling = offset_fit(x, offset, label)
    print(f"{len(x)} name-only pairs: intercept {intercept:+.4f}, per doubling {per_doubling:+.4f}")
    results = {}
    for strength, penalty in ((0.0, 0.0), *GRID):
        frequency = {
            "intercept": intercept,
            "per_doubling": per_doubling,
            "strength": strength,
            "largest_penalty": penalty,
        }
        _write(body, frequency)
        f1 = {
            name: pairwise_f1(resolve_frame(frame.select(INPUT)), frame)["f1"]
            for name, frame in frames.items()
        }
        results[(strength, penalty)] = f1
        print(
            f"strength {strength} largest penalty {penalty}: "
            + ", ".join(f"{k} {v:.4f}" for k, v in f1.items())
        )
    best = max(results, key=lambda key: sum(results[key].values()))
    provenance = {
        "data": ", ".join(args.data),
        "pairs": int(len(x)),
        "fitted_at": datetime.now(UTC).date().isoformat(),
        "method": f"logistic regression with the model's log-odds as offset, name-only pairs >= {FIT_FLOOR}; "
        "strength and largest_penalty by mean dev F1 over the grid",
        "dev_f1": {f"{s} / {p}": {k: round(v, 4) for k, v in f1.items()} for (s, p), f1 in results.items()},
    }
    chosen = {
        "intercept": round(intercept, 4),
        "per_doubling": round(per_doubling, 4),
        "strength": best[0],
        "largest_penalty": best[1],
        "provenance": provenance,
    }
    _write(body, chosen)
    print(f"chosen: strength {best[0]}, largest penalty {best[1]}")


if __name__ == "__main__":
    main()
