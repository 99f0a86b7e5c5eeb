"""The Open Supply Hub facility download in its real shape: the columns of OS Hub's
``FacilityDownloadSerializer.get_headers`` (``contributor (list)``, the raw processing/facility type
column, the ``claim_*`` columns of an approved claim, ``is_closed``), and OS Hub's placeholders."""

from __future__ import annotations

import pytest

from connectors.sources import oshub_download
from connectors.sources.oshub_download import CLAIM_COLUMNS, CLAIM_CONTACT_COLUMNS
from tests.connectors.conftest import load_raw, write_csv

COMMON = [
    "os_id",
    "contribution_date",
    "name",
    "address",
    "country_code",
    "country_name",
    "lat",
    "lng",
    "sector",
]
EXTENDED = [
    "number_of_workers",
    "parent_company",
    "processing_type_facility_type_raw",
    "facility_type",
    "processing_type",
    "product_type",
]
CLAIM_ORDER = [  # api/constants.py CLAIMED_DOWNLOAD_FIELDS_MAPPING, in OS Hub's order
    "claim_created_at",
    "claim_name_in_native_language",
    "claim_company_website",
    "claim_company_phone",
    "claim_point_of_contact",
    "claim_point_of_contact_email",
    "claim_office_name",
    "claim_office_address",
    "claim_office_country_code",
    "claim_office_phone_number",
    "claim_description",
    "claim_certifications_standards_regulations",
    "claim_affiliations",
    "claim_minimum_order_quantity",
    "claim_average_lead_time",
    "claim_female_workers_percentage",
    "claim_industry_sectors",
    "claim_location_types",
    "claim_other_location_type",
    "claim_product_types",
    "claim_processing_types",
    "claim_parent_company",
    "claim_number_of_workers",
    "claim_opening_date",
    "claim_estimated_annual_throughput_kg_year",
    "claim_energy_coal_j",
    "claim_energy_natural_gas_j",
    "claim_energy_diesel_j",
    "claim_energy_kerosene_j",
    "claim_energy_biomass_j",
    "claim_energy_charcoal_j",
    "claim_energy_animal_waste_j",
    "claim_energy_electricity_mwh",
    "claim_energy_other_j",
]
HEADER = [*COMMON, "contributor (list)", *EXTENDED, *CLAIM_ORDER, "is_closed"]
CONTACT_EMAIL = "li.na@example-factory.cn"


def row(
    os_id: str, name: str, sector: str, parent: str, contributors: str, claim: dict | None = None
) -> list:
    cells = dict.fromkeys(HEADER, "")
    cells.update(
        os_id=os_id,
        contribution_date="2021-03-04",
        name=name,
        address="No. 8 Industrial Road, Longhua, Shenzhen, Guangdong",
        country_code=os_id[:2],
        country_name="China",
        lat="22.6567",
        lng="114.031",
        sector=sector,
        parent_company=parent,
        is_closed="False",
        **{"contributor (list)": contributors},
    )
    cells.update(claim or {})
    return [cells[column] for column in HEADER]


CLAIM = {
    "claim_created_at": "2022-05-01",
    "claim_name_in_native_language": "深圳示例服装有限公司",
    "claim_point_of_contact": "Li Na",
    "claim_point_of_contact_email": CONTACT_EMAIL,
    "claim_company_phone": "+86 755 1234 5678",
    "claim_industry_sectors": "Apparel",
}
ROWS = [
    row(
        "CN2019303BQ3FZP",
        "Shenzhen Example Garments Co., Ltd.",
        "Apparel",
        "Example Holdings",
        "Shenzhen Example Garments (Claimed)|Brand A|A Brand/Retailer",
        CLAIM,
    ),
    row("CN2022150NT4KDG", "Ningbo Example Textile Co., Ltd.", "Unspecified", "Not Applicable", "Brand B"),
    row(
        "CN2023044XJ7QP3", "Xinjiang Example Cotton Spinning Co.", "Agriculture|Unspecified", "N/A", "Brand C"
    ),
]


@pytest.fixture
def download(tmp_path):
    raw = load_raw(write_csv(tmp_path / "facilities.csv", [HEADER, *ROWS]), contributor="Open Supply Hub")
    return raw, oshub_download.standardise(raw)


def test_every_column_of_oshub_download_is_known(download):
    _, result = download
    assert result.unknown_columns == {}
    assert result.rejected.is_empty()
    assert set(CLAIM_ORDER) == set(CLAIM_COLUMNS) | set(CLAIM_CONTACT_COLUMNS)


def test_placeholders_are_staged_as_null(download):
    _, result = download
    records = {r["os_id"]: r for r in result.tables["facility_records"].iter_rows(named=True)}
    assert records["CN2019303BQ3FZP"]["sectors"] == ["Apparel"]
    assert records["CN2019303BQ3FZP"]["parent_company"] == "Example Holdings"
    assert records["CN2022150NT4KDG"]["sectors"] is None
    assert records["CN2022150NT4KDG"]["parent_company"] is None
    assert records["CN2023044XJ7QP3"]["sectors"] == ["Agriculture"]
    assert records["CN2023044XJ7QP3"]["parent_company"] is None


def test_the_row_path_gives_the_same_records(download):
    raw, result = download
    rows_path = oshub_download.standardise_rows(raw).tables["facility_records"]
    assert rows_path.sort("record_id").equals(result.tables["facility_records"].sort("record_id"))


def test_claim_contact_details_and_contributors_are_not_staged(download):
    _, result = download
    staged = result.tables["facility_records"]
    assert staged["extra_fields"].null_count() == staged.height
    text = str(staged.rows())
    for secret in (CONTACT_EMAIL, "Li Na", "+86 755", "Brand A"):
        assert secret not in text


def test_a_download_with_the_old_contributor_header_reports_it(tmp_path):
    header = [("contributor" if column == "contributor (list)" else column) for column in HEADER]
    raw = load_raw(write_csv(tmp_path / "old.csv", [header, *ROWS]), contributor="Open Supply Hub")
    result = oshub_download.standardise(raw)
    assert list(result.unknown_columns.values()) == [("contributor",)]
