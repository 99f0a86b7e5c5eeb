"""The engine under test, called the two public ways: the `flrisk resolve` CLI and `resolve_frame`.

Both run in measured child processes on the same six-column input file (`record_id, name, address,
country, lat, lng`; labels never reach the engine) and must agree record by record: the same
partition into facilities, the same decision and the same score. The CLI is timed as a whole
(reading, resolving, writing), as evaluation harnesses use it.
`python -m benchmarks.er.engine INPUT OUTPUT` is the child that calls `resolve_frame`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from benchmarks.er.measure import Measured, run_measured

REPOSITORY = Path(__file__).resolve().parents[2]
INPUT_COLUMNS = ["record_id", "name", "address", "country", "lat", "lng"]


def write_input(frame: pl.DataFrame, path: Path) -> Path:
    """The engine's input: the six input columns only."""
    frame.select(INPUT_COLUMNS).write_parquet(path)
    return path


def flrisk_executable() -> str:
    """The project's CLI in its virtual environment (falls back to PATH)."""
    local = REPOSITORY / ".venv" / "bin" / "flrisk"
    return str(local) if local.exists() else (shutil.which("flrisk") or "flrisk")


def run_cli(input_path: Path, output_path: Path) -> Measured:
    """`flrisk resolve INPUT --out OUTPUT` in a measured child process."""
    return run_measured(
        [flrisk_executable(), "resolve", str(input_path), "--out", str(output_path)], REPOSITORY
    )


def run_python(input_path: Path, output_path: Path) -> Measured:
    """`resolve_frame` on the same input, in a measured child process."""
    return run_measured(
        [sys.executable, "-m", "benchmarks.er.engine", str(input_path), str(output_path)], REPOSITORY
    )


def agreement(cli: pl.DataFrame, python: pl.DataFrame) -> dict:
    """Whether the two outputs agree: same records, same partition, decisions and scores."""
    joined = cli.join(python, on="record_id", how="full", suffix="_py", coalesce=True)
    missing = joined.filter(pl.col("facility_id").is_null() | pl.col("facility_id_py").is_null()).height
    pairs = joined.select("facility_id", "facility_id_py").unique()
    same_partition = (
        pairs["facility_id"].n_unique() == pairs.height and pairs["facility_id_py"].n_unique() == pairs.height
    )
    decisions = joined.filter(pl.col("decision") != pl.col("decision_py")).height
    score_gap = joined.select((pl.col("match_score") - pl.col("match_score_py")).abs().max()).item()
    return {
        "agree": missing == 0 and same_partition and decisions == 0 and (score_gap or 0) < 1e-9,
        "records_missing": missing,
        "same_partition": same_partition,
        "decisions_differing": decisions,
        "max_score_difference": float(score_gap or 0.0),
        "same_facility_ids": bool((joined["facility_id"] == joined["facility_id_py"]).all()),
    }


def main(input_path: str, output_path: str) -> None:
    """Child process: read the input, `resolve_frame`, write the output."""
    from entity_resolution.standalone import resolve_frame

    frame = pl.read_parquet(input_path).with_columns(pl.col("lat", "lng").cast(pl.Float64))
    resolve_frame(frame).write_parquet(output_path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
