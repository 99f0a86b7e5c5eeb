"""OS Hub download and supplier lists -> staged.facility_records."""

from __future__ import annotations

import json

import openpyxl
import polars as pl
import pytest

from connectors.ids import facility_record_id
from connectors.reading.files import raw_frame, read_table_file
from connectors.sources import oshub_download, supplier_list
from connectors.staging import reconcile


def by_row(frame: pl.DataFrame) -> dict[int, dict]:
    return {row["source_row"]: row for row in frame.iter_rows(named=True)}


def reasons(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for row in result.rejected.iter_rows(named=True):
        found.setdefault(row["source_row"], []).append(row["reason_code"])
    return found


@pytest.fixture
def oshub(fixtures, raw_of):
    raw = raw_of(fixtures / "oshub_download" / "os_hub_sample.csv", contributor="Open Supply Hub")
    return raw, oshub_download.standardise(raw)


@pytest.fixture
def northwind(fixtures, raw_of):
    raw = raw_of(fixtures / "supplier_list" / "northwind_sample.csv", contributor="Northwind")
    return raw, supplier_list.standardise(raw)


def test_oshub_download_fields(oshub):
    raw, result = oshub
    records = by_row(result.tables["facility_records"])
    first = records[2]
    assert first["source_type"] == "oshub_download" and first["contributor"] == "Open Supply Hub"
    assert first["os_id"] == "CN2019303BQ3FZP" and first["country_code"] == "CN"
    assert first["sectors"] == ["Apparel", "Textiles"]
    assert first["processing_types"] == ["Cutting", "Sewing"]
    assert first["product_types"] == ["Shirts", "Jackets"]
    assert first["facility_types"] == ["Final Product Assembly"]
    assert (first["workers_min"], first["workers_max"]) == (1001, 5000)
    assert first["is_closed"] is False and first["parent_company"] == "Example Holdings"
    assert first["record_id"] == facility_record_id(
        "oshub_download",
        "Open Supply Hub",
        "Shenzhen Example Garments Co., Ltd.",
        "No. 8 Industrial Road, Longhua, Shenzhen, Guangdong",
        "CN",
        "CN2019303BQ3FZP",
    )
    assert records[3]["is_closed"] is True and records[3]["workers_max"] == 999
    assert records[4]["coordinate_flag"] == "null_island"
    assert records[4]["lat"] is None and records[4]["lng"] is None
    assert records[5]["coordinate_flag"] == "country_mismatch" and records[5]["lat"] == 40.7128
    assert (records[5]["workers_min"], records[5]["workers_max"]) == (5001, None)
    assert records[6]["country_raw"] == "TR" and records[6]["workers_min"] == 5000
    assert records[10]["number_of_workers_raw"] == "about 300"
    assert records[10]["workers_min"] is None and records[10]["is_closed"] is None
    assert reasons(result) == {7: ["invalid_os_id"], 8: ["unknown_value"], 9: ["duplicate_row"]}
    assert "row 2" in result.rejected.filter(pl.col("source_row") == 9)["message"][0]
    assert reconcile(raw, result)["balanced"]


def test_oshub_download_requires_os_id(tmp_path, csv_writer, raw_of):
    path = csv_writer(
        tmp_path / "os.csv", [["os_id", "name", "address", "country_code"], ["", "Example", "1 Road", "CN"]]
    )
    result = oshub_download.standardise(raw_of(path))
    assert result.rejected["reason_code"].to_list() == ["missing_required"]
    assert result.rejected["column_name"].to_list() == ["os_id"]


def test_supplier_list_country_variants_and_extras(northwind):
    raw, result = northwind
    records = by_row(result.tables["facility_records"])
    assert [records[row]["country_code"] for row in range(2, 11)] == [
        "CN",
        "CN",
        "CN",
        "CN",
        "VN",
        "VN",
        "TR",
        "TR",
        "GB",
    ]
    assert [records[row]["country_raw"] for row in (2, 3, 4, 5, 6)] == [
        "China",
        "CN",
        "CHINA",
        "CHN",
        "Viet Nam",
    ]
    assert records[2]["name_raw"] == "Ningbo Example Apparel Co., Ltd"
    assert json.loads(records[2]["extra_fields"]) == {"Supplier Code": "NW-001"}
    assert records[2]["product_types"] == ["T-shirts", "Polos"]
    assert (records[2]["workers_min"], records[2]["workers_max"]) == (500, 1000)
    assert records[3]["os_id"] == "CN2019303BQ3FZP"
    assert records[17]["coordinate_flag"] == "null_island" and records[17]["lat"] is None
    assert records[18]["coordinate_flag"] == "country_mismatch"
    assert (records[18]["lat"], records[18]["lng"]) == (39.9, 116.4)
    assert records[2]["coordinate_flag"] is None and records[4]["lat"] is None
    assert result.unknown_columns == {raw["source_file"][0]: ("Supplier Code",)}
    assert reconcile(raw, result)["balanced"]


def test_supplier_list_rejections(northwind):
    _, result = northwind
    assert reasons(result) == {
        11: ["missing_required"],
        12: ["unknown_country"],
        13: ["invalid_coordinates"],
        14: ["invalid_coordinates"],
        15: ["invalid_coordinates"],
        16: ["invalid_os_id"],
        19: ["duplicate_row"],
    }
    rejected = by_row(result.rejected)
    assert rejected[11]["column_name"] == "address"
    assert rejected[11]["message"] == "required column 'address' is empty (file column 'Address')"
    assert rejected[12]["column_name"] == "country" and "Atlantis" in rejected[12]["message"]
    assert rejected[15]["column_name"] == "lng"
    assert json.loads(rejected[12]["payload"])["COUNTRY"] == "Atlantis"
    assert set(result.rejected["source_type"]) == {"supplier_list"}


ROWS = [
    ["Name", "Country", "Address", "lat", "lng", "number_of_workers"],
    ["Casa Example Cerâmica", "Portugal", "Rua Exemplo 1, Porto", "41.15", "-8.61", "250"],
    ["Ateliê Example", "Türkiye", "Cigli, Izmir", "", "", "Less than 1000"],
    ["Example Textil", "ESP", "Calle Ejemplo 3, Valencia", "39.47", "-0.38", ""],
]


@pytest.mark.parametrize("form", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "cp1252-cr", "xlsx"])
def test_every_file_form_stages_the_same_records(tmp_path, csv_writer, form):
    if form == "xlsx":
        workbook = openpyxl.Workbook()
        for row in ROWS:
            workbook.active.append(
                [float(c) if c.replace(".", "").lstrip("-").isdigit() and "." in c else c for c in row]
            )
        path = tmp_path / "list.xlsx"
        workbook.save(path)
    else:
        encoding, line_end = (form, "\r\n") if form != "cp1252-cr" else ("cp1252", "\r")
        path = csv_writer(tmp_path / "list.csv", ROWS, encoding, line_end)
    raw = raw_frame(read_table_file(path), "load-1", "Casa Verde Home")
    result = supplier_list.standardise(raw)
    records = result.tables["facility_records"].drop("source_file", "load_id")
    reference = supplier_list.standardise(
        raw_frame(read_table_file(csv_writer(tmp_path / "reference.csv", ROWS)), "load-1", "Casa Verde Home")
    )
    assert result.rejected.is_empty()
    assert records.equals(reference.tables["facility_records"].drop("source_file", "load_id"))
    assert records["country_code"].to_list() == ["PT", "TR", "ES"]
