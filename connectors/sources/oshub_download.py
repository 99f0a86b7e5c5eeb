"""Open Supply Hub facility download (CSV) -> staged.facility_records.

One facility record per row; ``os_id`` is required and validated (pattern + check character).
The columns are those of OS Hub's download (``FacilityDownloadSerializer.get_headers``): its own
``contribution_date``, ``country_name``, ``contributor (list)`` (the contributors joined with ``|``),
``processing_type_facility_type_raw`` and the ``claim_*`` columns of an approved claim are known but
not staged (they stay in raw; the claim's contact columns are declared sensitive); the record's
contributor is the load's contributor. OS Hub's placeholders (sector ``Unspecified``, parent company
``Not Applicable``) are staged as null (``oshub_api.placeholders``). Partner-field columns vary by
download and are reported as unknown.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from connectors.cell_checks import has_problem, is_closed_check
from connectors.facilities import FacilityFields, standardise_facility_list
from connectors.frames.facility_lists import standardise_facility_frame
from connectors.headers import SourceSpec
from connectors.sources.oshub_api.placeholders import without_placeholders
from connectors.staging import Problem, RawRow, Standardised

SOURCE_TYPE = "oshub_download"
CLAIM_CONTACT_COLUMNS = (  # a person's name and contact details: known, never staged
    "claim_company_phone",
    "claim_point_of_contact",
    "claim_point_of_contact_email",
    "claim_office_phone_number",
)
CLAIM_COLUMNS = tuple(
    f"claim_{name}"
    for name in (  # noqa: SIM905
        "created_at name_in_native_language company_website office_name office_address "
        "office_country_code description certifications_standards_regulations affiliations "
        "minimum_order_quantity average_lead_time female_workers_percentage industry_sectors "
        "location_types other_location_type product_types processing_types parent_company "
        "number_of_workers opening_date estimated_annual_throughput_kg_year energy_coal_j "
        "energy_natural_gas_j energy_diesel_j energy_kerosene_j energy_biomass_j energy_charcoal_j "
        "energy_animal_waste_j energy_electricity_mwh energy_other_j"
    ).split()
)
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
        "contributor_(list)",
        "number_of_workers",
        "parent_company",
        "processing_type_facility_type_raw",
        "facility_type",
        "processing_type",
        "product_type",
        *CLAIM_COLUMNS,
        "is_closed",
    ),
    sensitive=CLAIM_CONTACT_COLUMNS,
)
FIELDS = FacilityFields(name="name", address="address", country="country_code", os_id="os_id")


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.oshub_download rows into facility_records (+ quarantine), column-wise;
    raw frames not in canonical form go through :func:`standardise_rows` (same result)."""
    result = standardise_facility_frame(raw, SPEC, FIELDS, with_is_closed=True)
    return _staged(result) if result is not None else standardise_rows(raw)


def standardise_rows(raw: pl.DataFrame) -> Standardised:
    """The row-by-row reference path of :func:`standardise`."""
    return _staged(standardise_facility_list(raw, SPEC, FIELDS, _check_is_closed))


def _staged(result: Standardised) -> Standardised:
    records = without_placeholders(result.tables["facility_records"])
    return dataclasses.replace(result, tables={**result.tables, "facility_records": records})


def _check_is_closed(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    closed_raw = row.raw("is_closed")
    if closed_raw is None or has_problem(problems, "is_closed"):
        return
    record["is_closed"], problem = is_closed_check(closed_raw)
    if problem is not None:
        problems.append(problem)
