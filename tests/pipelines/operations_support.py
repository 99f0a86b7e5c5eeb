"""Shared helpers for the operations and concurrency tests: real flrisk homes, real subprocesses.

`baseline_home()` runs the real `flrisk demo` once per test session (in a subprocess, as a user
would) and the tests work on copies of it, so each test starts from a published warehouse without
paying for its own first run.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-01"
RUN_TIMEOUT = 900
FLRISK = [sys.executable, "-m", "cli.main"]
ENV_DROPPED = ("FLRISK_SOURCES", "FLRISK_ALERT_WEBHOOK_URL", "DAGSTER_HOME", "FLRISK_FAULT_PAUSE_AFTER_WRITE")


def python_probe(code: str, *args: str) -> object:
    """Run `code` in a fresh interpreter at the project root (`python -c code args...`) and return
    the JSON value of the last line it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def flrisk_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a flrisk subprocess working in `home`."""
    env = {key: value for key, value in os.environ.items() if key not in ENV_DROPPED}
    env.update(FLRISK_HOME=str(home), FLRISK_PSEUDONYMISATION_KEY="operations-test-key", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run_flrisk(home: Path, *args: str, timeout: float = RUN_TIMEOUT, **extra: str):
    """Run `flrisk ARGS` in a subprocess and return the completed process."""
    return subprocess.run(
        [*FLRISK, *args],
        cwd=ROOT,
        env=flrisk_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_flrisk(home: Path, *args: str, **extra: str) -> subprocess.Popen:
    """Start `flrisk ARGS` in its own process group (so a test can SIGKILL it and its children)."""
    return subprocess.Popen(
        [*FLRISK, *args],
        cwd=ROOT,
        env=flrisk_env(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@functools.cache
def baseline_home() -> Path:
    """A home where `flrisk demo --as-of AS_OF` has run once (built once per session)."""
    home = Path(tempfile.mkdtemp(prefix="flrisk-ops-baseline-")) / "home"
    result = run_flrisk(home, "demo", "--as-of", AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    return home


def copy_home(target: Path) -> Path:
    """A private copy of the baseline home at `target`."""
    shutil.copytree(baseline_home(), target)
    return target


def tables(database: Path, schemas: tuple[str, ...] = ("published",)) -> dict[str, pl.DataFrame]:
    """Every table of `schemas` in `database`, each sorted by all its columns (comparable across runs)."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE list_contains(?, table_schema) ORDER BY 1",
            [list(schemas)],
        ).fetchall()
        frames = {name: con.sql(f"SELECT * FROM {name}").pl() for (name,) in names}
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in frames.items()}


# Columns that name the run that wrote a row: two runs over the same data differ only there.
RUN_COLUMNS = ("run_id", "recorded_at")


def assert_same_tables(left: dict[str, pl.DataFrame], right: dict[str, pl.DataFrame]) -> None:
    """The same tables with the same rows, run-naming columns aside (a readable message names the
    first difference)."""
    assert sorted(left) == sorted(right)
    left = {name: _without_run_columns(frame) for name, frame in left.items()}
    right = {name: _without_run_columns(frame) for name, frame in right.items()}
    for name in left:
        assert left[name].height == right[name].height, f"{name}: {left[name].height} != {right[name].height}"
        assert left[name].equals(right[name]), f"{name} differs"


def _without_run_columns(frame: pl.DataFrame) -> pl.DataFrame:
    kept = frame.drop([column for column in RUN_COLUMNS if column in frame.columns])
    return kept.sort(kept.columns, nulls_last=True)
