"""Apply a pure Python string function to many values on every CPU core.

Normalising names and addresses is pure Python (regular expressions, dictionary look-ups) and holds
the GIL, so threads would not help. Above `PARALLEL_FROM` values the list is cut into chunks and
mapped in forked worker processes (they inherit the loaded reference lists and run no Polars code);
below it, or where fork is unavailable, it runs in this process. The result is the same list either
way, in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from functools import partial

PARALLEL_FROM = 20_000
"""Fewer values than this are mapped in this process: starting workers would cost more than it saves."""
CHUNKS_PER_WORKER = 4


def usable_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _apply(function: Callable, values: list) -> list:
    return [function(value) for value in values]


def map_values(function: Callable, values: list) -> list:
    """[function(v) for v in values], on every core when the list is long (see the module docstring).
    `function` must be a module-level function (it is sent to the workers by name)."""
    workers = usable_cores()
    if (
        len(values) < PARALLEL_FROM
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon  # a daemonic process may not start children
    ):
        return _apply(function, values)
    function(values[0])  # loads the reference lists here, once, before the workers are forked
    size = -(-len(values) // (workers * CHUNKS_PER_WORKER))
    chunks = [values[start : start + size] for start in range(0, len(values), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(partial(_apply, function), chunks)
    return [result for part in parts for result in part]
