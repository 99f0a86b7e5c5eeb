"""Open Supply Hub facility download (CSV) -> staged.facility_records.

One facility record per row; ``os_id`` is required and validated (pattern + check character).
OS Hub's own ``contribution_date``, ``country_name`` and ``contributor`` columns are known but not
staged (they stay in raw); the record's contributor is the load's contributor.
"""

from __future__ import annotations

import polars as pl

from connectors.facilities import FacilityFields, standardise_facility_list
from connectors.headers import SourceSpec
from connectors.staging import Problem, RawRow, Standardised

SOURCE_TYPE = "oshub_download"
SPEC = SourceSpec(
    source_type=SOURCE_TYPE,
    required=("os_id", "name", "country_code"),
    optional=(
        "contribution_date",
        "address",
        "country_name",
        "lat",
        "lng",
        "sector",
        "contributor",
        "number_of_workers",
        "parent_company",
        "facility_type",
        "processing_type",
        "product_type",
        "is_closed",
    ),
)
FIELDS = FacilityFields(name="name", address="address", country="country_code", os_id="os_id")
_IS_CLOSED = {"true": True, "false": False}


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.oshub_download rows into facility_records (+ quarantine)."""
    return standardise_facility_list(raw, SPEC, FIELDS, _check_is_closed)


def _check_is_closed(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    closed_raw = row.raw("is_closed")
    if closed_raw is None:
        return
    record["is_closed"] = _IS_CLOSED.get(closed_raw.strip().casefold())
    if record["is_closed"] is None:
        problems.append(
            Problem("is_closed", "unknown_value", f"is_closed {closed_raw!r} is not True, False or empty")
        )
