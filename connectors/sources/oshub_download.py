"""Open Supply Hub facility download (CSV) -> staged.facility_records.

One facility record per row; ``os_id`` is required and validated (pattern + check character).
OS Hub's own ``contribution_date``, ``country_name`` and ``contributor`` columns are known but not
staged (they stay in raw); the record's contributor is the load's contributor.
"""

from __future__ import annotations

import polars as pl

from connectors.cell_checks import has_problem, is_closed_check
from connectors.facilities import FacilityFields, standardise_facility_list
from connectors.frames.facility_lists import standardise_facility_frame
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


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.oshub_download rows into facility_records (+ quarantine), column-wise;
    raw frames not in canonical form go through :func:`standardise_rows` (same result)."""
    result = standardise_facility_frame(raw, SPEC, FIELDS, with_is_closed=True)
    return result if result is not None else standardise_rows(raw)


def standardise_rows(raw: pl.DataFrame) -> Standardised:
    """The row-by-row reference path of :func:`standardise`."""
    return standardise_facility_list(raw, SPEC, FIELDS, _check_is_closed)


def _check_is_closed(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    closed_raw = row.raw("is_closed")
    if closed_raw is None or has_problem(problems, "is_closed"):
        return
    record["is_closed"], problem = is_closed_check(closed_raw)
    if problem is not None:
        problems.append(problem)
