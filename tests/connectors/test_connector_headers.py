"""connectors.headers: normalisation and per-source mapping (no guessed synonyms)."""

from __future__ import annotations

import pytest

from connectors.headers import HeaderConflictError, SourceSpec, map_headers, normalise_header
from connectors.sources import supplier_list
from connectors.staging import reconcile


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (" Name ", "name"),
        ("NAME", "name"),
        ("Product Type", "product_type"),
        ("product type", "product_type"),
        ("product-type", "product_type"),
        ("  Number  of\tWorkers ", "number_of_workers"),
        ("Parent - Company", "parent_company"),
        ("Facility Name", "facility_name"),
        ("os_id", "os_id"),
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


def test_map_headers_matches_case_and_spacing_only():
    header_map = map_headers(
        [" Name ", "COUNTRY", "Product Type", "Supplier Code", "lat"], supplier_list.SPEC
    )
    assert header_map.canonical == {
        " Name ": "name",
        "COUNTRY": "country",
        "Product Type": "product_type",
        "lat": "lat",
    }
    assert header_map.unknown == ("Supplier Code",)
    assert header_map.missing == ("address",)
    assert header_map.original("product_type") == "Product Type"
    assert header_map.original("address") is None


def test_facility_name_is_not_an_alias_for_name():
    header_map = map_headers(["Facility Name", "country", "address"], supplier_list.SPEC)
    assert header_map.unknown == ("Facility Name",)
    assert header_map.missing == ("name",)


def test_two_headers_meaning_the_same_field_conflict():
    with pytest.raises(HeaderConflictError, match="'Name' and 'NAME'"):
        map_headers(["Name", "NAME", "country"], supplier_list.SPEC)


def test_source_spec_known_columns():
    spec = SourceSpec("x", required=("a",), optional=("b",), sensitive=("c",))
    assert spec.known == ("a", "b", "c")


def test_supplier_list_with_unknown_name_header_rejects_every_row(tmp_path, csv_writer, raw_of):
    path = csv_writer(
        tmp_path / "casa.csv",
        [
            ["Facility Name", "Country", "ADDRESS"],
            ["Casa Example Ceramica", "Portugal", "Rua Example 1, Porto"],
            ["Casa Example Textil", "PT", "Rua Example 2, Braga"],
        ],
        encoding="cp1252",
    )
    raw = raw_of(path)
    result = supplier_list.standardise(raw)
    assert result.tables["facility_records"].is_empty()
    assert result.rejected["reason_code"].to_list() == ["missing_required"] * 2
    assert result.rejected["column_name"].to_list() == ["name"] * 2
    assert "missing from the file header" in result.rejected["message"][0]
    assert result.unknown_columns == {str(path): ("Facility Name",)}
    assert reconcile(raw, result)["balanced"]


def test_header_variants_map_to_the_same_records(tmp_path, csv_writer, raw_of):
    rows = [["Casa Example Ceramica", "Portugal", "Rua Example 1, Porto", "Tiles"]]
    plain = csv_writer(tmp_path / "plain.csv", [["name", "country", "address", "product_type"], *rows])
    varied = csv_writer(
        tmp_path / "varied.csv",
        [[" NAME ", "Country", "Address ", "Product-Type"], *rows],
        encoding="utf-8-sig",
    )
    left = supplier_list.standardise(raw_of(plain)).tables["facility_records"]
    right = supplier_list.standardise(raw_of(varied)).tables["facility_records"]
    assert left.drop("source_file").equals(right.drop("source_file"))
    assert right["product_types"].to_list() == [["Tiles"]]
