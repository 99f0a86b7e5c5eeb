"""Brand supplier lists in the OS Hub upload format (CSV or XLSX) -> staged.facility_records.

Required: country, name, address. Optional: the OS Hub descriptive columns, lat/lng and os_id
(validated when given). Headers match case- and spacing-insensitively; any other column is kept,
as received, in ``extra_fields`` (JSON) and reported in ``Standardised.unknown_columns``.
"""

from __future__ import annotations

import polars as pl

from connectors.facilities import FacilityFields, standardise_facility_list
from connectors.frames.facility_lists import standardise_facility_frame
from connectors.headers import SourceSpec
from connectors.staging import Standardised

SOURCE_TYPE = "supplier_list"
SPEC = SourceSpec(
    source_type=SOURCE_TYPE,
    required=("country", "name", "address"),
    optional=(
        "sector",
        "product_type",
        "facility_type",
        "processing_type",
        "number_of_workers",
        "parent_company",
        "lat",
        "lng",
        "os_id",
    ),
)
FIELDS = FacilityFields(name="name", address="address", country="country", os_id="os_id")


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.supplier_list rows into facility_records (+ quarantine), column-wise;
    raw frames not in canonical form go through :func:`standardise_rows` (same result)."""
    result = standardise_facility_frame(raw, SPEC, FIELDS)
    return result if result is not None else standardise_rows(raw)


def standardise_rows(raw: pl.DataFrame) -> Standardised:
    """The row-by-row reference path of :func:`standardise`."""
    return standardise_facility_list(raw, SPEC, FIELDS)
