"""Progress on a terminal for the long commands (demo, load, refresh, resolve): stages with counts and
elapsed seconds on stderr; silent when stderr is not a terminal (piped, redirected) or with `--quiet`.
`FLRISK_PROGRESS=1` forces it on (tests), `FLRISK_PROGRESS=0` off. Dagster runs add their own step
lines through `pipelines.progress` when this says progress is shown.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

_state = {"quiet": False, "started": None}


def shown() -> bool:
    """True when progress lines should be written now."""
    forced = os.environ.get("FLRISK_PROGRESS", "")
    if _state["quiet"] or forced == "0":
        return False
    return forced == "1" or sys.stderr.isatty()


def _elapsed() -> float:
    if _state["started"] is None:
        _state["started"] = time.monotonic()
    return time.monotonic() - _state["started"]


def note(message: str) -> None:
    """One progress line: elapsed seconds and `message`."""
    if shown():
        click.echo(f"[{_elapsed():7.1f}s] {message}", err=True)


@contextmanager
def stage(name: str) -> Iterator[dict]:
    """Show `name` started, then done with the count the block puts in the yielded dict ('count')."""
    note(f"{name}: started")
    result: dict = {}
    began = time.monotonic()
    yield result
    count = f" ({result['count']})" if "count" in result else ""
    note(f"{name}: done in {time.monotonic() - began:.1f} s{count}")


def _set_quiet(_context: click.Context, _parameter: click.Parameter, value: bool) -> bool:
    _state["quiet"] = bool(value)
    return value


def quiet_option(function):
    """`--quiet`: no progress lines (they are also off when stderr is not a terminal)."""
    return click.option(
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        is_eager=True,
        help="Show no progress lines (they go to stderr, and only on a terminal).",
    )(function)
