"""The `flrisk` command, one module per audience (loading, sourcing, contracts, sharing, operations).

It calls the warehouse and the pure packages directly and Dagster only through `pipelines.runner`.

A command is a short-lived process that imports some 2,300 modules (Dagster, SQLAlchemy, Polars, ...)
and builds the code location. With Python's default collector thresholds (700, 10, 10) a 10-row
`flrisk load` ran ~900 collections, 7 of them full passes over every object loaded so far: about 1 s
of the command. Young collections every `GC_THRESHOLDS[0]` allocations instead leave the full passes
out of such a command (a long one still gets them); cyclic garbage is still collected, and nothing a
command computes depends on when.
"""

import gc

GC_THRESHOLDS = (10_000, 10, 10)
gc.set_threshold(*GC_THRESHOLDS)
