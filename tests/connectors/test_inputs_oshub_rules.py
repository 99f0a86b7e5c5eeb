"""Open Supply Hub's upload template and rules on supplier lists (issue 15): every rule fires on the
row that breaks it, at its level, in its column, through both standardisation paths; read = staged +
quarantined; the template's columns reach the staged sectors, product and facility types."""

from __future__ import annotations

import json

import polars as pl
import pytest

from connectors.reading.files import raw_frame, read_table_file
from connectors.reason_codes import catalogue
from connectors.sources import supplier_list
from connectors.sources.supplier_list.oshub_rules import lei_valid, row_findings, split_values
from connectors.staging import reconcile
from tests.connectors.inputs_cases import BASE, CASES, row_of, write_cases


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    path = write_cases(tmp_path_factory.mktemp("rules") / "oshub_rules.csv")
    raw = raw_frame(read_table_file(path), "load-1", "Acme")
    return raw, supplier_list.standardise(raw), supplier_list.standardise_rows(raw)


def _found(result, level):
    frame = result.rejected if level == "error" else result.warnings
    return {
        (row, column, code)
        for row, column, code in frame.select("source_row", "column_name", "reason_code").iter_rows()
    }


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_each_rule_fires_on_its_row_at_its_level(results, case):
    _, fast, rows = results
    for result in (fast, rows):
        assert (row_of(case), case.column, case.reason_code) in _found(result, case.level)
        staged_rows = set(result.tables["facility_records"]["source_row"])
        assert (row_of(case) in staged_rows) == (case.level == "warning")


def test_the_clean_base_row_is_staged_without_findings(results):
    _, fast, _ = results
    assert 2 in set(fast.tables["facility_records"]["source_row"])
    assert 2 not in set(fast.rejected["source_row"]) and 2 not in set(fast.warnings["source_row"])


def test_read_equals_staged_plus_quarantined_and_both_paths_agree(results):
    raw, fast, rows = results
    figures = reconcile(raw, fast)
    assert figures["balanced"] and figures["read"] == len(CASES) + 1
    assert figures["quarantined"] == sum(case.level == "error" for case in CASES)
    assert fast.rejected.equals(rows.rejected)
    assert fast.tables["facility_records"].equals(rows.tables["facility_records"])
    assert fast.warnings.equals(rows.warnings)


def test_every_code_is_catalogued_with_the_oshub_rule_it_mirrors():
    entries = {entry.reason_code: entry for entry in catalogue()}
    for case in CASES:
        entry = entries[case.reason_code]
        assert entry.oshub_rule, case.reason_code
        assert entry.severity == ("reject" if case.level == "error" else "flag")


def test_template_columns_split_on_commas_and_pipes_as_oshub_does(tmp_path):
    path = tmp_path / "template.csv"
    path.write_text(
        "country,name,address,sector_product_type,facility_type_processing_type\n"
        'Bangladesh,Dhaka Knit Garments Ltd,"Plot 12, Tongi Industrial Area, Gazipur",'
        '"Apparel, Footwear|T-shirts",Cut and Sew|Printing\n'
        'Bangladesh,Chittagong Denim Mills Ltd,"Plot 9, Kalurghat Heavy Industrial Area",Textile Mills,\n',
        encoding="utf-8",
    )
    result = supplier_list.standardise(raw_frame(read_table_file(path), "l", None))
    staged = result.tables["facility_records"].sort("source_row")
    assert staged["sectors"].to_list() == [["Apparel", "Footwear"], ["Textile Mills"]]
    assert staged["product_types"].to_list() == [["T-shirts"], None]
    assert staged["facility_types"].to_list() == [["Cut and Sew", "Printing"], None]
    assert staged["processing_types"].to_list() == [["Cut and Sew", "Printing"], None]
    assert staged["extra_fields"].to_list() == [None, None]  # the template's columns are known


def test_split_values_and_lei_checksum():
    assert split_values("Apparel, Footwear|Bags,Bags ||") == ["Apparel", "Footwear", "Bags"]
    assert lei_valid("5493001KJTIIGC8Y1R12") and lei_valid("529900T8BM49AURSDO55")
    assert not lei_valid("5493001KJTIIGC8Y1R17") and not lei_valid("5493001kjtiigc8y1r1")


def test_an_address_ending_in_a_us_state_code_is_not_another_country():
    cells = {**BASE, "country": "United States", "address": "1200 Industrial Parkway, Macon, GA"}
    assert row_findings(cells, "US") == []


def test_rows_already_quarantined_get_no_second_error_for_the_same_column(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("country,name,address\nAtlantis,#REF!,12 Sunken Road Industrial Area\n", encoding="utf-8")
    result = supplier_list.standardise(raw_frame(read_table_file(path), "l", None))
    codes = result.rejected.select("column_name", "reason_code").rows()
    assert ("country", "unknown_country") in codes and ("name", "spreadsheet_error_value") in codes
    assert pl.Series([json.loads(p)["name"] for p in result.rejected["payload"]]).unique().to_list() == [
        "#REF!"
    ]
