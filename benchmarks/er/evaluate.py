"""Score one tool's output against the labels: every figure the runner reports for a tool.

`tool_figures(labelled, output, ...)` joins a tool's `record_id, cluster` (and `decision` for the
engine) to the labelled records and computes pairwise and B-cubed scores, the review share, blocking
reach (exact for peers whose keys we know, an upper-bound proxy for the engine), a per-source
breakdown, wrong merges by relation, missed pairs by noise tag and a few examples.
"""

from __future__ import annotations

import polars as pl

from benchmarks.er import metrics

GOAL_F1 = 0.95
GOAL_REVIEW_SHARE = 0.05


def _rounded(values: dict, digits: int = 4) -> dict:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in values.items()}


def tool_figures(
    labelled: pl.DataFrame,
    output: pl.DataFrame,
    pairs: pl.DataFrame,
    prepared: pl.DataFrame,
    reach_keys: list[list[str]] | None = None,
) -> dict:
    """Figures for one tool; `output` has record_id, cluster (and decision for the engine);
    `prepared` is `peers.prepare(labelled)` (normalised names and blocking keys, same row order)."""
    frame = labelled.join(output, on="record_id", how="left", maintain_order="left")
    if frame["cluster"].null_count():
        raise ValueError(f"{frame['cluster'].null_count()} records have no cluster in the tool's output")
    figures = {
        "pairwise": _rounded(metrics.pairwise(frame)),
        "bcubed": _rounded(metrics.bcubed(frame)),
        "clusters": frame["cluster"].n_unique(),
    }
    if "decision" in frame.columns:
        counts = dict(frame.group_by("decision").len().iter_rows())
        figures["decisions"] = counts
        figures["review_share"] = round(counts.get("review", 0) / frame.height, 4)
        figures["blocking_reach"] = round(metrics.reached_by_engine(frame, pairs), 4)
        figures["blocking_reach_kind"] = (
            "upper-bound proxy: true pairs co-clustered or with a record in review"
        )
    if reach_keys is not None:
        figures["blocking_reach"] = round(metrics.reach(prepared, reach_keys, pairs), 4)
        figures["blocking_reach_kind"] = "exact: true pairs sharing a blocking key"
    figures["by_source"] = {
        source: _rounded(metrics.pairwise(frame.filter(pl.col("source") == source)))
        for source in sorted(frame["source"].unique())
    }
    figures["wrong_merges"] = metrics.wrong_merges(frame)
    figures["missed_with_same_name"] = metrics.missed_with_same_name(frame, prepared, pairs)
    figures["missed_by_noise_tag"] = [_rounded(r, 3) for r in metrics.missed_by_tag(frame, pairs)]
    figures["examples"] = metrics.examples(frame, pairs)
    return figures


def sweep(labelled: pl.DataFrame, output: pl.DataFrame) -> dict[str, dict]:
    """Pairwise scores for each extra `cluster@<threshold>` column (Splink's threshold sweep)."""
    result = {}
    for column in [c for c in output.columns if c.startswith("cluster@")]:
        frame = labelled.join(output.select("record_id", pl.col(column).alias("cluster")), on="record_id")
        result[column.split("@")[1]] = _rounded(metrics.pairwise(frame))
    return result


def goals(scale: str, engine: dict, seconds: float, peak_rss_mb: float, real_pairs: dict | None) -> dict:
    """The issue's goals for this scale, each with the measured value and whether it is met."""
    checks = {}
    if scale in ("10k", "100k"):
        f1, review = engine["pairwise"]["f1"], engine["review_share"]
        checks["pairwise_f1>=0.95"] = {"value": f1, "met": f1 >= GOAL_F1}
        checks["review_share<=5%"] = {"value": review, "met": review <= GOAL_REVIEW_SHARE}
    if scale == "100k":
        checks["seconds<=15"] = {"value": round(seconds, 1), "met": seconds <= 15}
    if scale == "1m":
        checks["seconds<=150"] = {"value": round(seconds, 1), "met": seconds <= 150}
        checks["peak_rss<=4GB"] = {"value": round(peak_rss_mb), "met": peak_rss_mb <= 4096}
    if real_pairs:
        checks["real_pairs_auc>=0.90"] = {
            "value": real_pairs["engine_auc"],
            "met": real_pairs["engine_auc"] >= 0.90,
        }
    return checks
