"""Native-script pairs: does the engine link a firm's Chinese-character name to its English name?

    python -m benchmarks.er.native_pairs [--pairs benchmarks/data/native_script_pairs.csv]

Each row of the pairs file (real firms from US government forced-labour lists, with the Chinese name as
news reports printed it; see benchmarks/data/README.md) is resolved alone as a two-record input
through `entity_resolution.standalone.resolve_frame`: linked when both records get one facility id.
The pair's own score comes from `standalone.pair_scores` (no blocking: what scoring says when the two
are compared). Prints linked / not linked per pair and the summary (positives linked, negatives merged,
AUC of the pair score) and writes benchmarks/results/er-native-pairs.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

from benchmarks.er.real_pairs import auc
from benchmarks.er.run import RESULTS, engine_fingerprint
from entity_resolution.standalone import pair_scores, resolve_frame

PAIRS = Path(__file__).resolve().parents[1] / "data" / "native_script_pairs.csv"


def _side(row: dict, side: str) -> dict:
    return {
        "record_id": side,
        "name": row[f"{side}_name"],
        "address": row[f"{side}_address"] or "",
        "country": row[f"{side}_country"],
        "lat": None,
        "lng": None,
    }


def score_pair(row: dict) -> dict:
    """Linked, decisions and the pair score for one pair."""
    frame = pl.DataFrame(
        [_side(row, "left"), _side(row, "right")], schema_overrides={"lat": pl.Float64, "lng": pl.Float64}
    )
    out = resolve_frame(frame)
    ids = dict(out.select("record_id", "facility_id").iter_rows())
    score = pair_scores(frame.slice(0, 1), frame.slice(1, 1))[0]
    return {
        "left": row["left_name"],
        "right": row["right_name"],
        "label": row["label"],
        "linked": ids["left"] == ids["right"],
        "decisions": out["decision"].to_list(),
        "pair_score": None if score is None else round(float(score), 4),
    }


def evaluate(path: Path = PAIRS) -> dict:
    """Every pair's outcome and the summary."""
    pairs = pl.read_csv(path, infer_schema_length=0).with_columns(
        pl.col("left_address", "right_address").fill_null("")
    )
    results = [score_pair(row) for row in pairs.iter_rows(named=True)]
    positives = [r for r in results if r["label"] == "match"]
    negatives = [r for r in results if r["label"] == "distinct"]
    scores = [r["pair_score"] or 0.0 for r in results]
    return {
        "pairs": len(results),
        "positives": len(positives),
        "positives_linked": sum(r["linked"] for r in positives),
        "negatives": len(negatives),
        "negatives_merged": sum(r["linked"] for r in negatives),
        "pair_score_auc": round(auc(scores, [r["label"] == "match" for r in results]), 4),
        "engine_version": engine_fingerprint()["sources_sha256"],
        "results": results,
    }


def render(summary: dict) -> str:
    lines = []
    for r in summary["results"]:
        verdict = "linked    " if r["linked"] else "not linked"
        score = r["pair_score"] if r["pair_score"] is not None else "-"
        lines.append(f"{r['label']:<8} {verdict} score {score:>6}  {r['left']} | {r['right']}")
    lines.append(
        f"positives linked {summary['positives_linked']}/{summary['positives']}, negatives merged "
        f"{summary['negatives_merged']}/{summary['negatives']}, pair-score AUC "
        f"{summary['pair_score_auc']:.3f} (engine sources {summary['engine_version']})"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args()
    summary = evaluate(args.pairs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "er-native-pairs.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(render(summary))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
