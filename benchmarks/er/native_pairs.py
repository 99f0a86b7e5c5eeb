"""Native-script pairs: does the engine link a firm's Chinese-character name to its English name?

    python -m benchmarks.er.native_pairs [--pairs FILE ...]

Six pair files by default (see benchmarks/data/README.md): `native_script_pairs.csv` (real firms on
US government forced-labour lists, the Chinese name as news reports printed it), the held-out
`native_script_pairs_heldout.csv` (other real firms, none of them in the known-names list
`entity_resolution/reference/known_names.csv`, so the list cannot be what links them) and
`native_script_pairs_fresh.csv` (likewise, collected after the romanisation rules were frozen and
scored once, so it measures the rules too) and `native_script_pairs_fresh2.csv` (25 pairs of 20 firms
and entities none of which is in the known-names list, 19 look-alikes: listed firms' statutory Chinese and
English names, Hong Kong and Vietnamese firms, Xinjiang firms from a research database; written down and
scored before the fourth pass changed any rule) and `native_script_pairs_fresh3.csv` (34 pairs of 30 Taiwan,
Hong Kong and Xinjiang firms and XPCC units none of which is in the known-names list, 23 look-alikes; written
down and scored once before the known-names list was extended in the sixth session) and
`native_script_pairs_fresh4.csv` (36 pairs of 26 mainland apparel, footwear, textile, solar, aluminium, food
and electronics firms none of which is in the known-names list, 24 look-alikes; written down and scored once
before the seventh session changed any rule).

Each row is resolved alone as a two-record input through `entity_resolution.standalone.resolve_frame`,
twice: with the known-names step of normalisation switched off (what romanisation and translation
alone link) and on (the engine as shipped). A positive is "linked by romanisation" when the first run
links it, "linked only through known names" when only the second does. Negatives merged are counted
in both runs. The pair's own score (shipped engine) comes from `standalone.pair_scores` (no blocking).
Prints every pair and the summaries and writes benchmarks/results/er-native-pairs.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

from benchmarks.er.real_pairs import auc
from benchmarks.er.run import RESULTS, engine_fingerprint
from entity_resolution.normalise import known_name_keys, normalise_name_plain, use_known_names
from entity_resolution.standalone import pair_scores, resolve_frame

DATA = Path(__file__).resolve().parents[1] / "data"
PAIRS = DATA / "native_script_pairs.csv"
HELD_OUT = DATA / "native_script_pairs_heldout.csv"
FRESH = DATA / "native_script_pairs_fresh.csv"
FRESH2 = DATA / "native_script_pairs_fresh2.csv"
FRESH3 = DATA / "native_script_pairs_fresh3.csv"
FRESH4 = DATA / "native_script_pairs_fresh4.csv"


def _side(row: dict, side: str) -> dict:
    return {
        "record_id": side,
        "name": row[f"{side}_name"],
        "address": row[f"{side}_address"] or "",
        "country": row[f"{side}_country"],
        "lat": None,
        "lng": None,
    }


def _frame(row: dict) -> pl.DataFrame:
    return pl.DataFrame(
        [_side(row, "left"), _side(row, "right")], schema_overrides={"lat": pl.Float64, "lng": pl.Float64}
    )


def _linked(frame: pl.DataFrame) -> tuple[bool, list[str]]:
    out = resolve_frame(frame)
    ids = dict(out.select("record_id", "facility_id").iter_rows())
    return ids["left"] == ids["right"], out["decision"].to_list()


def score_pair(row: dict) -> dict:
    """Linked without and with known names, the shipped engine's decisions and the pair score."""
    frame = _frame(row)
    use_known_names(False)
    try:
        linked_plain, _ = _linked(frame)
    finally:
        use_known_names(True)
    linked, decisions = _linked(frame)
    score = pair_scores(frame.slice(0, 1), frame.slice(1, 1))[0]
    return {
        "left": row["left_name"],
        "right": row["right_name"],
        "label": row["label"],
        "linked": linked,
        "linked_by_romanisation": linked_plain,
        "decisions": decisions,
        "pair_score": None if score is None else round(float(score), 4),
    }


def evaluate(path: Path = PAIRS) -> dict:
    """Every pair's outcome and the summary of one pairs file."""
    pairs = pl.read_csv(path, infer_schema_length=0).with_columns(
        pl.col("left_address", "right_address").fill_null("")
    )
    results = [score_pair(row) for row in pairs.iter_rows(named=True)]
    positives = [r for r in results if r["label"] == "match"]
    negatives = [r for r in results if r["label"] == "distinct"]
    scores = [r["pair_score"] or 0.0 for r in results]
    names = set(pairs["left_name"].to_list()) | set(pairs["right_name"].to_list())
    return {
        "file": path.name,
        "pairs": len(results),
        "positives": len(positives),
        "positives_linked": sum(r["linked"] for r in positives),
        "linked_by_romanisation": sum(r["linked_by_romanisation"] for r in positives),
        "linked_only_through_known_names": sum(
            r["linked"] and not r["linked_by_romanisation"] for r in positives
        ),
        "negatives": len(negatives),
        "negatives_merged": sum(r["linked"] for r in negatives),
        "negatives_merged_without_known_names": sum(r["linked_by_romanisation"] for r in negatives),
        "names_in_known_names": sorted(n for n in names if normalise_name_plain(n) in known_name_keys()),
        "pair_score_auc": round(auc(scores, [r["label"] == "match" for r in results]), 4),
        "engine_version": engine_fingerprint()["sources_sha256"],
        "results": results,
    }


def render(summary: dict) -> str:
    lines = [f"== {summary['file']}"]
    for r in summary["results"]:
        verdict = "linked    " if r["linked"] else "not linked"
        how = (
            ""
            if not r["linked"] or r["label"] != "match"
            else (" (romanisation)" if r["linked_by_romanisation"] else " (known names)")
        )
        score = r["pair_score"] if r["pair_score"] is not None else "-"
        lines.append(f"{r['label']:<8} {verdict} score {score:>6}  {r['left']} | {r['right']}{how}")
    lines.append(
        f"positives linked {summary['positives_linked']}/{summary['positives']} "
        f"({summary['linked_by_romanisation']} by romanisation/translation, "
        f"{summary['linked_only_through_known_names']} only through known names), negatives merged "
        f"{summary['negatives_merged']}/{summary['negatives']} "
        f"({summary['negatives_merged_without_known_names']} without known names), pair-score AUC "
        f"{summary['pair_score_auc']:.3f}, names found in the known-names list "
        f"{len(summary['names_in_known_names'])} (engine sources {summary['engine_version']})"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = [PAIRS, HELD_OUT, FRESH, FRESH2, FRESH3, FRESH4]
    parser.add_argument("--pairs", type=Path, nargs="+", default=default)
    args = parser.parse_args()
    summaries = [evaluate(path) for path in args.pairs]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "er-native-pairs.json"
    out.write_text(json.dumps(summaries, indent=2, ensure_ascii=False) + "\n")
    for summary in summaries:
        print(render(summary))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
