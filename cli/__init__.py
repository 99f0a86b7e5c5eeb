"""The `flrisk` command, one module per audience (loading, sourcing, contracts, sharing, operations).

It calls the warehouse and the pure packages directly and Dagster only through `pipelines.runner`.

A command is a short-lived process that imports some 2,300 modules (Dagster, SQLAlchemy, Polars, ...)
and builds the code location. With Python's default collector thresholds (700, 10, 10) a 10-row
`flrisk load` ran ~900 collections, 7 of them full passes over every object loaded so far: about 1 s
of the command. Young collections every `GC_THRESHOLDS[0]` allocations instead leave the full passes
out of such a command (a long one still gets them); cyclic garbage is still collected, and nothing a
command computes depends on when. While Dagster and the code location load (`collector_paused`) no
collection runs: those modules allocate ~10^6 objects, none of them garbage. In `flrisk` run as a
program (`cli.main`, not a test calling a command) they are then frozen (`gc.freeze`), so the
collections of the run itself never walk them again; they are unfrozen at exit, so an ordinary
interpreter exit frees them as before.
"""

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (10_000, 10, 10)
gc.set_threshold(*GC_THRESHOLDS)
_AS_PROGRAM = {"freeze": False}


def running_as_program() -> None:
    """Say that this process is `flrisk` run as a program: what it has loaded is frozen, and so is
    what `collector_paused` loads later (a test process keeps its collector as it is)."""
    if not _AS_PROGRAM["freeze"]:
        _AS_PROGRAM["freeze"] = True
        atexit.register(gc.unfreeze)
        gc.freeze()  # the modules of the command line itself


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while the block runs; then, in a program, what is alive is frozen."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _AS_PROGRAM["freeze"]:
            gc.freeze()
        if enabled:
            gc.enable()
