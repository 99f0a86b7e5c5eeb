"""Run a command in a child process and measure its wall-clock seconds and peak resident memory.

`run_measured(argv)` starts `python -m benchmarks.er.measure RESULT -- argv...`: this small wrapper
runs the command as its own child, waits, and writes the seconds,
`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` (kB on Linux) and the child's CPU seconds (user +
system) to RESULT. CPU seconds barely move when other jobs load the machine, so they tell an idle
machine's time better than wall-clock seconds on a shared one. The extra level keeps
each measurement to one command: RUSAGE_CHILDREN of a long-lived runner would report the largest
of every child it has ever waited for.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    """What one measured command did."""

    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    returncode: int
    output: str


def run_measured(argv: list[str], cwd: Path | None = None) -> Measured:
    """Run `argv` in a measured child process (see module docstring)."""
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "measure.json"
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.er.measure", str(result), "--", *argv],
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        figures = (
            json.loads(result.read_text())
            if result.exists()
            else {"seconds": 0.0, "peak_rss_kb": 0, "cpu_seconds": 0.0}
        )
    return Measured(
        seconds=figures["seconds"],
        peak_rss_mb=figures["peak_rss_kb"] / 1024,
        cpu_seconds=figures.get("cpu_seconds", 0.0),
        returncode=completed.returncode,
        output=(completed.stdout + completed.stderr).strip(),
    )


def main(arguments: list[str]) -> int:
    """The wrapper: RESULT -- COMMAND..."""
    result, separator, *command = arguments
    if separator != "--" or not command:
        raise SystemExit("usage: python -m benchmarks.er.measure RESULT -- COMMAND...")
    started = time.perf_counter()
    returncode = subprocess.run(command).returncode
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "seconds": seconds,
        "peak_rss_kb": usage.ru_maxrss,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }
    Path(result).write_text(json.dumps(figures))
    return returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
