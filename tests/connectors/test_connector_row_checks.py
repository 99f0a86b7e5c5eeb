"""Cell and facility-name checks: formulas, length limits, placeholders, names that are addresses."""

from __future__ import annotations

import json

import polars as pl
import pytest

from connectors.cell_checks import is_empty_name, is_placeholder, looks_like_formula, name_is_address
from connectors.facilities import FacilityFields, facility_mention
from connectors.headers import SourceSpec, map_headers
from connectors.sources import supplier_list
from connectors.staging import Problem, RawRow, reconcile

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0"]
FORMULAS += ["=1+1", "@", "\t=1+1", "-MIN(A1:A2)", "+A1", "- see notes"]
NOT_FORMULAS = ["-77.08", "+86 138 0013 8000", "-", "--", "+", "-1.5e-3", "+1 (555) 123-4567", "-.5"]
NOT_FORMULAS += ["Example = Co", "a@b.example", " =1+1", "12-14", "", "5%"]
ADDRESSES = [
    "No. 12 Industrial Road, Longhua, Shenzhen",
    "No.8 Shuangbao West Road",
    "88 Example Road, Yinzhou, Ningbo",
    "Plot 12, Ashulia, Savar, Dhaka",
    "12-14 Rue de la Paix",
    "#45 Jalan Ampang, Kuala Lumpur",
    "Lot B2, Trang Due Industrial Park, Hai Phong",
    "120 EDWARD STREET",
    "  No. 7   Example Lane  ",
]
NAMES = [
    "No. 1 Garment Factory",
    "Shanghai No. 3 Textile Factory",
    "3M China Ltd",
    "21st Century Apparel",
    "7 Stars Garments, Dhaka, Bangladesh",
    "Buenos Aires - Alsina 1771",
    "100 Percent Cotton Co.",
    "1st Avenue Garments",
    "Plot 9 Knitwear",
    "Roadside Textiles",
    "深圳市示例服装有限公司",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_like_cells_are_formulas(value):
    assert looks_like_formula(value)


@pytest.mark.parametrize("value", NOT_FORMULAS)
def test_numbers_phones_and_dashes_are_not_formulas(value):
    assert not looks_like_formula(value)


@pytest.mark.parametrize("value", ADDRESSES)
def test_addresses_in_the_name_column_are_caught(value):
    assert name_is_address(value)


@pytest.mark.parametrize("value", NAMES)
def test_facility_names_are_not_addresses(value):
    assert not name_is_address(value)


def test_placeholders_and_empty_names():
    assert all(
        is_empty_name(v) for v in ["N/A", "n/a", " Unknown ", "TBD", "-", "???", "not  available", "—"]
    )
    assert not any(is_empty_name(v) for v in ["NA Textiles", "123", "深圳", "Unnamed Road Mill", "X"])
    assert is_placeholder("none") and not is_placeholder("Namibia")


@pytest.fixture
def checked(fixtures, raw_of):
    raw = raw_of(fixtures / "supplier_list" / "row_checks_sample.csv", contributor="Checker")
    return raw, supplier_list.standardise(raw)


EXPECTED = {
    2: [("name", "name_is_address")],
    3: [("name", "empty_name")],
    4: [("name", "empty_name")],
    5: [("country", "missing_country")],
    6: [("name", "spreadsheet_formula")],
    7: [("Notes", "spreadsheet_formula")],
    8: [("name", "spreadsheet_formula")],
    9: [("name", "value_too_long")],
    10: [("address", "value_too_long")],
    11: [("Notes", "value_too_long")],
    15: [(None, "duplicate_row")],
    16: [("lat", "spreadsheet_formula")],
    17: [("name", "empty_name"), ("country", "missing_country")],
}


def test_row_checks_reject_with_codes_naming_the_column(checked):
    raw, result = checked
    got: dict[int, list] = {}
    for row in result.rejected.iter_rows(named=True):
        got.setdefault(row["source_row"], []).append((row["column_name"], row["reason_code"]))
        assert row["source_file"] and row["payload"] and row["message"]
        if row["column_name"]:
            assert row["message"].startswith(row["column_name"])
    assert got == EXPECTED
    messages = dict(zip(result.rejected["source_row"], result.rejected["message"], strict=False))
    assert messages[2].endswith("looks like a street address, not a facility name (file column 'Name')")
    assert messages[9] == "name is 311 characters long; the limit is 300 (file column 'Name')"
    assert "=HYPERLINK" not in messages[6]  # never echoes a formula
    assert json.loads(result.rejected.filter(pl.col("source_row") == 7)["payload"][0])["Notes"].startswith(
        "+cmd"
    )
    assert reconcile(raw, result)["balanced"]


def test_suspicious_but_valid_rows_are_staged(checked):
    _, result = checked
    staged = {row["source_row"]: row for row in result.tables["facility_records"].iter_rows(named=True)}
    assert sorted(staged) == [12, 13, 14, 18]
    assert (staged[12]["lat"], staged[12]["lng"]) == (-12.05, -77.08)
    assert json.loads(staged[12]["extra_fields"]) == {"Notes": "+86 138 0013 8000"}
    assert staged[13]["name"] == "No. 1 Garment Factory"
    assert staged[14]["coordinate_flag"] == "null_island" and staged[14]["lat"] is None
    assert staged[18]["country_code"] == "AR"


def test_row_level_facility_mention_checks_facility_fields_for_any_source():
    """Audits and worker voice call facility_mention row by row with their own field names."""
    spec = SourceSpec("social_audit", required=("facility_name", "facility_country"), optional=("note",))
    fields = FacilityFields(name="facility_name", address=None, country="facility_country", os_id=None)
    cases = {
        ("No. 8 Example Road, Dongguan", "CN"): [("facility_name", "name_is_address")],
        ("N/A", "Unknown"): [("facility_name", "empty_name"), ("facility_country", "missing_country")],
        ("=1+2", "Atlantis"): [
            ("facility_name", "spreadsheet_formula"),
            ("facility_country", "unknown_country"),
        ],
        ("Example Mill", "x" * 2001): [("facility_country", "value_too_long")],
        ("Example Mill", ""): [("facility_country", "missing_required")],
        ("Example Mill", "Viet Nam"): [],
    }
    header_map = map_headers(["facility_name", "facility_country"], spec)
    for (name, country), expected in cases.items():
        cells = {"facility_name": name, "facility_country": country}
        row = RawRow("l", "f.csv", 2, None, json.dumps(cells), cells, {}, header_map)
        problems: list[Problem] = []
        record = facility_mention(row, "social_audit", fields, spec.required, problems)
        assert [(p.column, p.reason_code) for p in problems] == expected, (name, country)
        if not expected:
            assert record["country_code"] == "VN" and record["name"] == "Example Mill"
