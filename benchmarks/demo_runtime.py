"""Wall-clock time of `flrisk demo` on a fresh FLRISK_HOME, after install (run by hand).

Usage: .venv/bin/python benchmarks/demo_runtime.py [runs]   (default 3 runs; prints each and the median)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLRISK = Path(sys.executable).parent / "flrisk"


def one_run() -> float:
    """Seconds for one `flrisk demo` in a brand-new home (fresh warehouse, fresh Dagster instance)."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "FLRISK_HOME": home}
        env.pop("DAGSTER_HOME", None)
        started = time.perf_counter()
        subprocess.run(
            [str(FLRISK), "demo", "--as-of", "2026-11-23"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    times = [one_run() for _ in range(runs)]
    print("runs:", ", ".join(f"{t:.1f} s" for t in times))
    print(f"median: {statistics.median(times):.1f} s")


if __name__ == "__main__":
    main()
