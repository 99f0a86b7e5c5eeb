"""Reference lists in their published layouts: DOL 2024 Excel, DHS UFLPA table, CBP WRO list, GSI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from connectors import layouts
from connectors.headers import HeaderConflictError
from connectors.reading.errors import MalformedFileError
from connectors.reading.files import raw_frame
from connectors.reading.workbooks import read_located_table
from connectors.sources import dol_goods, entity_lists, global_slavery_index
from connectors.sources.entity_lists import split_embedded_aliases
from connectors.staging import reconcile
from data_contracts import load_contract

DOL_TITLE = ["2024 List of Goods Produced by Child Labor or Forced Labor"]
GSI_HEADER = [
    "Country",
    "Region",
    "Population",
    "Estimated prevalence of modern slavery per 1,000 population",
    "Estimated number of people in modern slavery",
    "Total Vulnerability score (%)",
    "Total Government Response score (%)",
]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write an XLSX file with the given sheets (first sheet first)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def located_raw(path: Path, source_type: str) -> pl.DataFrame:
    return raw_frame(read_located_table(path, layouts.reference_layouts(source_type)), "load-1", "Test")


def rejected(result) -> list[tuple[int, str]]:
    return sorted(zip(result.rejected["source_row"], result.rejected["reason_code"], strict=True))


def test_dol_2024_workbook_with_flag_columns(tmp_path):
    path = workbook(
        tmp_path / "dol_list_of_goods_2024.xlsx",
        {
            "Read me": [["This workbook lists goods by country."]],
            "List of Goods": [
                DOL_TITLE,
                [],
                ["Country/Area", "Good", "Sector", "Child Labor", "Forced Labor", "Forced Child Labor"],
                ["Burma", "Rubies", "Mining", "X", "X", None],
                ["Côte d'Ivoire", "Cocoa", "Agriculture", "X", None, "x"],
                ["Atlantis", "Pearls", "Fishing", "X", None, None],
                ["Nepal", "Bricks", "Manufacturing", "Perhaps", None, None],
                ["Brazil", "Cattle", "Agriculture", None, None, None],
            ],
        },
    )
    raw = located_raw(path, "reference_dol_goods")
    assert raw["source_row"].to_list() == [4, 5, 6, 7, 8]
    result = dol_goods.standardise_dol_goods(raw)
    goods = result.tables["reference_dol_goods"]
    assert goods.select(
        "country_code", "good", "child_labor", "forced_labor", "forced_child_labor", "edition"
    ).rows() == [
        ("MM", "Rubies", True, True, False, 2024),
        ("CI", "Cocoa", True, False, True, 2024),
    ]
    assert rejected(result) == [(6, "unknown_country"), (7, "unknown_value"), (8, "unknown_value")]
    assert reconcile(raw, result)["balanced"]


def test_dol_2024_workbook_with_an_exploitation_type_column(tmp_path):
    path = workbook(
        tmp_path / "goods.xlsx",
        {
            "Sheet1": [
                ["Country/Area", "Good", "Sector", "Exploitation Type"],
                ["China", "Gloves", "Manufacturing", "Forced Labor"],
                ["India", "Carpets", "Manufacturing", "Child Labor, Forced Labor and Forced Child Labour"],
                ["Ghana", "Gold", "Mining", "Slavery"],
            ]
        },
    )
    result = dol_goods.standardise_dol_goods(located_raw(path, "reference_dol_goods"), edition=2024)
    goods = result.tables["reference_dol_goods"]
    assert goods.select("child_labor", "forced_labor", "forced_child_labor").rows() == [
        (False, True, False),
        (True, True, True),
    ]
    assert rejected(result) == [(4, "unknown_value")]


def test_dol_2022_csv_keeps_its_layout_and_yes_no_flags(fixtures, raw_of):
    result = dol_goods.standardise_dol_goods(raw_of(fixtures / "reference" / "dol_tvpra_goods_2022.csv"))
    assert result.rejected.is_empty() and result.tables["reference_dol_goods"].height == 467


def test_a_workbook_without_a_known_header_is_refused(tmp_path):
    path = workbook(
        tmp_path / "goods_2024.xlsx", {"Sheet1": [DOL_TITLE, ["Item", "Place"], ["Cocoa", "Ghana"]]}
    )
    with pytest.raises(MalformedFileError, match="no sheet has a header row"):
        read_located_table(path, layouts.reference_layouts("reference_dol_goods"))


def test_dhs_uflpa_table(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "dhs_uflpa_entity_list_sample.csv")
    result = entity_lists.standardise_entity_lists(raw)
    entities = result.tables["reference_entity_lists"]
    assert set(entities["list_name"]) == {"uflpa_entity_list"}
    assert entities["entity_name"].to_list() == [
        "Example Cotton Processing Co., Ltd.",
        "Example Polysilicon Group Co., Ltd.",
        "Example Aluminium Smelting Co.",
    ]
    assert entities["aliases"].to_list() == [
        ["Example Cotton Co."],
        ["Example PV Materials Co., Ltd.", "Example Silicon Industry"],
        None,
    ]
    assert entities["listed_date"].to_list() == [
        dt.date(2022, 6, 21),
        dt.date(2022, 6, 21),
        dt.date(2024, 8, 8),
    ]
    assert entities["notice"][0] == "87 FR 47777" and entities["list_section"][2] == "Section 2(d)(2)(B)(iv)"
    assert entities["country_code"].null_count() == 3
    assert rejected(result) == [(5, "invalid_date"), (6, "missing_required")]
    assert reconcile(raw, result)["balanced"]


def test_cbp_wro_list(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "cbp_wro_findings_sample.csv")
    result = entity_lists.standardise_entity_lists(raw)
    entities = result.tables["reference_entity_lists"]
    assert entities.select(
        "entity_name", "country_code", "listed_date", "merchandise", "status", "list_section"
    ).rows() == [
        ("Example Gloves Sdn Bhd", "MY", dt.date(2019, 9, 30), "Disposable gloves", "modified", "WRO"),
        (
            "Example Gloves Sdn Bhd",
            "MY",
            dt.date(2021, 3, 29),
            "Disposable rubber gloves",
            "active",
            "Finding",
        ),
        ("Example Fishing Vessel 88", "TW", dt.date(2022, 8, 1), "Tuna", "revoked", "WRO"),
    ]
    assert set(entities["list_name"]) == {"cbp_wro_findings"} and entities["entry_id"].is_unique().all()
    assert rejected(result) == [(5, "unknown_country"), (6, "invalid_date"), (7, "unknown_value")]
    assert entities.schema == load_contract("staged.reference_entity_lists").polars_schema()


def test_the_flrisk_sample_layout_is_unchanged(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "trade_restriction_entities_sample.csv")
    entities = entity_lists.standardise_entity_lists(raw).tables["reference_entity_lists"]
    assert entities.select("list_section", "merchandise", "status", "notice").null_count().row(0) == (
        4,
        4,
        4,
        4,
    )


def test_two_aliases_of_one_field_in_one_file_are_refused(tmp_path, csv_writer, raw_of):
    path = csv_writer(
        tmp_path / "uflpa.csv",
        [["Entity Name", "Name of Entity", "Federal Register Notice"], ["A", "B", "87 FR 47777"]],
    )
    with pytest.raises(HeaderConflictError, match="entity_name"):
        entity_lists.standardise_entity_lists(raw_of(path))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Plain Co. Ltd.", ("Plain Co. Ltd.", [])),
        ("A Co. (including one alias: B Co.)", ("A Co.", ["B Co."])),
        ("A Co (Including three aliases: B; C; and D)", ("A Co", ["B", "C", "D"])),
        ("Hoshine (Shanshan) Co.", ("Hoshine (Shanshan) Co.", [])),
    ],
)
def test_embedded_aliases(cell, expected):
    assert split_embedded_aliases(cell) == expected


def test_gsi_2023_workbook(tmp_path):
    path = workbook(
        tmp_path / "global_slavery_index_2023.xlsx",
        {
            "GSI 2023 summary": [
                ["Global Slavery Index 2023 (SYNTHETIC test figures)"],
                GSI_HEADER,
                ["Bangladesh", "Example region", 100_000_000, 5.0, 500_000, 60.0, 40.0],
                ["Atlantis", "Example region", 1000, 2.0, 2, 50, 50],
            ]
        },
    )
    raw = located_raw(path, "reference_country_risk")
    result = global_slavery_index.standardise_country_risk(raw)
    risk = result.tables["reference_country_risk"]
    assert risk.select(
        "country_code", "edition", "prevalence_per_1000", "population", "source_row"
    ).rows() == [("BD", 2023, 5.0, 100_000_000, 3)]
    assert rejected(result) == [(4, "unknown_country")]
    assert reconcile(raw, result)["balanced"]


def test_gsi_flrisk_layout(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "gsi_country_risk_sample.csv")
    result = global_slavery_index.standardise_country_risk(raw, edition=2023)
    risk = result.tables["reference_country_risk"]
    assert risk.select(
        "country_code", "vulnerability_score", "government_response_score", "estimated_people"
    ).rows() == [
        ("BD", 60.0, 40.0, 500_000),
        ("VN", 50.0, 45.5, 270_000),
        ("BR", None, None, None),
    ]
    assert rejected(result) == [
        (2, "unknown_country"),
        (5, "duplicate_row"),
        (6, "invalid_number"),
        (7, "invalid_number"),
    ]
    assert risk.schema == load_contract("staged.reference_country_risk").polars_schema()
    with pytest.raises(ValueError, match="edition"):
        global_slavery_index.standardise_country_risk(raw)


def test_no_gsi_file_means_an_empty_table(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "gsi_country_risk_sample.csv").clear()
    result = global_slavery_index.standardise_country_risk(raw, edition=2023)
    assert result.tables["reference_country_risk"].is_empty() and result.rejected.is_empty()
    assert (
        result.tables["reference_country_risk"].schema
        == load_contract("staged.reference_country_risk").polars_schema()
    )


@pytest.mark.parametrize(
    ("text", "number"), [("6.2", "6.2"), ("1,234,000", "1234000"), ("56.4%", "56.4"), ("0", "0")]
)
def test_gsi_numbers(text, number):
    assert global_slavery_index.parse_number(text) == Decimal(number)


@pytest.mark.parametrize("text", ["6,2", "1,23,456", "eight", "Infinity", ""])
def test_gsi_numbers_refused(text):
    with pytest.raises(ValueError):
        global_slavery_index.parse_number(text)
