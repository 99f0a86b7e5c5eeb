"""Entity-resolution accuracy on the demo bundle's ground truth (run by hand, not in the test suite).

Usage: FLRISK_HOME=.flrisk .venv/bin/python benchmarks/demo_resolution_accuracy.py
(after `make demo`). Compares resolved.record_links with demo/bundle/truth/facility_mentions.csv
and prints pairwise precision, recall and F1 over the facility mentions staged from each file.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl

from warehouse.home import warehouse_path

TRUTH = Path(__file__).resolve().parents[1] / "demo" / "bundle" / "truth" / "facility_mentions.csv"


def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    """All unordered record pairs inside each group."""
    return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}


def main() -> None:
    truth = pl.read_csv(TRUTH, infer_schema_length=0).with_columns(pl.col("source_row").cast(pl.Int64))
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        links = con.sql(
            "SELECT r.record_id, r.source_file, r.source_row, l.facility_id "
            "FROM staged.facility_records r JOIN resolved.record_links l USING (record_id)"
        ).pl()
    joined = links.join(truth, on=["source_file", "source_row"], how="inner")
    predicted, actual = defaultdict(list), defaultdict(list)
    for record_id, facility_id, true_key in joined.select(
        "record_id", "facility_id", "true_facility_key"
    ).iter_rows():
        predicted[facility_id].append(record_id)
        actual[true_key].append(record_id)
    found, expected = pairs(predicted), pairs(actual)
    true_positive = len(found & expected)
    precision = true_positive / max(len(found), 1)
    recall = true_positive / max(len(expected), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"mentions evaluated: {joined.height} (true facilities {len(actual)}, resolved {len(predicted)})")
    print(f"pairs: predicted {len(found)}, true {len(expected)}, correct {true_positive}")
    print(f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")


if __name__ == "__main__":
    main()
