"""Apply a pure Python string function to many values on every CPU core.

Normalising names and addresses is pure Python (regular expressions, dictionary look-ups) and holds
the GIL, so threads would not help. Above `PARALLEL_FROM` values the list is cut into chunks and
mapped in forked worker processes (they inherit the loaded reference lists and run no Polars code);
below it, or where fork is unavailable, it runs in this process. The result is the same list either
way, in order.

Forking a process that runs other threads (Dagster's, Polars') can leave a worker stuck on a lock one
of them held at that moment, and a worker that inherited Dagster's SIGTERM handler then ignores the
pool's request to stop: a refresh waited forever that way. So a worker restores the default SIGTERM
action as soon as it is forked (an at-fork hook), and the workers get a deadline (`deadline_seconds`:
many times what the values cost in this process); past it the pool is stopped and the values are
mapped in this process instead. Slower, never stuck.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from functools import partial

PARALLEL_FROM = 20_000
"""Fewer values than this are mapped in this process: starting workers would cost more than it saves."""
CHUNKS_PER_WORKER = 4
WAIT_SECONDS_AT_LEAST = 60.0
WAIT_SECONDS_PER_VALUE = 0.0005
"""Deadline for the workers: a minute plus 0.5 ms per value (normalising a name costs ~0.035 ms)."""
_FORKING = {"workers": False}


def _in_forked_worker() -> None:
    """At-fork hook (child side): a worker forked by `map_values` stops on SIGTERM, whatever handler
    the parent had installed."""
    if _FORKING["workers"]:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_forked_worker)


def deadline_seconds(count: int) -> float:
    """How long the workers may take for `count` values before they are stopped."""
    return WAIT_SECONDS_AT_LEAST + WAIT_SECONDS_PER_VALUE * count


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
    _FORKING["workers"] = True  # for the pool's whole life: it may fork replacement workers too
    try:
        handler = _default_sigterm()
        try:
            pool = multiprocessing.get_context("fork").Pool(workers)
        finally:
            _restore_sigterm(handler)
        with pool:  # leaving the block terminates the workers, stuck or not
            pending = pool.map_async(partial(_apply, function), chunks)
            try:
                parts = pending.get(timeout=deadline_seconds(len(values)))
            except multiprocessing.TimeoutError:
                parts = None
                _kill_workers(pool)
    finally:
        _FORKING["workers"] = False
    if parts is None:
        return _apply(function, values)
    return [result for part in parts for result in part]


def _default_sigterm() -> object:
    """In the main thread, SIGTERM's default action for the moment workers are forked, so a worker
    stuck before any Python code runs in it (a lock held by another thread at fork time) still stops
    on the pool's SIGTERM; returns the handler to restore (None off the main thread, where only the
    at-fork hook applies)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _restore_sigterm(handler: object) -> None:
    if handler is not None:
        signal.signal(signal.SIGTERM, handler)


def _kill_workers(pool) -> None:
    """Past the deadline: kill the workers outright (SIGKILL), so stopping the pool never waits on a
    worker that cannot act on SIGTERM. A worker the pool forks to replace a killed one runs the at-fork
    hook (the pool is still marked as forking) and stops on the pool's SIGTERM."""
    for worker in list(getattr(pool, "_pool", [])):
        if worker.is_alive():
            worker.kill()
