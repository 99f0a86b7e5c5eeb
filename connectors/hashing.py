"""SHA-256 over a whole column of strings, chunked so memory stays flat at millions of rows.

Gives exactly ``hashlib.sha256(text.encode("utf-8")).hexdigest()`` per value (optionally cut to a
prefix, as ``staging.stable_hash`` does); Polars has no SHA-256 of its own.
"""

from __future__ import annotations

import hashlib

import polars as pl

CHUNK_ROWS = 50_000


def sha256_hex(values: pl.Series, length: int | None = None) -> pl.Series:
    """Hex SHA-256 of each UTF-8 string of ``values`` (non-null), first ``length`` characters."""
    binary = values.cast(pl.Binary)
    chunks = [
        pl.Series(values.name, [hashlib.sha256(data).hexdigest()[:length] for data in chunk], pl.String)
        for chunk in (
            binary.slice(start, CHUNK_ROWS).to_list() for start in range(0, binary.len(), CHUNK_ROWS)
        )
    ]
    return pl.concat(chunks) if chunks else pl.Series(values.name, [], pl.String)
