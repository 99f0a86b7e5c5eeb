"""Open Supply Hub's placeholder values, staged as null rather than as real values.

OS Hub gives a location without a contributed sector the sector ``Unspecified`` (its
``Sector.DEFAULT_SECTOR_NAME``), and contributors fill ``parent_company`` with ``Not Applicable`` (or
``N/A``) for an independent factory. Neither is a sector or a company: staged as such they would
make ``Unspecified`` a sector that risk scoring looks up and group unrelated factories under one
"parent". Raw values stay untouched in raw.*; only the staged columns drop them.
"""

from __future__ import annotations

import polars as pl

UNSPECIFIED_SECTORS = frozenset({"unspecified"})
NO_PARENT = frozenset({"not applicable", "n/a", "na", "none", "not available", "nil"})


def without_placeholders(records: pl.DataFrame) -> pl.DataFrame:
    """facility_records with ``Unspecified`` sectors removed (an emptied list becomes null) and a
    placeholder parent company nulled; comparisons ignore case and surrounding spaces."""
    if records.is_empty():
        return records
    kept = pl.col("sectors").list.filter(
        ~pl.element().str.strip_chars().str.to_lowercase().is_in(list(UNSPECIFIED_SECTORS))
    )
    parent = pl.col("parent_company").str.strip_chars().str.to_lowercase()
    return records.with_columns(
        sectors=pl.when(kept.list.len() > 0).then(kept),
        parent_company=pl.when(parent.is_in(list(NO_PARENT))).then(None).otherwise(pl.col("parent_company")),
    )
