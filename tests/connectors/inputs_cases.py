"""One supplier list in Open Supply Hub's upload template with one row per OS Hub rule (issue 15),
shared by the connector tests and the `flrisk check-list` / `flrisk load` tests.

Every case row starts from a clean base row and breaks exactly one rule; `CASES` says which row breaks
which rule, in which column, at which level (error = quarantined, warning = staged and reported).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

from connectors.ids import make_os_id

COLUMNS = [
    "country",
    "name",
    "address",
    "sector",
    "sector_product_type",
    "facility_type_processing_type",
    "number_of_workers",
    "parent_company",
    "parent_company_os_id",
    "duns_id",
    "lei_id",
    "rba_id",
    "lat",
    "lng",
]
BASE = {
    "country": "Bangladesh",
    "name": "Dhaka Knit Garments Ltd",
    "address": "Plot 12, Tongi Industrial Area, Gazipur",
    "sector": "",
    "sector_product_type": "Apparel|T-shirts",
    "facility_type_processing_type": "Cut and Sew",
    "number_of_workers": "1200",
    "parent_company": "Dhaka Knit Holdings",
    "parent_company_os_id": make_os_id("BD", "2020001", "ABCDE"),
    "duns_id": "123456789",
    "lei_id": "5493001KJTIIGC8Y1R12",
    "rba_id": "RBA-12345",
    "lat": "23.89",
    "lng": "90.40",
}


class Case(NamedTuple):
    label: str
    cells: dict[str, str]
    column: str | None
    reason_code: str
    level: str


CASES = [
    Case("name over 200", {"name": "Dhaka Garments " * 15}, "name", "too_long_for_oshub", "error"),
    Case(
        "address over 200",
        {"address": "Tongi Industrial Area Gazipur " + "Export Processing Zone Phase " * 7},
        "address",
        "too_long_for_oshub",
        "error",
    ),
    Case("punctuation-only address", {"address": "... ; ."}, "address", "address_only_punctuation", "error"),
    Case(
        "over 50 product types",
        {"sector_product_type": "|".join(f"Product {i}" for i in range(55))},
        "sector_product_type",
        "too_many_product_types",
        "error",
    ),
    Case("sector over 50", {"sector": "Apparel " * 8}, "sector", "sector_too_long", "error"),
    Case("invalid DUNS", {"duns_id": "12345678"}, "duns_id", "invalid_duns_id", "error"),
    Case("LEI bad checksum", {"lei_id": "5493001KJTIIGC8Y1R17"}, "lei_id", "invalid_lei_id", "error"),
    Case("LEI bad shape", {"lei_id": "LEI-123"}, "lei_id", "invalid_lei_id", "error"),
    Case("RBA id too long", {"rba_id": "R" * 300}, "rba_id", "invalid_rba_id", "error"),
    Case(
        "parent OS ID bad check character",
        {"parent_company_os_id": make_os_id("BD", "2020001", "ABCDE")[:-1] + "0"},
        "parent_company_os_id",
        "invalid_parent_company_os_id",
        "error",
    ),
    Case(
        "parent OS ID not an OS ID",
        {"parent_company_os_id": "BD-12"},
        "parent_company_os_id",
        "invalid_parent_company_os_id",
        "error",
    ),
    Case("#REF! as name", {"name": "#REF!"}, "name", "spreadsheet_error_value", "error"),
    Case("#N/A as address", {"address": "#N/A"}, "address", "spreadsheet_error_value", "error"),
    Case(
        "#VALUE! as parent",
        {"parent_company": "#VALUE!"},
        "parent_company",
        "spreadsheet_error_value",
        "error",
    ),
    Case(
        "duplicate after normalisation",
        {"name": "DHAKA KNIT GARMENTS LTD.", "address": "Plot 12; Tongi Industrial Area - Gazipur"},
        None,
        "duplicate_after_normalisation",
        "error",
    ),
    Case(
        "Hong Kong address, country China",
        {"country": "China", "address": "Flat 5, 12 Nathan Road, Kowloon, Hong Kong", "lat": "", "lng": ""},
        "address",
        "hong_kong_address_in_china",
        "warning",
    ),
    Case(
        "another country in the address",
        {"address": "House 5, Long Binh Industrial Zone, Dong Nai, Vietnam"},
        "address",
        "address_names_other_country",
        "warning",
    ),
    Case(
        "PO Box address",
        {"address": "P.O. Box 1234, Tongi Industrial Area, Gazipur"},
        "address",
        "po_box_address",
        "warning",
    ),
    Case("name too short", {"name": "Knit Co"}, "name", "name_too_short", "warning"),
    Case("address too short", {"address": "Gazipur 1700"}, "address", "address_too_short", "warning"),
    Case(
        "parent company too long",
        {"parent_company": "Dhaka Holdings " * 15},
        "parent_company",
        "value_long_for_oshub",
        "warning",
    ),
    Case(
        "commas inside a | column",
        {"sector_product_type": "Apparel, Footwear|Bags"},
        "sector_product_type",
        "comma_in_pipe_column",
        "warning",
    ),
    Case(
        "duplicated address words",
        {"address": "Plot 12, Road Road 5, Tongi Industrial Area, Gazipur"},
        "address",
        "repeated_address_words",
        "warning",
    ),
    Case(
        "empty address part",
        {"address": "Plot 12, , Tongi Industrial Area, Gazipur"},
        "address",
        "empty_address_part",
        "warning",
    ),
    Case(
        "spreadsheet error inside the address",
        {"address": "Plot 12 #N/A, Tongi Industrial Area, Gazipur"},
        "address",
        "spreadsheet_error_token",
        "warning",
    ),
    Case("(0,0) coordinates", {"lat": "0", "lng": "0"}, "lat", "null_island_coordinates", "warning"),
    Case(
        "coordinates outside the country",
        {"lat": "48.85", "lng": "2.35"},
        "lat",
        "coordinates_outside_country",
        "warning",
    ),
]
FIRST_CASE_ROW = 3  # row 2 is the clean base row (the duplicate case repeats it)


def case_rows() -> list[dict[str, str]]:
    """The base row, then one row per case; names are made distinct where the case keeps the base
    name, so only the duplicate case repeats a row."""
    rows = [dict(BASE)]
    for number, case in enumerate(CASES):
        row = {**BASE, **case.cells}
        if "name" not in case.cells:
            row["name"] = f"{BASE['name']} Unit {number + 1}"
        rows.append(row)
    return rows


def row_of(case: Case) -> int:
    """The spreadsheet row of a case (header = row 1)."""
    return FIRST_CASE_ROW + CASES.index(case)


def write_cases(path: Path, encoding: str = "utf-8") -> Path:
    """Write the rules list as a CSV file."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(case_rows())
    path.write_text(text.getvalue(), encoding=encoding)
    return path
