"""Pair-level detail for the error analysis (`errors.py`): missed pairs listed by cause, the diagnosis of
pairs blocking never compared, examples of every cause, and the printed report.

Missed pairs are listed only inside facilities the engine split (records of one facility in more than
one cluster), so the lists stay as small as the errors are.
"""

from __future__ import annotations

import polars as pl

from benchmarks.er import trace
from entity_resolution.blocking import informative_tokens

CJK = r"[\u3400-\u9fff]"
SHOWN = ["name", "address", "country_code", "lat", "lng", "noise"]


def missed_pairs(level: pl.DataFrame) -> pl.DataFrame:
    """Every missed true pair (left < right record idx) with its cause (see `errors.py`)."""
    split = level.filter(pl.col("cluster").n_unique().over("f") > 1)
    pairs = split.join(split, on="f", suffix="_r").filter(
        (pl.col("idx") < pl.col("idx_r")) & (pl.col("cluster") != pl.col("cluster_r"))
    )
    cause = (
        pl.when(pl.col("c_all") != pl.col("c_all_r")).then(pl.lit("never_compared"))
        .when(pl.col("c_review") != pl.col("c_review_r")).then(pl.lit("scored_low"))
        .when(pl.col("c_auto") != pl.col("c_auto_r")).then(pl.lit("review_band"))
        .otherwise(pl.lit("split_by_guard"))
    )  # fmt: skip
    return pairs.select(pl.col("idx").alias("left"), pl.col("idx_r").alias("right"), cause=cause)


def _tokens(tr: trace.Trace) -> pl.DataFrame:
    """(idx, key, frequency, kept): each record's informative name words as blocking keys them, how
    many records share each, and whether blocking kept it among the record's rarest few."""
    keys = informative_tokens(tr.prepared, "name_norm")
    keys = keys.with_columns(frequency=pl.len().over("key"))
    cap, per_record = tr.settings.max_block_size, tr.settings.rare_name_tokens
    kept = (
        keys.filter(pl.col("frequency").is_between(2, cap))
        .sort("idx", "frequency", "key")
        .group_by("idx", maintain_order=True)
        .head(per_record)
        .select("idx", "key", kept=pl.lit(True))
    )
    return keys.join(kept, on=["idx", "key"], how="left").with_columns(pl.col("kept").fill_null(False))


def diagnose_never_compared(
    tr: trace.Trace, level: pl.DataFrame, sample: int = 20_000, seed: int = 1
) -> dict:
    """Why blocking never compared a sample of the never-compared missed pairs (first reason applies)."""
    pairs = missed_pairs(level).filter(pl.col("cause") == "never_compared")
    if pairs.height == 0:
        return {"sampled": 0}
    pairs = pairs.sample(min(sample, pairs.height), seed=seed)
    facts = tr.prepared.select("idx", "country_code", cjk=pl.col("name").str.contains(CJK).fill_null(False))
    tokens = _tokens(tr)
    shared = (
        pairs.join(tokens.rename({"idx": "left", "kept": "kept_l"}), on="left")
        .join(
            tokens.select(pl.col("idx").alias("right"), "key", pl.col("kept").alias("kept_r")),
            on=["right", "key"],
        )
        .group_by("left", "right")
        .agg(
            under_cap=(pl.col("frequency") <= tr.settings.max_block_size).any(),
            shared_words=pl.len(),
        )
    )
    cap = tr.settings.max_block_size
    frame = (
        pairs.join(facts.rename(lambda c: c if c != "idx" else "left"), on="left")
        .join(facts.rename(lambda c: f"{c}_r" if c != "idx" else "right"), on="right")
        .join(shared, on=["left", "right"], how="left")
    )
    reason = (
        pl.when(pl.col("country_code") != pl.col("country_code_r")).then(pl.lit("country codes differ"))
        .when(pl.col("cjk") != pl.col("cjk_r")).then(pl.lit("scripts differ (Chinese characters vs Latin)"))
        .when(pl.col("shared_words").is_null()).then(pl.lit("no shared name word"))
        .when(~pl.col("under_cap")).then(pl.lit(f"every shared name word is in more than {cap} records"))
        .otherwise(pl.lit("a shared rare word was crowded out of the records' rarest few"))
    )  # fmt: skip
    counts = frame.with_columns(reason=reason).group_by("reason").len().sort("len", descending=True)
    return {
        "sampled": frame.height,
        "reasons": {r: round(n / frame.height, 4) for r, n in counts.iter_rows()},
    }


def direct_scores_of_missed(tr: trace.Trace, level: pl.DataFrame) -> dict:
    """Missed pairs that were candidate pairs themselves, by their own score band."""
    info = level.select("idx", "f", "cluster")
    pairs = (
        tr.scores.join(info.rename({"idx": "left"}), on="left")
        .join(info.rename({"idx": "right", "f": "f_r", "cluster": "cluster_r"}), on="right")
        .filter((pl.col("f") == pl.col("f_r")) & (pl.col("cluster") != pl.col("cluster_r")))
    )
    s = tr.settings
    band = (
        pl.when(pl.col("dismissed")).then(pl.lit("dismissed (names too far apart)"))
        .when(pl.col("match_score") < s.review_threshold).then(pl.lit(f"below review ({s.review_threshold})"))
        .when(pl.col("match_score") < s.auto_match_threshold).then(pl.lit("review band"))
        .otherwise(pl.lit(f"auto band (>= {s.auto_match_threshold})"))
    )  # fmt: skip
    return dict(pairs.group_by(band.alias("band")).len().sort("len", descending=True).iter_rows())


def _record(tr: trace.Trace, idx: int) -> dict:
    row = tr.prepared.row(idx, named=True)
    return {c: row[c] for c in ["record_id", *SHOWN]}


def _score(tr: trace.Trace, left: int, right: int) -> float | None:
    hit = tr.scores.filter((pl.col("left") == left) & (pl.col("right") == right))
    return float(hit["match_score"][0]) if hit.height else None


def examples(tr: trace.Trace, level: pl.DataFrame, direct: pl.DataFrame, count: int, seed: int) -> dict:
    """A few pairs of every cause, with both records and the pair's own score (None: never compared)."""
    result: dict[str, list] = {}
    missed = missed_pairs(level)
    for cause, rows in missed.partition_by("cause", as_dict=True).items():
        picked = rows.sample(min(count, rows.height), seed=seed)
        result[f"missed: {cause[0]}"] = [
            {"score": _score(tr, a, b), "left": _record(tr, a), "right": _record(tr, b)}
            for a, b, _ in picked.iter_rows()
        ]
    picked = direct.sample(min(count, direct.height), seed=seed) if direct.height else direct
    result["wrong: direct"] = [
        {
            "score": r["match_score"],
            "relation": r["relation"],
            "left": _record(tr, r["left"]),
            "right": _record(tr, r["right"]),
        }
        for r in picked.iter_rows(named=True)
    ]
    mixed = level.filter(pl.col("f").n_unique().over("cluster") > 1)
    pairs = mixed.join(mixed, on="cluster", suffix="_r").filter(
        (pl.col("idx") < pl.col("idx_r")) & (pl.col("f") != pl.col("f_r"))
    )
    pairs = pairs.join(
        direct.select(pl.col("left").alias("idx"), pl.col("right").alias("idx_r")),
        on=["idx", "idx_r"],
        how="anti",
    )
    picked = pairs.sample(min(count, pairs.height), seed=seed) if pairs.height else pairs
    result["wrong: transitive"] = [
        {
            "cluster_records": int(level.filter(pl.col("cluster") == r["cluster"]).height),
            "cluster_facilities": int(level.filter(pl.col("cluster") == r["cluster"])["f"].n_unique()),
            "relation": "same family" if r["family"] == r["family_r"] else "unrelated",
            "left": _record(tr, r["idx"]),
            "right": _record(tr, r["idx_r"]),
        }
        for r in picked.iter_rows(named=True)
    ]
    return result


def _share(n: int, total: int) -> str:
    return f"{n:>9,} ({n / total:6.1%})" if total else f"{n:>9,}"


def render(result: dict) -> str:
    """The printed report."""
    reach, missed, wrong = result["reach"], result["missed"], result["wrong"]
    lines = [
        f"{result['generator']} {result['scale']} {result['split']}: {result['records']:,} records, "
        f"{result['true_pairs']:,} true pairs; traced partition = resolve_frame's: "
        f"{result['traced_partition_equals_resolve_frame']}",
        f"blocking: {reach['pairs_per_record']} candidate pairs per record; reach "
        f"{reach['reach_direct']:.1%} direct, {reach['reach_transitive']:.1%} through the facility's records",
        f"missed true pairs {missed['total']:,}:",
        *[
            f"  {cause:<16}{_share(missed[cause], missed['total'])}"
            for cause in ("never_compared", "scored_low", "review_band", "split_by_guard")
        ],
    ]
    lines.append(
        "  by mentions per facility: "
        + "; ".join(
            f"{r['mentions']}: {r['facilities']:,} facilities, recall {r['recall']}, "
            f"{r['share_of_missed']:.0%} of missed"
            for r in result["by_facility_size"]
            if r["true_pairs"]
        )
    )
    diagnosis = result["never_compared_diagnosis"]
    if diagnosis.get("sampled"):
        lines.append(f"  never compared, why (sample of {diagnosis['sampled']:,}):")
        lines += [f"    {share:6.1%}  {reason}" for reason, share in diagnosis["reasons"].items()]
    lines.append(
        "  missed pairs compared directly, by their own score: "
        + ", ".join(f"{k} {v:,}" for k, v in result["missed_compared_directly"].items())
    )
    lines += [
        f"wrong pairs {wrong['total']:,}: direct {_share(wrong['direct'], wrong['total'])}, transitive "
        f"{_share(wrong['transitive'], wrong['total'])}; same family {wrong['same_family']:,}, "
        f"unrelated {wrong['unrelated']:,}",
        "  direct, by relation: " + ", ".join(f"{k} {v:,}" for k, v in wrong["direct_by_relation"].items()),
        "examples:",
    ]
    for cause, items in result["examples"].items():
        lines.append(f"  {cause}")
        for item in items:
            extra = {k: v for k, v in item.items() if k not in ("left", "right")}
            lines.append(f"    {extra}")
            for side in ("left", "right"):
                r = item[side]
                lines.append(f"      {r['name']!r} | {r['address']!r} | {r['country_code']} | {r['noise']}")
    return "\n".join(lines)
