"""File-level problems (issue 15) are one error for the file: no data rows, a missing required column
(with the rename that fixes it), a file of another kind, an unknown sheet; XLSX tables are found on
the sheet whose header fits."""

from __future__ import annotations

import openpyxl
import pytest

from connectors.reading.errors import MalformedFileError
from connectors.reading.file_shapes import check_file_shape, missing_columns
from connectors.reading.workbooks import read_source_file

LIST_HEADER = ["country", "name", "address"]
LIST_ROW = ["Bangladesh", "Dhaka Knit Garments Ltd", "Plot 12, Tongi Industrial Area, Gazipur"]


def _refusal(headers, rows, source_type) -> MalformedFileError:
    with pytest.raises(MalformedFileError) as refused:
        check_file_shape(headers, rows, source_type, "list.csv")
    return refused.value


def test_header_only_file_is_refused():
    error = _refusal(LIST_HEADER, 0, "supplier_list")
    assert error.reason_code == "no_data_rows" and "no data rows" in str(error)


def test_missing_required_column_is_named_once_with_what_was_found_and_a_rename():
    error = _refusal(["Facility Name", "country", "Facility Address"], 3, "supplier_list")
    message = str(error)
    assert error.reason_code == "missing_required_column"
    assert "'name', 'address'" in message and "found: Facility Name, country, Facility Address" in message
    assert "'Facility Name' -> rename it to 'name'" in message
    assert "'Facility Address' -> rename it to 'address'" in message


def test_a_close_misspelling_is_suggested():
    error = _refusal(["country", "name", "adress"], 1, "supplier_list")
    assert "'adress' -> rename it to 'address'" in str(error)


@pytest.mark.parametrize(
    ("source_type", "suggested"),
    [
        ("social_audit", "supplier-list"),
        ("worker_voice", "supplier-list"),
        ("oshub_download", "supplier-list"),
    ],
)
def test_a_supplier_list_loaded_as_another_kind_is_refused_naming_the_right_kind(source_type, suggested):
    error = _refusal(LIST_HEADER, 1, source_type)
    assert error.reason_code == "wrong_kind"
    assert f"flrisk load {suggested} FILE" in str(error)


def test_a_fitting_file_passes():
    check_file_shape(LIST_HEADER, 1, "supplier_list", "list.csv")
    assert missing_columns(["Country", " Name ", "ADDRESS"], "supplier_list") == ()


def _workbook(path, sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_data_on_the_second_sheet_are_found_and_the_sheet_named(tmp_path):
    path = _workbook(
        tmp_path / "list.xlsx",
        [("Instructions", [["Fill in the Facilities sheet"]]), ("Facilities", [LIST_HEADER, LIST_ROW])],
    )
    raw_file = read_source_file(path, "supplier_list")
    assert raw_file.sheet == "Facilities" and raw_file.rows.height == 1
    assert raw_file.headers == LIST_HEADER


def test_xlsx_sheet_chosen_by_name_and_unknown_sheet_refused(tmp_path):
    path = _workbook(
        tmp_path / "list.xlsx",
        [("2025", [LIST_HEADER, LIST_ROW]), ("2026", [LIST_HEADER, LIST_ROW, LIST_ROW])],
    )
    assert read_source_file(path, "supplier_list").rows.height == 1  # the first sheet fits
    assert read_source_file(path, "supplier_list", sheet="2026").rows.height == 2
    with pytest.raises(MalformedFileError) as refused:
        read_source_file(path, "supplier_list", sheet="2027")
    assert refused.value.reason_code == "unknown_sheet" and "2025, 2026" in str(refused.value)


def test_sheet_on_a_csv_is_refused(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(",".join(LIST_HEADER) + "\nA,B,C\n", encoding="utf-8")
    with pytest.raises(MalformedFileError, match="XLSX workbooks only"):
        read_source_file(path, "supplier_list", sheet="Sheet1")
