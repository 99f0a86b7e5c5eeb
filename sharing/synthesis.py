"""A small synthesizer on numpy and polars: a Chow-Liu tree over discretised columns.

Fit: every column becomes categories (nulls are a category; dates become months). A column that is a
function of an earlier one in the real data (HTCDS status from status, indicator from category) is
*derived*: it is copied through the same mapping, so synthetic rows stay consistent. The other columns
form a maximum spanning tree on pairwise mutual information (Chow-Liu); each child is drawn from its
parent's conditional distribution, smoothed towards the child's marginal by ``smoothing`` pseudo-rows
so that rare parents do not just replay their real rows. Marginals and the strongest pairwise
associations are kept; the rest of the joint distribution is approximated.

Disclosure control by rejection: a draw is discarded when it equals a real row on the quasi-identifiers
(at output granularity, e.g. the synthetic day) or when its whole discretised profile is a real
combination seen fewer than k times. Identifiers and free text are never read (see ``tables``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from sharing.disclosure import copies_on_quasi_identifiers, rare_profiles, reproduces
from sharing.tables import NULL, SynthesisSpec, discretise

MAX_ROUNDS = 40


@dataclass
class TreeModel:
    """The fitted model: category values per column, the tree and its (conditional) distributions."""

    values: dict[str, np.ndarray]
    order: list[str]
    parent: dict[str, str | None]
    tables: dict[str, np.ndarray]  # root: 1-D probabilities; child: rows = parent value, columns = child
    derived: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)  # column -> (source, map)

    def edges(self) -> list[tuple[str, str]]:
        """(parent, child) pairs of the tree."""
        return [(parent, child) for child, parent in self.parent.items() if parent is not None]


def _codes(discrete: pl.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    values, codes = {}, {}
    for column in discrete.columns:
        values[column], codes[column] = np.unique(
            discrete[column].to_numpy().astype(str), return_inverse=True
        )
    return values, codes


def _function_of(source: np.ndarray, target: np.ndarray, n_target: int) -> np.ndarray | None:
    """The mapping source code -> target code when target is a function of source, else None."""
    n_source = int(source.max()) + 1
    pairs = np.unique(source * n_target + target)
    if len(pairs) != len(np.unique(source)) or len(source) < 3 * n_source:
        return None
    mapping = np.zeros(n_source, dtype=np.int64)
    mapping[pairs // n_target] = pairs % n_target
    return mapping


def _mutual_information(x: np.ndarray, y: np.ndarray, nx: int, ny: int) -> float:
    joint = np.bincount(x * ny + y, minlength=nx * ny).reshape(nx, ny) / len(x)
    outer = joint.sum(axis=1, keepdims=True) @ joint.sum(axis=0, keepdims=True)
    mask = joint > 0
    return float((joint[mask] * np.log(joint[mask] / outer[mask])).sum())


def fit(discrete: pl.DataFrame, smoothing: float = 1.0) -> TreeModel:
    """Fit the Chow-Liu tree (rooted at the first column) to a discretised frame."""
    values, codes = _codes(discrete)
    base: list[str] = []
    derived: dict[str, tuple[str, np.ndarray]] = {}
    for column in discrete.columns:
        found = None
        for source in base:
            mapping = _function_of(codes[source], codes[column], len(values[column]))
            if mapping is not None and len(values[column]) <= len(values[source]):
                found = (source, mapping)
                break
        if found:
            derived[column] = found
        else:
            base.append(column)
    parent, order = _spanning_tree(base, values, codes)
    tables = {order[0]: np.bincount(codes[order[0]], minlength=len(values[order[0]])) / discrete.height}
    for child in order[1:]:
        tables[child] = _conditional(
            codes[parent[child]], codes[child], values, parent[child], child, smoothing
        )
    return TreeModel(values, order, parent, tables, derived)


def _spanning_tree(
    base: list[str], values: dict[str, np.ndarray], codes: dict[str, np.ndarray]
) -> tuple[dict[str, str | None], list[str]]:
    """Prim's maximum spanning tree on mutual information; returns parents and a parent-first order."""
    parent: dict[str, str | None] = {base[0]: None}
    order = [base[0]]
    while len(order) < len(base):
        best = max(
            ((a, b) for a in order for b in base if b not in parent),
            key=lambda pair: _mutual_information(
                codes[pair[0]], codes[pair[1]], len(values[pair[0]]), len(values[pair[1]])
            ),
        )
        parent[best[1]] = best[0]
        order.append(best[1])
    return parent, order


def _conditional(
    parent_codes: np.ndarray, child_codes: np.ndarray, values: dict, parent: str, child: str, smoothing: float
) -> np.ndarray:
    n_parent, n_child = len(values[parent]), len(values[child])
    counts = np.bincount(parent_codes * n_child + child_codes, minlength=n_parent * n_child).reshape(
        n_parent, n_child
    )
    marginal = np.bincount(child_codes, minlength=n_child) / len(child_codes)
    smoothed = counts + smoothing * marginal
    return smoothed / smoothed.sum(axis=1, keepdims=True)


def sample(model: TreeModel, rows: int, rng: np.random.Generator) -> pl.DataFrame:
    """Draw ``rows`` discretised rows from the model (stratified: within each parent value the uniforms
    are spread evenly, so counts follow the distributions closely rather than with full sampling noise)."""
    drawn: dict[str, np.ndarray] = {}
    root = model.order[0]
    drawn[root] = _inverse_cdf(np.cumsum(model.tables[root])[None, :], np.zeros(rows, np.int64), rng)
    for child in model.order[1:]:
        drawn[child] = _inverse_cdf(np.cumsum(model.tables[child], axis=1), drawn[model.parent[child]], rng)
    for column, (source, mapping) in model.derived.items():
        drawn[column] = mapping[drawn[source]]
    return pl.DataFrame({column: model.values[column][drawn[column]] for column in model.values})


def _inverse_cdf(cumulative: np.ndarray, groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row from ``cumulative[group]``, with uniforms stratified within each group."""
    order = np.lexsort((rng.random(len(groups)), groups))
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, sorted_groups, side="left")
    sizes = np.searchsorted(sorted_groups, sorted_groups, side="right") - starts
    uniform = np.empty(len(groups))
    uniform[order] = (np.arange(len(groups)) - starts + rng.random(len(groups))) / sizes
    chosen = (cumulative[groups] < uniform[:, None]).sum(axis=1)
    return np.minimum(chosen, cumulative.shape[1] - 1)


def to_output(
    discrete: pl.DataFrame, spec: SynthesisSpec, bounds: dict, rng: np.random.Generator
) -> pl.DataFrame:
    """Discretised rows -> output rows: nulls back, a uniform day within each month (within the real
    range of dates), other columns as strings."""
    columns = []
    for column in spec.columns:
        if column in spec.month_dates:
            columns.append(pl.Series(column, _days(discrete[column].to_list(), bounds[column], rng), pl.Date))
        else:
            columns.append(discrete[column].replace(NULL, None).alias(column))
    return pl.DataFrame(columns)


def _days(months: list[str], bounds: tuple[date, date], rng: np.random.Generator) -> list[date | None]:
    low, high = bounds
    days: list[date | None] = []
    for month in months:
        if month == NULL:
            days.append(None)
            continue
        year, number = int(month[:4]), int(month[5:7])
        first = max(date(year, number, 1), low)
        last = min(date(year, number, calendar.monthrange(year, number)[1]), high)
        offset = int(rng.integers(0, max((last - first).days, 0) + 1))
        days.append(date.fromordinal(first.toordinal() + offset))
    return days


@dataclass(frozen=True)
class Synthesis:
    """A synthetic table and how it was drawn."""

    frame: pl.DataFrame
    model: TreeModel
    draws: int
    rejected_copies: int
    rejected_rare: int


def synthesize(
    real: pl.DataFrame,
    spec: SynthesisSpec,
    rows: int | None = None,
    k: int = 11,
    seed: int = 0,
    smoothing: float = 1.0,
) -> Synthesis:
    """Fit on ``real`` (the spec's columns) and draw ``rows`` (default: as many as real) accepted rows.

    Raises ValueError when the real table is empty or rejection leaves too few rows after
    ``MAX_ROUNDS`` batches (the table is too small or too unique to synthesise safely).
    """
    if real.is_empty():
        raise ValueError(f"{spec.name} has no rows to learn from")
    wanted = real.height if rows is None else rows
    rng = np.random.default_rng(seed)
    discrete = discretise(real, spec)
    model = fit(discrete, smoothing)
    rare = rare_profiles(discrete, k)
    bounds = {c: (real[c].min(), real[c].max()) for c in spec.month_dates}
    accepted, draws, copies, rare_hits = [], 0, 0, 0
    for _ in range(MAX_ROUNDS):
        missing = wanted - sum(part.height for part in accepted)
        if missing <= 0:
            break
        batch = sample(model, max(missing, 16), rng)
        output = to_output(batch, spec, bounds, rng)
        is_rare = reproduces(batch, rare)
        is_copy = copies_on_quasi_identifiers(output, real, spec)
        draws += batch.height
        rare_hits += int(is_rare.sum())
        copies += int((is_copy & ~is_rare).sum())
        accepted.append(output.filter(pl.Series(~(is_rare | is_copy))).head(missing))
    frame = pl.concat(accepted)
    if frame.height < wanted:
        raise ValueError(
            f"{spec.name}: only {frame.height} of {wanted} synthetic rows passed the disclosure checks "
            f"after {draws} draws; the table is too small or too unique to synthesise safely"
        )
    return Synthesis(frame, model, draws, copies, rare_hits)
