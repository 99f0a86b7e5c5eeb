"""Integer codes for the distinct texts of records, so that each distinct pair of texts is compared once.

Big suppliers are named the same way on many lists, so many candidate pairs compare the same two
names (or addresses) as other pairs do. String features depend only on the two texts, so they are
computed once per distinct (left text, right text) pair and spread back to every candidate pair:
the result is exactly what comparing every pair gives, for less work.
"""

from __future__ import annotations

import numpy as np
import polars as pl

NAME_CODE, ADDRESS_CODE = "name_code", "address_code"
CODED = {NAME_CODE: ("name_norm", "core_norm"), ADDRESS_CODE: ("address_norm",)}
"""Each code column and the text columns it stands for (two records share a code when all are equal)."""


def with_text_codes(records: pl.DataFrame) -> pl.DataFrame:
    """`records` with `name_code` and `address_code` (UInt32, dense from 0); unchanged if present."""
    for code, columns in CODED.items():
        if code in records.columns:
            continue
        texts = records.select(columns)
        distinct = texts.unique(maintain_order=True).with_row_index(code)
        codes = texts.join(distinct, on=list(columns), how="left", nulls_equal=True, maintain_order="left")
        records = records.with_columns(codes[code].cast(pl.UInt32))
    return records


def representatives(codes: np.ndarray) -> np.ndarray:
    """For each code, the index of one record carrying it (the first one)."""
    first = np.zeros(int(codes.max()) + 1 if codes.size else 0, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    return first


def distinct_pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct ordered (left, right) code pairs and, for each input pair, its row among them:
    `result[inverse]` spreads values computed on the distinct pairs back to every input pair."""
    key = (left.astype(np.uint64) << np.uint64(32)) | right.astype(np.uint64)
    unique, inverse = np.unique(key, return_inverse=True)
    return (
        (unique >> np.uint64(32)).astype(np.int64),
        (unique & np.uint64(0xFFFFFFFF)).astype(np.int64),
        inverse.reshape(-1),
    )


def present_codes(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The codes that occur in `left` or `right` (sorted) and each side's position among them, so
    that work per distinct text for a chunk of pairs touches only the texts that chunk holds."""
    used, position = np.unique(np.concatenate([left, right]), return_inverse=True)
    position = position.reshape(-1)
    return used, position[: left.size], position[left.size :]
