"""The reason-code catalogue: one CSV, a generated page, and every code the connectors emit in it."""

from __future__ import annotations

import json

import pytest

from connectors.headers import HeaderConflictError, SourceSpec, map_headers
from connectors.reading.errors import MalformedFileError
from connectors.reading.files import read_table_file
from connectors.reason_codes import DOC_PATH, catalogue, codes, quarantine_codes, render_markdown
from connectors.staging import Problem, RawRow, Rejections
from connectors.vocabulary import reason_codes

EXISTING = {
    "missing_required",
    "unknown_country",
    "invalid_coordinates",
    "invalid_date",
    "unknown_category",
    "unknown_severity",
    "unknown_scheme",
    "invalid_os_id",
    "invalid_number",
    "duplicate_row",
    "unknown_value",
}
REQUIRED_NEW = {
    "missing_country",
    "empty_name",
    "name_is_address",
    "spreadsheet_formula",
    "value_too_long",
    "null_island_coordinates",
    "undecodable_encoding",
}


def test_catalogue_has_about_thirty_well_formed_codes():
    entries = catalogue()
    assert 28 <= len(entries) <= 80  # issue 15 added Open Supply Hub's rules
    assert {entry.reason_code for entry in entries} >= EXISTING | REQUIRED_NEW
    assert all(entry.meaning.strip() and entry.reason_code.isidentifier() for entry in entries)
    assert set(reason_codes()) == {entry.reason_code for entry in entries}  # vocabulary still reads it


def test_severity_and_level_split():
    assert set(quarantine_codes()) >= EXISTING | {"missing_country", "empty_name", "name_is_address"}
    assert "null_island_coordinates" in codes("flag", "row")
    assert "undecodable_encoding" in codes("reject", "file")
    assert not set(codes(applies_to="file")) & set(quarantine_codes())


def test_committed_doc_is_the_generated_text():
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), (
        "docs/reason-codes.md is stale: run `uv run python -m connectors.reason_codes`"
    )
    for entry in catalogue():
        assert f"`{entry.reason_code}`" in render_markdown()


@pytest.mark.parametrize(
    ("content", "suffix", "code"),
    [
        (b"", ".csv", "empty_file"),
        (b"\nname\nA\n", ".csv", "header_missing"),
        (b"name,,country\nA,x,CN\n", ".csv", "empty_header"),
        (b"name,name\nA,B\n", ".csv", "duplicate_header"),
        (b"name\nA,extra\n", ".csv", "ragged_row"),
        (b'name\n"A"x\n', ".csv", "bad_quoting"),
        (b"name\nA\x81\x8d\n", ".csv", "undecodable_encoding"),
        (b"name\nA\x00\n", ".csv", "binary_content"),
        (b"not a zip", ".xlsx", "unreadable_workbook"),
        (b"name\nA\n", ".xls", "unsupported_file_type"),
    ],
)
def test_file_level_errors_carry_a_file_level_code(tmp_path, content, suffix, code):
    path = tmp_path / f"list{suffix}"
    path.write_bytes(content)
    with pytest.raises(MalformedFileError) as caught:
        read_table_file(path)
    assert caught.value.reason_code == code
    assert code in codes("reject", "file")
    assert str(path) in str(caught.value) and "row " in str(caught.value)


def test_header_conflict_and_default_codes_are_catalogued():
    assert HeaderConflictError.reason_code in codes("reject", "file")
    assert MalformedFileError("f.csv", 1, None, "odd").reason_code in codes("reject", "file")


def test_rejections_accept_only_row_level_reject_codes():
    header_map = map_headers(["name"], SourceSpec("supplier_list", required=("name",)))
    row = RawRow("l", "f.csv", 2, None, json.dumps({"name": "x"}), {"name": "x"}, {}, header_map)
    rejections = Rejections("supplier_list")
    rejections.add(row, [Problem("name", "empty_name", "name 'x' is a placeholder")])
    for code in ("null_island_coordinates", "undecodable_encoding", "no_such_code"):
        with pytest.raises(ValueError, match="row-level reject code"):
            rejections.add(row, [Problem("name", code, "m")])
    assert rejections.frame()["reason_code"].to_list() == ["empty_name"]


def test_quarantine_contract_accepts_every_row_level_reason_code():
    from connectors.reason_codes import quarantine_codes
    from data_contracts import load_contract

    check = next(
        c
        for c in load_contract("quarantine.rejected_rows").checks()
        if c.name.endswith("reason_code__valid_values")
    )
    assert set(quarantine_codes()) <= set(check.value_set)
