"""Entity-resolution benchmark runner: generate, resolve, score, compare with peers, report.

    uv run --frozen --group bench python -m benchmarks.er.run --scale 10k|100k|1m [--peers] [--split test]
        [--generator v1|v2]

`--generator v1` (default) is the seed-splicing generator (`generator.py`), `v2` the supplier world
(`supplier_world/`); the JSON and the table name the generator. Stages, each timed: generation of the
labelled split (in process; `--reuse-data` reads an existing file instead), the engine through
`flrisk resolve` (measured child: wall seconds and peak RSS) and through `resolve_frame` (measured
child; outputs must agree), metrics, then with `--peers` the naive rapidfuzz baseline and Splink 5
(each a measured child; `--skip-splink` leaves Splink out), the AUC on the 112 real OS Hub pairs, and
the engine's exact blocking reach and candidate pairs per record (`trace.py`; `--no-reach` skips it).
Prints a table and writes benchmarks/results/er-<scale>.json (v1) or er-v2-<scale>.json (v2).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from benchmarks.er import engine, evaluate, generator, metrics, peers, real_pairs, trace
from benchmarks.er.measure import Measured, run_measured
from benchmarks.er.report import summary
from benchmarks.er.supplier_world import generator as generator_v2

RESULTS = Path(__file__).resolve().parents[1] / "results"
GENERATORS = {"v1": generator, "v2": generator_v2}


def engine_fingerprint() -> dict:
    """Which engine was measured: a hash of the entity_resolution sources and its default settings."""
    digest = hashlib.sha256()
    package = engine.REPOSITORY / "entity_resolution"
    for path in sorted(p for p in package.rglob("*") if p.suffix in {".py", ".csv", ".sql"}):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        from entity_resolution.settings import ResolutionSettings

        settings = json.loads(ResolutionSettings().to_json())
    except (ImportError, AttributeError, TypeError):
        settings = None
    return {"sources_sha256": digest.hexdigest()[:16], "default_settings": settings}


def _timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def labelled_split(
    scale: str, split: str, seed: int | None, reuse: bool, which: str = "v1"
) -> tuple[pl.DataFrame, float | None]:
    """The labelled split of generator `which` and the seconds spent generating it (None when an
    existing file was reused); `seed` None means the generator's default seed."""
    module = GENERATORS[which]
    path = module.data_path(scale, split)
    if reuse and path.exists():
        return pl.read_parquet(path), None
    seed = module.DEFAULT_SEED if seed is None else seed
    _, seconds = _timed(module.write, scale, seed, (split,))
    return pl.read_parquet(path), seconds


def _checked(measured: Measured, what: str) -> Measured:
    if measured.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {measured.returncode}):\n{measured.output[-3000:]}")
    return measured


def run_engine(
    labelled: pl.DataFrame, scratch: Path, python_check: bool, pairs: pl.DataFrame, prepared: pl.DataFrame
) -> dict:
    """The engine through the CLI (and `resolve_frame`), with its figures."""
    input_path = engine.write_input(labelled, scratch / "input.parquet")
    cli = _checked(engine.run_cli(input_path, scratch / "cli.parquet"), "flrisk resolve")
    output = pl.read_parquet(scratch / "cli.parquet")
    result: dict = {
        "seconds": round(cli.seconds, 2),
        "cpu_seconds": round(cli.cpu_seconds, 2),
        "peak_rss_mb": round(cli.peak_rss_mb),
        "cli_says": cli.output,
    }
    reported = re.search(r"in ([0-9.]+) s", cli.output)
    result["resolve_seconds_reported_by_cli"] = float(reported.group(1)) if reported else None
    if python_check:
        python = _checked(engine.run_python(input_path, scratch / "python.parquet"), "resolve_frame")
        result["python_seconds"] = round(python.seconds, 2)
        result["python_peak_rss_mb"] = round(python.peak_rss_mb)
        result["agreement"] = engine.agreement(output, pl.read_parquet(scratch / "python.parquet"))
    figures, seconds = _timed(
        evaluate.tool_figures,
        labelled,
        output.select("record_id", pl.col("facility_id").alias("cluster"), "decision"),
        pairs,
        prepared,
    )
    return result | figures | {"metrics_seconds": round(seconds, 2)}


def run_peer(
    name: str, labelled: pl.DataFrame, scratch: Path, pairs: pl.DataFrame, prepared: pl.DataFrame
) -> dict:
    """One peer in a measured child process, with its figures."""
    input_path = scratch / "input.parquet"
    output_path = scratch / f"{name}.parquet"
    measured = _checked(
        run_measured([sys.executable, "-m", "benchmarks.er.peers", name, str(input_path), str(output_path)]),
        name,
    )
    output = pl.read_parquet(output_path)
    keys = peers.NAIVE_KEYS if name == "naive" else peers.SPLINK_KEYS
    figures = evaluate.tool_figures(labelled, output.select("record_id", "cluster"), pairs, prepared, keys)
    result = {"seconds": round(measured.seconds, 2), "peak_rss_mb": round(measured.peak_rss_mb)} | figures
    if name == "splink":
        result["threshold"] = peers.SPLINK_THRESHOLD
        result["threshold_sweep_on_test_labels"] = evaluate.sweep(labelled, output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Entity-resolution benchmark runner")
    parser.add_argument("--scale", choices=generator.SCALES, default="10k")
    parser.add_argument("--split", choices=generator.SPLITS, default="test")
    parser.add_argument(
        "--generator", choices=GENERATORS, default="v1", help="v1: seed splicing, v2: supplier world"
    )
    parser.add_argument("--seed", type=int, default=None, help="generator seed (default: the generator's)")
    parser.add_argument("--peers", action="store_true", help="also run the naive baseline and Splink")
    parser.add_argument("--skip-splink", action="store_true", help="with --peers: the naive baseline only")
    parser.add_argument("--reuse-data", action="store_true", help="read an existing generated split")
    parser.add_argument("--no-python-check", action="store_true", help="skip the resolve_frame agreement run")
    parser.add_argument("--no-real-pairs", action="store_true", help="skip the AUC on the 112 real pairs")
    parser.add_argument("--no-reach", action="store_true", help="skip the engine's exact blocking reach")
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON path (default: results/er[-v2]-<scale>.json)"
    )
    args = parser.parse_args()
    seed = GENERATORS[args.generator].DEFAULT_SEED if args.seed is None else args.seed

    labelled, generation_seconds = labelled_split(
        args.scale, args.split, seed, args.reuse_data, args.generator
    )
    pairs = metrics.true_pairs(labelled)
    prepared = peers.prepare(labelled)
    report: dict = {
        "generator": args.generator,
        "scale": args.scale,
        "split": args.split,
        "seed": seed,
        "records": labelled.height,
        "true_facilities": labelled["true_facility"].n_unique(),
        "true_pairs": pairs.height,
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine_version": engine_fingerprint(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "stages_seconds": {"generation": round(generation_seconds, 1) if generation_seconds else None},
        "tools": {},
    }
    with tempfile.TemporaryDirectory(prefix="er-bench-") as scratch:
        scratch_path = Path(scratch)
        report["tools"]["engine"] = run_engine(
            labelled, scratch_path, not args.no_python_check, pairs, prepared
        )
        after = engine_fingerprint()["sources_sha256"]
        report["engine_version"]["changed_during_run"] = after != report["engine_version"]["sources_sha256"]
        report["stages_seconds"]["engine"] = report["tools"]["engine"]["seconds"]
        report["stages_seconds"]["metrics"] = report["tools"]["engine"]["metrics_seconds"]
        if not args.no_reach:
            blocking, seconds = _timed(lambda: trace.reach(trace.trace(labelled, score=False)))
            report["tools"]["engine"]["blocking"] = blocking
            report["tools"]["engine"]["blocking_reach_proxy"] = report["tools"]["engine"]["blocking_reach"]
            report["tools"]["engine"]["blocking_reach"] = blocking["reach_direct"]
            report["tools"]["engine"]["blocking_reach_kind"] = "exact: true pairs that are candidate pairs"
            report["stages_seconds"]["reach"] = round(seconds, 1)
        if args.peers:
            for name in ("naive",) if args.skip_splink else ("naive", "splink"):
                report["tools"][name] = run_peer(name, labelled, scratch_path, pairs, prepared)
                report["stages_seconds"][name] = report["tools"][name]["seconds"]
    if not args.no_real_pairs:
        report["real_pairs"], seconds = _timed(real_pairs.evaluate)
        report["stages_seconds"]["real_pairs"] = round(seconds, 1)
    if engine_fingerprint()["sources_sha256"] != report["engine_version"]["sources_sha256"]:
        report["engine_version"]["changed_during_run"] = True
    engine_figures = report["tools"]["engine"]
    report["goals"] = evaluate.goals(
        args.scale,
        engine_figures,
        engine_figures["seconds"],
        engine_figures["peak_rss_mb"],
        report.get("real_pairs"),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    default = f"er-{args.scale}.json" if args.generator == "v1" else f"er-{args.generator}-{args.scale}.json"
    out = args.out or RESULTS / default
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(summary(report))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
