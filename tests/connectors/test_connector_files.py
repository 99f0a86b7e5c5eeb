"""connectors.reading.files: encodings, line ends, XLSX rendering and malformed-file errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import openpyxl
import polars as pl
import pytest

from connectors.reading.errors import MalformedFileError
from connectors.reading.files import raw_frame, read_table_file

HEADER = ["country", "name", "address"]
ROWS = [
    ["Côte d'Ivoire", 'Abidjan "Example" Textiles', "Zone 4, Rue 12\nAbidjan"],
    ["Türkiye", "Izmir Örnek Tekstil A.S.", "Cigli, Izmir"],
    ["China", "Shenzhen Example Garments Co., Ltd.", "No. 8, Longhua, Shenzhen"],
]


def payloads(raw_file) -> list[dict[str, str]]:
    return [json.loads(text) for text in raw_file.rows["payload"]]


@pytest.mark.parametrize(
    ("encoding", "line_end"),
    [
        ("utf-8", "\n"),
        ("utf-8", "\r\n"),
        ("utf-8-sig", "\r\n"),
        ("utf-16", "\r\n"),
        ("utf-16", "\n"),
        ("cp1252", "\r"),
        ("cp1252", "\r\n"),
        ("cp1252", "\n"),
    ],
)
def test_csv_encodings_and_line_ends_read_identically(tmp_path, csv_writer, encoding, line_end):
    path = csv_writer(tmp_path / "list.csv", [HEADER, *ROWS], encoding, line_end)
    raw_file = read_table_file(path)
    assert raw_file.source_file == str(path)
    assert raw_file.headers == HEADER
    assert raw_file.encoding == encoding
    assert raw_file.rows.schema == pl.Schema({"source_row": pl.Int64, "payload": pl.String})
    assert raw_file.rows["source_row"].to_list() == [2, 3, 4]
    got = payloads(raw_file)
    assert [list(row.values()) for row in got][1:] == ROWS[1:]
    assert got[0]["name"] == 'Abidjan "Example" Textiles'
    assert got[0]["address"].splitlines() == ["Zone 4, Rue 12", "Abidjan"]


def test_blank_rows_are_skipped_but_counted_and_short_rows_padded(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,c\n1,2,3\n\n,,\n4,5\n6,7,8,,\n", encoding="utf-8")
    raw_file = read_table_file(path)
    assert raw_file.rows["source_row"].to_list() == [2, 5, 6]
    assert payloads(raw_file)[1] == {"a": "4", "b": "5", "c": ""}
    assert payloads(raw_file)[2] == {"a": "6", "b": "7", "c": "8"}


def test_cells_are_kept_exactly_as_received(tmp_path):
    path = tmp_path / "exact.csv"
    path.write_text('name, Address \n "  spaced  " ,0012\n', encoding="utf-8")
    raw_file = read_table_file(path)
    assert raw_file.headers == ["name", " Address "]
    assert payloads(raw_file) == [{"name": ' "  spaced  " ', " Address ": "0012"}]


def test_xlsx_first_sheet_cells_rendered_as_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["country", "name", "lat", "workers", "audited", "closed", "code"])
    sheet.append(["CN", "Example One", 22.627659, 1000.0, dt.date(2026, 1, 2), False, "007"])
    sheet.append([])
    sheet.append(["VN", "Example Two", 10, None, dt.datetime(2026, 1, 2, 8, 30), True, 12])
    workbook.create_sheet("ignored").append(["not", "read"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    raw_file = read_table_file(path)
    assert raw_file.encoding == "xlsx"
    assert raw_file.rows["source_row"].to_list() == [2, 4]
    first, second = payloads(raw_file)
    assert first == {
        "country": "CN",
        "name": "Example One",
        "lat": "22.627659",
        "workers": "1000",
        "audited": "2026-01-02",
        "closed": "FALSE",
        "code": "007",
    }
    assert second["lat"] == "10" and second["workers"] == ""
    assert second["audited"] == "2026-01-02 08:30:00" and second["code"] == "12"


def test_raw_frame_has_raw_columns_and_content_hash(tmp_path, csv_writer):
    raw_file = read_table_file(csv_writer(tmp_path / "a.csv", [HEADER, *ROWS]))
    raw = raw_frame(raw_file, "load-9", "Northwind Apparel")
    assert raw.columns == ["load_id", "source_file", "source_row", "contributor", "content_hash", "payload"]
    assert raw["source_row"].dtype == pl.Int64
    row = raw.row(0, named=True)
    assert row["content_hash"] == hashlib.sha256(row["payload"].encode("utf-8")).hexdigest()
    assert row["load_id"] == "load-9" and row["contributor"] == "Northwind Apparel"


MALFORMED = [
    ("empty", b"", 1, 1, "empty"),
    ("blank lines only", b"\r\n\r\n", 1, 1, "empty"),
    ("no header", b"\nname,country\nA,CN\n", 1, 1, "no header"),
    ("duplicate header", b"name,country,name\nA,CN,B\n", 1, 3, "duplicate header 'name'"),
    ("empty header cell", b"name,,country\nA,x,CN\n", 1, 2, "header cell is empty"),
    ("ragged row", b"name,country\nA,CN\nB,VN,extra\n", 3, 3, "unexpected value 'extra'"),
    ("bad quoting", b'name,country\n"A"x,CN\n', 2, 1, "quoting"),
    ("unclosed quote", b'name,country,address\nA,"CN,x\nB,VN,y\n', 2, 2, "quoting"),
    ("late bad quote", b'name,country\nA,CN\n"B, Ltd","VN"x\n', 3, 2, "quoting"),
    ("undecodable byte", b"name,country\nA\x81\x8d,CN\n", 2, 2, "cannot decode"),
    ("NUL byte", b"name,country\nA\x00,CN\n", 2, 2, "NUL"),
]


@pytest.mark.parametrize(
    ("label", "content", "row", "column", "problem"), MALFORMED, ids=[case[0] for case in MALFORMED]
)
def test_malformed_files_raise_naming_file_row_and_column(tmp_path, label, content, row, column, problem):
    path = tmp_path / "broken_list.csv"
    path.write_bytes(content)
    with pytest.raises(MalformedFileError) as caught:
        read_table_file(path)
    message = str(caught.value)
    assert str(path) in message and f"row {row}" in message and problem in message
    assert caught.value.row == row and caught.value.column == column
    assert (f"column {column}" if column else "column unknown") in message


def test_broken_xlsx_and_unsupported_suffix(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(MalformedFileError, match="broken.xlsx: row 1"):
        read_table_file(broken)
    with pytest.raises(ValueError, match="unsupported file type"):
        read_table_file(tmp_path / "list.xls")


def test_empty_xlsx_is_malformed(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(MalformedFileError, match="empty"):
        read_table_file(path)
