"""Error analysis as a tool: why the engine misses true pairs and makes wrong ones, grouped by cause.

    python -m benchmarks.er.errors --scale 10k --generator v2 [--split dev] [--examples 3] [--reuse-data]

Resolves the split through `entity_resolution.standalone.resolve_frame` (as the harness does), traces the
same run's candidate pairs, scores and clusters (`trace.py`; the traced partition must equal
`resolve_frame`'s) and sorts every error into one cause:

missed true pairs (records of one facility left in different facilities), by how far they got -
- never compared: no chain of candidate pairs joins them inside their facility (blocking lost them);
  a sample is diagnosed: country codes differ, scripts differ (Chinese characters vs Latin), they share
  a name word but every shared word is over the block cap (`max_block_size`: a popular word dropped),
  they share a rare word that was crowded out of both records' rarest few, or they share no name word;
- scored low: compared (directly or through their facility's other records) but every link between
  them scores below the review band;
- review band: the best chain of links reaches the review band but not the auto band;
- split by a guard: a chain of auto links joins them, yet clustering's consistency check (a pair scored
  below `different_below`, two unit numbers) split the cluster;
wrong pairs (records of different facilities placed together) -
- direct: the two records were scored at or above the auto band themselves;
- transitive: merged only through a chain of other links;
each also counted by the relation of the two facilities (same family: siblings / namesakes / park
tenants; else unrelated). Counts come from group sizes (no pair lists); examples are sampled. Default
split: dev (tune on dev, never on test). Writes benchmarks/results/er-errors-<generator>-<scale>-<split>.json.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import polars as pl

from benchmarks.er import errors_report, trace
from benchmarks.er.run import RESULTS, labelled_split
from entity_resolution.standalone import resolve_frame

CAUSES = ("never_compared", "scored_low", "review_band", "split_by_guard")


def _components(tr: trace.Trace, facility: np.ndarray, minimum: float | None) -> np.ndarray:
    scores = tr.scores if minimum is None else tr.scores.filter(pl.col("match_score") >= minimum)
    left, right = scores["left"].to_numpy().astype(np.int64), scores["right"].to_numpy().astype(np.int64)
    return trace.facility_components(facility, left, right)


def levels(tr: trace.Trace) -> pl.DataFrame:
    """Per record: facility, family, final cluster and its component over its facility's candidate
    links of any score (`c_all`), of review-band score or more (`c_review`), of auto score (`c_auto`)."""
    facility = trace.facility_codes(tr.prepared)
    return pl.DataFrame(
        {
            "idx": tr.prepared["idx"],
            "f": facility,
            "family": tr.prepared["group_id"],
            "cluster": tr.labels,
            "c_all": _components(tr, facility, None),
            "c_review": _components(tr, facility, tr.settings.review_threshold),
            "c_auto": _components(tr, facility, tr.settings.auto_match_threshold),
        }
    )


def missed_causes(level: pl.DataFrame) -> dict[str, int]:
    """Missed true pairs per cause, by inclusion-exclusion over group sizes (A = same c_all, R = same
    c_review, U = same c_auto, C = same cluster; U within R within A)."""
    n = {
        key: trace.pair_count(level, ["f", *key])
        for key in [(), ("c_all",), ("c_review",), ("c_auto",), ("cluster",)]
    }
    both = {key: trace.pair_count(level, ["f", key, "cluster"]) for key in ("c_all", "c_review", "c_auto")}
    return {
        "never_compared": n[()] - n[("c_all",)] - n[("cluster",)] + both["c_all"],
        "scored_low": n[("c_all",)] - n[("c_review",)] - both["c_all"] + both["c_review"],
        "review_band": n[("c_review",)] - n[("c_auto",)] - both["c_review"] + both["c_auto"],
        "split_by_guard": n[("c_auto",)] - both["c_auto"],
    }


SIZE_BUCKETS = ((1, 2), (3, 9), (10, 29), (30, 10_000))


def by_facility_size(level: pl.DataFrame) -> list[dict]:
    """Recall by how many lists name the facility: big suppliers (30+ mentions) own most true pairs."""
    per = (
        level.group_by("f", "cluster")
        .len()
        .group_by("f")
        .agg(
            records=pl.col("len").sum(), kept=(pl.col("len").cast(pl.Int64) * (pl.col("len") - 1) // 2).sum()
        )
    )
    per = per.with_columns(pairs=pl.col("records").cast(pl.Int64) * (pl.col("records") - 1) // 2)
    missed_total = int((per["pairs"] - per["kept"]).sum())
    rows = []
    for low, high in SIZE_BUCKETS:
        part = per.filter(pl.col("records").is_between(low, high))
        pairs, kept = int(part["pairs"].sum()), int(part["kept"].sum())
        rows.append(
            {
                "mentions": f"{low}-{high}" if high < 10_000 else f"{low}+",
                "facilities": part.height,
                "records": int(part["records"].sum()),
                "true_pairs": pairs,
                "recall": round(kept / pairs, 4) if pairs else None,
                "share_of_missed": round((pairs - kept) / missed_total, 4) if missed_total else 0.0,
            }
        )
    return rows


def wrong_causes(tr: trace.Trace, level: pl.DataFrame) -> dict:
    """Wrong pairs: total, direct (an auto-band link between them) and transitive, and by relation."""
    total = trace.pair_count(level, ["cluster"]) - trace.pair_count(level, ["cluster", "f"])
    same_family = trace.pair_count(level, ["cluster", "family"]) - trace.pair_count(level, ["cluster", "f"])
    edges = direct_wrong(tr, level)
    return {
        "total": total,
        "direct": edges.height,
        "transitive": total - edges.height,
        "same_family": same_family,
        "unrelated": total - same_family,
        "direct_by_relation": dict(edges.group_by("relation").len().sort("len", descending=True).iter_rows()),
    }


def direct_wrong(tr: trace.Trace, level: pl.DataFrame) -> pl.DataFrame:
    """Auto-band links between records of different facilities that ended in one cluster."""
    facts = tr.prepared.select("idx", "kind", "source")
    info = level.select("idx", "f", "family", "cluster").join(facts, on="idx")
    edges = tr.scores.filter(pl.col("match_score") >= tr.settings.auto_match_threshold)
    edges = edges.join(info.rename(lambda c: f"{c}_l" if c != "idx" else "left"), on="left").join(
        info.rename(lambda c: f"{c}_r" if c != "idx" else "right"), on="right"
    )
    edges = edges.filter((pl.col("f_l") != pl.col("f_r")) & (pl.col("cluster_l") == pl.col("cluster_r")))
    kinds = pl.concat_str(
        pl.min_horizontal("kind_l", "kind_r"), pl.max_horizontal("kind_l", "kind_r"), separator="+"
    )
    relation = pl.when(pl.col("family_l") == pl.col("family_r")).then(pl.format("{}: {}", "source_l", kinds))
    return edges.with_columns(relation=relation.otherwise(pl.lit("unrelated")))


def analyse(labelled: pl.DataFrame, examples: int = 3, seed: int = 1) -> dict:
    """Every figure of the report (see module docstring)."""
    started = time.perf_counter()
    official = resolve_frame(labelled.select("record_id", "name", "address", "country", "lat", "lng"))
    seconds_resolve = time.perf_counter() - started
    tr = trace.trace(labelled)
    level = levels(tr)
    traced = tr.prepared.select("record_id", traced=pl.Series(tr.labels)).join(official, on="record_id")
    same = traced.select("traced", "facility_id").unique()
    consistent = same.height == same["traced"].n_unique() == same["facility_id"].n_unique()
    missed = missed_causes(level)
    wrong = wrong_causes(tr, level)
    true_pairs = trace.pair_count(level, ["f"])
    return {
        "records": labelled.height,
        "true_pairs": true_pairs,
        "traced_partition_equals_resolve_frame": bool(consistent),
        "resolve_frame_seconds": round(seconds_resolve, 1),
        "reach": trace.reach(tr),
        "missed": {"total": sum(missed.values()), **missed},
        "by_facility_size": by_facility_size(level),
        "never_compared_diagnosis": errors_report.diagnose_never_compared(tr, level, seed=seed),
        "missed_compared_directly": errors_report.direct_scores_of_missed(tr, level),
        "wrong": wrong,
        "examples": errors_report.examples(tr, level, direct_wrong(tr, level), examples, seed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10k")
    parser.add_argument("--generator", choices=("v1", "v2"), default="v2")
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--seed", type=int, default=None, help="generator seed (default: the generator's)")
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--reuse-data", action="store_true")
    args = parser.parse_args()
    labelled, _ = labelled_split(args.scale, args.split, args.seed, args.reuse_data, args.generator)
    result = {"generator": args.generator, "scale": args.scale, "split": args.split} | analyse(
        labelled, args.examples
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"er-errors-{args.generator}-{args.scale}-{args.split}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(errors_report.render(result))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
