"""The fast XLSX route (fastexcel / calamine) gives exactly the openpyxl route's rows, or declines.

Workbooks are written by openpyxl (inline strings) and also reshaped as Excel stores them (shared
strings, cached formula values). Every comparison is exact: headers, payloads, sheet row numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from connectors.reading.errors import MalformedFileError
from connectors.reading.files import read_table_file
from connectors.reading.xlsx_fast import read_xlsx_fast
from tests.connectors.xlsx_support import (
    SHEET,
    as_shared_strings,
    openpyxl_outcome,
    patch_part,
    same_outcome,
    with_cached_values,
    workbook_with,
)

HEADER = [
    "supplier", "name_cn", "workers", "latitude", "share", "big", "certified", "audited", "updated",
    "formula", "label", "notes",
]  # fmt: skip
GRID = [
    HEADER,
    ["SUP-1", "深圳示例服装有限公司", 1200, 22.627659, -0.0, 123456789012.0, True,
     dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 8, 30, 15), "=1+1", '="x"&"y"', "  two\nlines  "],
    ["Çukurova Tekstil", "İzmir Örnek", -5, -0.000015, 0.1 + 0.2, -9007199254740991, False,
     dt.datetime(1999, 12, 31), dt.datetime(2026, 2, 28, 23, 59, 59), "=2*3.5", "plain", "emoji 🧵 end"],
    [],
    [None] * 12,
    ["SUP-3", "", 0, 1e-7, 3.0e15 + 0.5, 1e15, None, None, None, None, None, "0012"],
    ["SUP-4", None, None, None, None, None, None, None, None, None, "=1/0", None],
]  # fmt: skip
CACHED = {"J2": ("n", "2"), "J3": ("n", "7"), "K2": ("str", "xy"), "K7": ("str", "")}


def _grid(tmp_path, shared: bool):
    path = with_cached_values(workbook_with(tmp_path / "grid.xlsx", GRID), CACHED)
    return as_shared_strings(path) if shared else path


@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_every_cell_type_reads_identically_through_the_fast_route(tmp_path, shared):
    path = _grid(tmp_path, shared)
    fast = read_xlsx_fast(path, str(path))
    assert fast is not None, "a plain typed grid must take the fast route"
    reference = openpyxl_outcome(path)
    assert same_outcome(fast, reference)
    headers, rows = read_table_file(path).headers, read_table_file(path).rows
    assert headers == HEADER and rows["source_row"].to_list() == [2, 3, 6, 7]
    first = rows["payload"][0]
    assert '"big": "123456789012"' in first and '"share": "0"' in first and '"formula": "2"' in first


def test_header_only_sheet_and_xlsm(tmp_path):
    path = workbook_with(tmp_path / "header.xlsx", [["country", "name"]])
    fast = read_xlsx_fast(path, str(path))
    assert fast is not None and same_outcome(fast, openpyxl_outcome(path)) and fast[1].height == 0
    macro = shutil.copy(_grid(tmp_path, shared=True), tmp_path / "list.xlsm")
    fast = read_xlsx_fast(macro, str(macro))
    assert fast is not None and same_outcome(fast, openpyxl_outcome(macro))


MIXED = [
    ["workers", "code", "certified", "audited", "score", "tiny", "phone"],
    [1200, "0012", True, dt.date(2024, 1, 2), 1.5, 0.00001, 4930123456],
    ["1001-5000", 12, "yes", "2024 Q1", True, "n/a", "+49 30 123456"],
    ["N/A", "12", "true", "2024-01-02 00:00:00", 0.1 + 0.2, 1e-7, None],
    ["nan", 12.0, False, dt.datetime(2024, 1, 2, 8, 30), "TRUE", "1e-05", "0"],
    [None, "-0", None, "Q2 ", 2.0**52, -0.000012, 0],
]


@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_columns_mixing_types_are_read_cell_by_cell_through_the_fast_route(tmp_path, shared):
    path = workbook_with(tmp_path / "mixed.xlsx", MIXED)
    if shared:
        as_shared_strings(path)
    fast = read_xlsx_fast(path, str(path))
    assert fast is not None, "columns mixing numbers, text, booleans and dates take the fast route"
    assert same_outcome(fast, openpyxl_outcome(path))
    second = json.loads(fast[1]["payload"][1])
    assert second == {
        "workers": "1001-5000", "code": "12", "certified": "yes", "audited": "2024 Q1", "score": "TRUE",
        "tiny": "n/a", "phone": "+49 30 123456",
    }  # fmt: skip


FALLBACKS = {
    "duration among text": ([["a", "d"], ["x", dt.timedelta(hours=5)], ["y", "text"]], None),
    "error cell in a mixed column": ([["a", "b"], ["x", 1], ["y", "#N/A"], ["z", "text"]], None),
    "whitespace-only text (openpyxl writes no xml:space)": ([["a", "b"], ["x", "  "]], None),
    "time-only cells": ([["a", "t"], ["x", dt.time(10, 30)]], None),
    "durations": ([["a", "d"], ["x", dt.timedelta(hours=26)]], None),
    "sub-second datetime": ([["a", "d"], ["x", dt.datetime(2024, 1, 2, 3, 4, 5, 250000)]], None),
    "text N/A in a number column": ([["a", "n"], ["x", 1], ["y", "N/A"]], None),
    "tiny number as a header": ([["a", 0.00001], ["x", "y"]], None),
    "boolean header": ([["a", True], ["x", "y"]], None),
    "de-duplicated header": ([["a", "a"], ["x", "y"]], None),
    "blank header cell": ([["a", None, "c"], ["x", "y", "z"]], None),
    "cell beyond the header": ([["a", "b"], ["x", "y", "z"]], None),
    "format read as a date by openpyxl only": ([["a", "n"], ["x", 45000]], {1: "0*s"}),
}


@pytest.mark.parametrize(("rows", "formats"), FALLBACKS.values(), ids=list(FALLBACKS))
def test_the_fast_route_declines_what_it_cannot_read_exactly(tmp_path, rows, formats):
    path = workbook_with(tmp_path / "fallback.xlsx", rows, formats=formats)
    assert read_xlsx_fast(path, str(path)) is None
    reference = openpyxl_outcome(path)
    try:
        raw = read_table_file(path)
    except ValueError as error:
        assert reference[0] == "error" and reference[1] == str(error)
    else:
        assert (raw.headers, raw.rows.to_dicts()) == (reference[0], reference[1].to_dicts())


PACKAGE_EDITS = {
    "whitespace without xml:space": (SHEET, '<t xml:space="preserve">  padded  </t>', "<t>  padded  </t>"),
    "character reference at the edge": (SHEET, "<t>plain</t>", "<t>&#32;plain</t>"),
    "escaped carriage return": (SHEET, "<t>plain</t>", "<t>a_x000D_b</t>"),
    "dimension smaller than the data": (SHEET, '<dimension ref="A1:B3"', '<dimension ref="A1:B2"'),
}


@pytest.mark.parametrize(("part", "old", "new"), PACKAGE_EDITS.values(), ids=list(PACKAGE_EDITS))
@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_package_differences_hidden_from_values_send_the_sheet_to_openpyxl(tmp_path, part, old, new, shared):
    path = workbook_with(tmp_path / "edited.xlsx", [["name", "code"], ["  padded  ", "plain"], ["x", "y"]])
    assert read_xlsx_fast(path, str(path)) is not None
    patch_part(path, part, lambda xml: xml.replace(old, new))
    if shared:
        as_shared_strings(path)
    assert read_xlsx_fast(path, str(path)) is None
    raw = read_table_file(path)
    reference = openpyxl_outcome(path)
    assert (raw.headers, raw.rows.to_dicts()) == (reference[0], reference[1].to_dicts())


@pytest.mark.parametrize(
    ("content", "reason_code"),
    [
        (b"not a zip", "unreadable_workbook"),
        (b"PK\x03\x04broken", "unreadable_workbook"),
        (None, "empty_file"),
    ],
    ids=["not a zip", "broken zip", "empty sheet"],
)
def test_unreadable_and_empty_workbooks_keep_their_errors(tmp_path, content, reason_code):
    path = tmp_path / "list.xlsx"
    if content is None:
        openpyxl.Workbook().save(path)
    else:
        path.write_bytes(content)
    assert read_xlsx_fast(path, str(path)) is None
    with pytest.raises(MalformedFileError) as caught:
        read_table_file(path)
    assert caught.value.reason_code == reason_code and caught.value.row == 1
    assert openpyxl_outcome(path) == ("error", str(caught.value), reason_code)


def test_a_chart_sheet_first_is_left_to_openpyxl(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["name"])
    workbook.active.append(["x"])
    workbook.create_chartsheet("Chart", 0)
    path = tmp_path / "chart_first.xlsx"
    workbook.save(path)
    assert read_xlsx_fast(path, str(path)) is None  # calamine would read the worksheet behind it
    reference = openpyxl_outcome(path)  # openpyxl 3.1 cannot open this one in read-only mode
    with pytest.raises(ValueError) as caught:
        read_table_file(path)
    assert reference == ("error", str(caught.value), "unreadable_workbook")


@pytest.mark.parametrize(
    ("start_row", "start_column"), [(3, 1), (1, 3), (3, 3)], ids=["row 3", "column C", "C3"]
)
def test_data_not_at_a1_gives_the_same_error_on_both_routes(tmp_path, start_row, start_column):
    path = workbook_with(tmp_path / "offset.xlsx", [["name", "n"], ["x", 1]], start_row, start_column)
    assert read_xlsx_fast(path, str(path)) is None
    reference = openpyxl_outcome(path)
    with pytest.raises(ValueError) as caught:
        read_table_file(path)
    assert reference[0] == "error" and str(caught.value) == reference[1]


# Hypothesis: random grids, one kind of value per column (sometimes mixed), number formats, blank rows,
# odd headers, offsets, both date systems; strings that look like numbers, nulls, errors or escapes.
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(" \n\r\t中é"), max_size=12
) | st.sampled_from(
    ["N/A", "nan", "NULL", "", " ", "_x000D_", "#N/A", "#DIV/0!", "TRUE", "1e5", "0012", "-0"]
)
_KINDS = {
    "text": _TEXT,
    "integer": st.integers(-(2**53) + 1, 2**53 - 1),
    "float": st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([-0.0, 0.1, 1e-5, 1e15 + 0.5, 2.0**53]),
    "boolean": st.booleans(),
    "date": st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    "datetime": st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)).map(
        lambda value: value.replace(microsecond=0)
    ),
    "time": st.times().map(lambda value: value.replace(microsecond=0)),
    "duration": st.timedeltas(dt.timedelta(0), dt.timedelta(days=3000)).map(
        lambda value: value // 1000 * 1000
    ),
}
_FORMATS = [
    "0.00", "#,##0", "0%", "@", "yyyy-mm-dd", "dd/mm/yyyy hh:mm", "d-mmm-yy", "h:mm AM/PM", "mm:ss",
    "[h]:mm:ss", "[mm]:ss", "0*s", '"Y: "0.00', "[Red]0.00", "[$-409]d-mmm-yyyy;@", "0.00E+00",
]  # fmt: skip
_HEADER_CELL = st.one_of(_TEXT, st.integers(-5, 3000), st.floats(-1e20, 1e20), st.booleans())


@st.composite
def _sheets(draw):
    width = draw(st.integers(1, 5))
    header = [draw(_HEADER_CELL) if draw(st.integers(0, 9)) == 0 else f"h{index}" for index in range(width)]
    kinds = [draw(st.sampled_from([*_KINDS, "mixed"])) for _ in range(width)]
    formats = {
        column: draw(st.sampled_from(_FORMATS)) for column in range(width) if draw(st.integers(0, 3)) == 0
    }
    rows: list[list[object]] = [header]
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 3)) == 0:
            rows.append([None] * draw(st.integers(0, width + 1)))
            continue
        row = []
        for kind in kinds:
            strategy = st.one_of(*_KINDS.values()) if kind == "mixed" else _KINDS[kind]
            row.append(draw(st.none() | strategy))
        rows.append(row)
    start = draw(st.sampled_from([(1, 1)] * 6 + [(2, 1), (1, 2)]))
    return rows, start, formats, draw(st.booleans()), draw(st.integers(0, 4)) == 0


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=_sheets())
def test_random_sheets_read_identically_or_fall_back(tmp_path, sheet):
    rows, (start_row, start_column), formats, shared, mac_1904 = sheet
    path = workbook_with(tmp_path / "random.xlsx", rows, start_row, start_column, formats, mac_1904)
    if shared:
        as_shared_strings(path)
    fast = read_xlsx_fast(path, str(path))
    reference = openpyxl_outcome(path)
    event("fast route" if fast is not None else "openpyxl route")
    assert fast is None or same_outcome(fast, reference)
