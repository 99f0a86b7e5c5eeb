"""Fidelity and disclosure report for a synthetic table, measured independently of how it was drawn.

Fidelity: total variation distance (TVD, half the L1 distance between two distributions) of every
column, dates as months; and, for every pair of columns, Cramér's V in the real and in the synthetic
table and their absolute difference. Disclosure: synthetic rows equal to a real row on the
quasi-identifiers, and synthetic rows reproducing a real combination seen fewer than k times.
Goals (issue 7): mean TVD <= 0.05 and zero copies on quasi-identifiers.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl

from sharing.disclosure import copies_on_quasi_identifiers, rare_profiles, reproduces
from sharing.tables import SynthesisSpec, discretise

GOAL_MEAN_TVD = 0.05


def total_variation(real: pl.Series, synthetic: pl.Series) -> float:
    """Half the L1 distance between the value distributions of two string series."""
    p = real.value_counts(normalize=True, name="p")
    q = synthetic.value_counts(normalize=True, name="q")
    both = p.join(q, on=real.name, how="full", coalesce=True).fill_null(0.0)
    return float((both["p"] - both["q"]).abs().sum() / 2)


def cramers_v(a: pl.Series, b: pl.Series) -> float:
    """Cramér's V of two categorical series (0 when either has a single value)."""
    _, x = np.unique(a.to_numpy().astype(str), return_inverse=True)
    _, y = np.unique(b.to_numpy().astype(str), return_inverse=True)
    nx, ny = int(x.max()) + 1, int(y.max()) + 1
    if min(nx, ny) < 2:
        return 0.0
    observed = np.bincount(x * ny + y, minlength=nx * ny).reshape(nx, ny).astype(float)
    expected = observed.sum(axis=1, keepdims=True) @ observed.sum(axis=0, keepdims=True) / len(x)
    mask = expected > 0
    chi2 = float((((observed - expected) ** 2)[mask] / expected[mask]).sum())
    return float(np.sqrt(chi2 / len(x) / (min(nx, ny) - 1)))


def fidelity_report(real: pl.DataFrame, synthetic: pl.DataFrame, spec: SynthesisSpec, k: int) -> dict:
    """Every figure of the report as a JSON-ready dict."""
    real_d, synthetic_d = discretise(real, spec), discretise(synthetic, spec)
    tvd = {c: round(total_variation(real_d[c], synthetic_d[c]), 4) for c in spec.columns}
    pairs = []
    for a, b in combinations(spec.columns, 2):
        before, after = cramers_v(real_d[a], real_d[b]), cramers_v(synthetic_d[a], synthetic_d[b])
        pairs.append(
            {
                "columns": [a, b],
                "cramers_v_real": round(before, 4),
                "cramers_v_synthetic": round(after, 4),
                "difference": round(abs(before - after), 4),
            }
        )
    rare = rare_profiles(real_d, k)
    copies = int(copies_on_quasi_identifiers(synthetic, real, spec).sum())
    mean_tvd = float(np.mean(list(tvd.values())))
    differences = [pair["difference"] for pair in pairs]
    return {
        "table": spec.name,
        "rows_real": real.height,
        "rows_synthetic": synthetic.height,
        "k": k,
        "columns": list(spec.columns),
        "columns_left_out": list(spec.dropped),
        "quasi_identifiers": list(spec.quasi_identifiers),
        "total_variation_distance": tvd,
        "mean_total_variation_distance": round(mean_tvd, 4),
        "max_total_variation_distance": max(tvd.values()),
        "pairwise_association": pairs,
        "mean_cramers_v_difference": round(float(np.mean(differences)), 4) if differences else 0.0,
        "max_cramers_v_difference": max(differences, default=0.0),
        "exact_copies_on_quasi_identifiers": copies,
        "rare_real_combinations": rare.len(),
        "rare_combinations_reproduced": int(reproduces(synthetic_d, rare).sum()),
        "goals": {
            "mean_tvd_at_most_0.05": mean_tvd <= GOAL_MEAN_TVD,
            "zero_exact_copies_on_quasi_identifiers": copies == 0,
        },
    }


def report_paths(output: Path) -> tuple[Path, Path]:
    """Where the JSON and Markdown reports go: beside the output, ``<stem>.fidelity.json|md``."""
    return output.with_name(f"{output.stem}.fidelity.json"), output.with_name(f"{output.stem}.fidelity.md")


def write_report(report: dict, output: Path) -> tuple[Path, Path]:
    """Write the report beside ``output`` as JSON and as a short Markdown page; return both paths."""
    json_path, markdown_path = report_paths(output)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, markdown_path


def render_markdown(report: dict) -> str:
    """A short human-readable version of the report."""
    goals = report["goals"]
    lines = [
        f"# Synthetic {report['table']}: fidelity and disclosure",
        "",
        f"{report['rows_synthetic']} synthetic rows from {report['rows_real']} real rows "
        f"(k = {report['k']}). "
        "Synthetic data: no row describes a real person, case or audit.",
        "",
        f"- mean total variation distance **{report['mean_total_variation_distance']}** "
        f"(max {report['max_total_variation_distance']}; goal <= 0.05: "
        f"{'met' if goals['mean_tvd_at_most_0.05'] else 'NOT met'})",
        f"- mean Cramér's V difference {report['mean_cramers_v_difference']} "
        f"(max {report['max_cramers_v_difference']})",
        f"- rows equal to a real row on the quasi-identifiers ({', '.join(report['quasi_identifiers'])}): "
        f"**{report['exact_copies_on_quasi_identifiers']}** (goal 0)",
        f"- rare real combinations (< k): {report['rare_real_combinations']}, reproduced: "
        f"**{report['rare_combinations_reproduced']}**",
        f"- left out (identifiers, links, provenance): {', '.join(report['columns_left_out'])}",
        "",
        "| column | TVD |",
        "|---|---|",
        *[f"| {column} | {value} |" for column, value in report["total_variation_distance"].items()],
        "",
    ]
    return "\n".join(lines)
