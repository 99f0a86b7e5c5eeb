"""Synthetic-data fidelity and disclosure on the demo's sensitive tables (run by hand, not in the tests).

Usage: FLRISK_HOME=/tmp/flrisk-home .venv/bin/python benchmarks/synthesis_fidelity.py [SEEDS]
(after `flrisk demo` in that home). For each sensitive table and seeds 0..SEEDS-1 (default 5) it
synthesises as many rows as the real table, measures the report of `flrisk synthesize` and prints
mean / worst total variation distance, Cramér's V differences, copies on quasi-identifiers and rare
combinations reproduced. Goals (issue 7): mean TVD <= 0.05, zero copies on quasi-identifiers.
"""

from __future__ import annotations

import sys
import time

import duckdb

from risk_model.parameters import load_parameters
from sharing.fidelity import fidelity_report
from sharing.synthesis import synthesize
from sharing.tables import SPECS
from warehouse.home import warehouse_path


def main(seeds: int = 5) -> None:
    """Print one line per table x seed and a summary per table."""
    k = int(load_parameters()["worker_voice"]["k_anonymity"])
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        real_tables = {name: con.sql(spec.sql()).pl() for name, spec in SPECS.items()}
    for name, spec in SPECS.items():
        real, reports = real_tables[name], []
        for seed in range(seeds):
            started = time.perf_counter()
            drawn = synthesize(real, spec, k=k, seed=seed)
            report = fidelity_report(real, drawn.frame, spec, k)
            reports.append(report)
            r, rejected = report, drawn.rejected_copies + drawn.rejected_rare
            print(
                f"{name} seed {seed}: {real.height} rows, mean TVD {r['mean_total_variation_distance']:.4f} "
                f"(max {r['max_total_variation_distance']:.4f}), "
                f"mean |dV| {r['mean_cramers_v_difference']:.4f} (max {r['max_cramers_v_difference']:.4f}), "
                f"copies {r['exact_copies_on_quasi_identifiers']}, "
                f"rare reproduced {r['rare_combinations_reproduced']}, "
                f"{rejected}/{drawn.draws} draws rejected, "
                f"{time.perf_counter() - started:.2f} s"
            )
        means = [r["mean_total_variation_distance"] for r in reports]
        print(
            f"{name}: mean TVD over {seeds} seeds {sum(means) / len(means):.4f} "
            f"(worst seed {max(means):.4f}); "
            f"copies on quasi-identifiers {sum(r['exact_copies_on_quasi_identifiers'] for r in reports)}; "
            f"rare combinations reproduced {sum(r['rare_combinations_reproduced'] for r in reports)}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
