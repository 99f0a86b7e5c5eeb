"""Brand supplier lists in Open Supply Hub's upload template (CSV or XLSX) -> staged.facility_records.

Required: country, name, address. Optional: every other column of OS Hub's template (sector,
product_type, sector_product_type, facility_type, processing_type, facility_type_processing_type,
number_of_workers, parent_company, parent_company_os_id, duns_id, lei_id, rba_id, lat, lng) and
os_id (validated when given). Multi-value cells split on "," and "|" as OS Hub splits them, and OS
Hub's own upload rules apply (``oshub_template`` and ``oshub_rules`` beside this module). Headers match
case- and spacing-insensitively (OS Hub wants them exact: flrisk is more forgiving on purpose); any
other column is kept, as received, in ``extra_fields`` (JSON) and reported in
``Standardised.unknown_columns``.
"""

from __future__ import annotations

import polars as pl

from connectors.facilities import FacilityFields, standardise_facility_list
from connectors.frames.facility_lists import standardise_facility_frame
from connectors.headers import SourceSpec
from connectors.sources.supplier_list.oshub_template import apply_oshub_template
from connectors.staging import Standardised

SOURCE_TYPE = "supplier_list"
SPEC = SourceSpec(
    source_type=SOURCE_TYPE,
    required=("country", "name", "address"),
    optional=(
        "sector",
        "product_type",
        "sector_product_type",
        "facility_type",
        "processing_type",
        "facility_type_processing_type",
        "number_of_workers",
        "parent_company",
        "parent_company_os_id",
        "duns_id",
        "lei_id",
        "rba_id",
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
    if result is None:
        return standardise_rows(raw)
    return apply_oshub_template(raw, result, SPEC)


def standardise_rows(raw: pl.DataFrame) -> Standardised:
    """The row-by-row reference path of :func:`standardise`."""
    return apply_oshub_template(raw, standardise_facility_list(raw, SPEC, FIELDS), SPEC)
