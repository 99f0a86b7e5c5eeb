"""The match model: a logistic regression over comparison levels (see `levels.py`), calibrated on
labelled pairs.

score = 1 / (1 + exp(-(bias + sum(weight_f x feature_f)))) is a calibrated probability that the two
records are the same facility. The weights live in `reference/match_model.json` with how they were
trained (data set, date, metrics); `train` refits them with L2-regularised Newton steps (IRLS) on a
frame of features plus a 0/1 `label`. Hard evidence stays outside the model: equal OS IDs score
1.0; different OS IDs, unit numbers or other numbers cap the score below the review band. Name-only
pairs have their log-odds shifted by how common their shared words are (`name_frequency.py`), with
coefficients stored beside the weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from entity_resolution.levels import LEVEL_FEATURES, level_array, linear_score
from entity_resolution.name_frequency import NameFrequency

MODEL_FILE = Path(__file__).parent / "reference" / "match_model.json"


@dataclass(frozen=True)
class MatchModel:
    """Weights per feature name, a bias, the provenance of the fit, and the name-frequency shift."""

    weights: tuple[tuple[str, float], ...]
    bias: float
    provenance: str
    name_frequency: NameFrequency = NameFrequency()

    def logits(self, features: pl.DataFrame) -> np.ndarray:
        """bias + levels . weights (see `levels.linear_score`); the name-frequency shift is added by
        `scoring`, which holds the whole record set its word counts come from."""
        if [name for name, _ in self.weights] != list(LEVEL_FEATURES):
            raise ValueError("model weights are not in LEVEL_FEATURES order")
        if features.height == 0:
            return np.zeros(0)
        return self.bias + linear_score(features, np.array([weight for _, weight in self.weights]))


@cache
def load_model(path: Path = MODEL_FILE) -> MatchModel:
    """The shipped model (cached)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in LEVEL_FEATURES if name not in data["weights"]]
    if missing:
        raise ValueError(f"{path}: no weight for feature(s) {missing}")
    weights = tuple((name, float(data["weights"][name])) for name in LEVEL_FEATURES)
    frequency = data.get("name_frequency", {})
    shift = NameFrequency(**{key: float(value) for key, value in frequency.items() if key != "provenance"})
    provenance = json.dumps(data.get("provenance", {}), sort_keys=True)
    return MatchModel(weights, float(data["bias"]), provenance, shift)


def train(frame: pl.DataFrame, l2: float = 1.0, iterations: int = 25) -> MatchModel:
    """Fit the weights on `frame` (raw pair features + `label` in {0, 1}) by Newton's method."""
    x = level_array(frame)
    x = np.hstack([np.ones((x.shape[0], 1)), x])
    y = frame["label"].to_numpy().astype(np.float64)
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0
    beta = newton_logistic(x, y, penalty, iterations=iterations, tolerance=1e-8)
    weights = tuple((name, float(value)) for name, value in zip(LEVEL_FEATURES, beta[1:], strict=True))
    return MatchModel(weights, float(beta[0]), json.dumps({"rows": int(x.shape[0]), "l2": l2}))


def newton_logistic(
    x: np.ndarray,
    y: np.ndarray,
    penalty: np.ndarray,
    offset: np.ndarray | float = 0.0,
    iterations: int = 25,
    tolerance: float = 1e-8,
) -> np.ndarray:
    """Coefficients of logit P(y) = offset + x . beta, L2-penalised by the matrix `penalty`, by Newton
    steps (IRLS) until no coefficient moves by `tolerance`. The model's fit (`train`) and the
    name-frequency shift's fit against the model's log-odds (benchmarks/fit_name_frequency.py) share it."""
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(offset + x @ beta)))
        gradient = x.T @ (y - p) - penalty @ beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < tolerance:
            break
    return beta


def save_model(model: MatchModel, provenance: dict, path: Path = MODEL_FILE) -> None:
    """Write the model with its provenance (what it was trained on, when, how well it did). The
    name-frequency shift is not written: it was fitted against the previous weights' log-odds, so a
    refit is followed by `benchmarks/fit_name_frequency.py`, which adds it again."""
    body = {"bias": model.bias, "weights": dict(model.weights), "provenance": provenance}
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
