"""AUC on the 112 real labelled Open Supply Hub pairs (47 match, 65 distinct).

Engine pair score: the model's calibrated match score for the pair (`pair_scores`), so pairs below
the decision thresholds still rank; previously: each pair resolved as a two-record input, the score
being the records' `match_score` when both land in the same facility, else the grey-band
score a record got (`review`), else 0 (the engine did not score the pair above review). The pairs
carry no coordinates. Ties count half (Mann-Whitney AUC). A second, finer reading reruns the pairs
with the review threshold at 0 (a public `ResolutionSettings` field), so that every pair the engine
compares reports its score. Baseline: the mean of rapidfuzz `token_sort_ratio` on the name and on the
address, which reproduces Open Supply Hub's reference figure for this baseline (0.83); the same mean
with plain `ratio` is reported beside it.
"""

from __future__ import annotations

import dataclasses
import json

import polars as pl
from rapidfuzz import fuzz

from benchmarks.er.seeds import PAIRS_FILE


def load_pairs() -> list[tuple[dict, dict, bool]]:
    """(left, right, is_match) for every labelled pair."""
    data = json.loads(PAIRS_FILE.read_text())
    return [
        (pair["__value__"][0], pair["__value__"][1], label == "match")
        for label in ("match", "distinct")
        for pair in data[label]
    ]


def auc(scores: list[float], labels: list[bool]) -> float:
    """Area under the ROC curve: P(score of a match > score of a distinct pair), ties half."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def engine_score(left: dict, right: dict, settings=None) -> float:
    """The engine's calibrated match score for one pair (the model's probability, before any
    decision threshold; `entity_resolution.standalone.pair_scores`)."""
    from entity_resolution.standalone import INPUT_SCHEMA, pair_scores

    frame = pl.DataFrame(
        {
            "record_id": ["a", "b"],
            "name": [left["name"], right["name"]],
            "address": [left.get("address") or "", right.get("address") or ""],
            "country": [left["country"], right["country"]],
            "lat": [None, None],
            "lng": [None, None],
        },
        schema=INPUT_SCHEMA,
    )
    scores = pair_scores(frame.head(1), frame.tail(1), settings)
    return float(scores[0] or 0.0)


def baseline_score(left: dict, right: dict, scorer=fuzz.token_sort_ratio) -> float:
    """Mean of name and address similarity (0..1)."""
    name = scorer(left["name"], right["name"])
    address = scorer(left.get("address") or "", right.get("address") or "")
    return (name + address) / 200


def evaluate() -> dict:
    """AUC of the engine (as specified, and with the grey band opened) and of the baseline."""
    pairs = load_pairs()
    labels = [y for _, _, y in pairs]
    engine = [engine_score(a, b) for a, b, _ in pairs]
    result = {
        "pairs": len(pairs),
        "matches": sum(labels),
        "engine_auc": auc(engine, labels),
        "engine_unscored_pairs": sum(1 for s in engine if s == 0.0),
        "baseline_auc": auc([baseline_score(a, b) for a, b, _ in pairs], labels),
        "baseline_auc_plain_ratio": auc([baseline_score(a, b, fuzz.ratio) for a, b, _ in pairs], labels),
    }
    try:
        from entity_resolution.settings import ResolutionSettings

        opened = dataclasses.replace(ResolutionSettings(), review_threshold=0.0)
    except (ImportError, TypeError):
        return result
    scores = [engine_score(a, b, opened) for a, b, _ in pairs]
    result["engine_auc_grey_band_opened"] = auc(scores, labels)
    result["engine_unscored_pairs_grey_band_opened"] = sum(1 for s in scores if s == 0.0)
    return result


if __name__ == "__main__":
    print(json.dumps(evaluate(), indent=2))
