"""The vectorised paths give exactly what the row-by-row reference paths give.

CSV: Polars' split of regular files vs the csv module (rows, headers, encodings and errors).
Payloads: the Polars encoder / decoder vs json.dumps / json.loads. Staging: frames.facility_lists vs
facilities.standardise_facility_list on the fixtures, the demo bundle and generated nasty files.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from connectors.frames.values import BLANK, WHITESPACE_RUN, os_id_valid
from connectors.headers import HeaderConflictError
from connectors.ids import CROCKFORD_BASE32, is_valid_os_id, make_os_id
from connectors.reading import files
from connectors.reading.csv_files import csv_records, decode, read_regular_csv
from connectors.reading.errors import MalformedFileError
from connectors.reading.files import raw_frame, read_table_file
from connectors.reading.json_payload import decode_payloads, payload_expr
from connectors.reading.table_shape import records_to_rows
from connectors.sources import oshub_download, supplier_list

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "demo" / "bundle"
CELLS = [
    "a",
    "Ab",
    " x ",
    "",
    "  ",
    "1,2",
    'say "hi"',
    '"',
    "é",
    "中",
    ",",
    "=1",
    "-5",
    "\t",
    "\u2028",
    "\x1c",
]
MULTILINE = ["line\nbreak", "cr\rinside", "crlf\r\nin"]


def _slow(data: bytes, source_file: str):
    text, encoding = decode(data, source_file)
    headers, rows = records_to_rows(csv_records(text, source_file), source_file)
    return headers, rows, encoding


def _outcome(read):
    try:
        return read()
    except MalformedFileError as error:
        return ("error", str(error), error.reason_code, error.row, error.column)


def _random_csv(rng: random.Random) -> bytes:
    width = rng.randint(1, 5)
    header = [f"h{i}" for i in range(width)] + [""] * rng.choice([0, 0, 0, 2])
    if rng.random() < 0.05:
        header[0] = header[-1] if len(header) > 1 else ""
    rows = [header] + [
        [rng.choice(CELLS + (MULTILINE if rng.random() < 0.02 else [])) for _ in range(_cells(rng, width))]
        for _ in range(rng.randint(0, 12))
    ]
    end = rng.choice(["\n", "\r\n", "\n", "\r"])
    lines = [",".join(_quoted(cell, rng) for cell in row) for row in rows]
    text = end.join(lines) + rng.choice([end, ""])
    if rng.random() < 0.05:
        text = end + text
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"])
    return text.encode(encoding, errors="replace")


def _cells(rng: random.Random, width: int) -> int:
    return width + 1 if rng.random() < 0.03 else rng.choice([width, width, rng.randint(0, width)])


def _quoted(cell: str, rng: random.Random) -> str:
    if any(char in cell for char in ',"\r\n') or rng.random() < 0.2:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def test_regular_csv_split_matches_the_csv_module(tmp_path, monkeypatch):
    rng = random.Random(7)
    calls: list[object] = []
    original = files.read_regular_csv
    monkeypatch.setattr(files, "read_regular_csv", lambda *args: calls.append(original(*args)) or calls[-1])
    for case in range(400):
        data = _random_csv(rng)
        path = tmp_path / f"case{case}.csv"
        path.write_bytes(data)
        fast = _outcome(lambda path=path: read_table_file(path))
        slow = _outcome(lambda data=data, path=path: _slow(data, str(path)))
        if isinstance(fast, tuple):
            assert fast == slow, (case, data)
        else:
            assert (fast.headers, fast.encoding) == (slow[0], slow[2]), (case, data)
            assert_frame_equal(fast.rows, slow[1])
    assert sum(call is not None for call in calls) > 120  # many files really took the Polars path


def test_irregular_files_fall_back_to_the_csv_module():
    assert read_regular_csv(b'a,b\n"x\ny",z\n', "f") is None  # quoted line break
    assert read_regular_csv(b"a,b\rx,y\r", "f") is None  # CR line ends
    assert read_regular_csv(b'a,b\nx"y,z\n', "f") is None  # quote inside an unquoted cell
    assert read_regular_csv("a\né\n".encode("cp1252"), "f") is None  # not UTF-8
    assert read_regular_csv(b"a,b\nx,y,z\n", "f") is None  # more cells than the header line
    assert read_regular_csv(b"a,b,,\nx,y,,z\n", "f") is None  # a value beyond the header
    assert read_regular_csv(b"a,b\nx,y\n", "f") is not None


def test_payload_encoder_and_decoder_match_json():
    rng = random.Random(3)
    alphabet = ["a", " ", ",", '"', "\\", "é", "😀", "\u2028", "\x7f", '", "', "\\u0001", "u0"]
    alphabet += [chr(code) for code in range(32)]
    headers = ["name", " Address ", 'qu"ote', "back\\slash", "ctl\x01", "ü"]
    rows = [
        ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in headers]
        for _ in range(5000)
    ]
    frame = pl.DataFrame({f"k{i}": [row[i] for row in rows] for i in range(len(headers))})
    payloads = frame.select(payload_expr(headers, frame.columns).alias("p"))["p"]
    assert payloads.to_list() == [
        json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False) for row in rows
    ]
    decoded = decode_payloads(payloads, headers)
    assert decoded is not None and decoded.rows() == [tuple(row) for row in rows]


@pytest.mark.parametrize("headers", [["a", "b", "c"], ["a", ", ", "c"]])
def test_a_cell_or_header_that_is_a_comma_separator_decodes_too(headers):
    rows = [[", ", ", ", '", "'], ["x", ", ", ""], ['", "', "\\", ", "]]
    payloads = pl.Series(
        [json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False) for row in rows]
    )
    decoded = decode_payloads(payloads, headers)
    assert decoded is not None and decoded.rows() == [tuple(row) for row in rows]
    assert decode_payloads(payloads.slice(1, 1), headers).rows() == [tuple(rows[1])]


@pytest.mark.parametrize(
    "payload",
    ['{"a":"b"}', '{"a": "b\\/"}', '{"a": "b", "c": "d"}', '{"c": "d"}', '{"a": "\\u00e9"}', '{"a": "x\ny"}'],
)
def test_non_canonical_payloads_are_not_decoded(payload):
    assert decode_payloads(pl.Series([payload]), ["a"]) is None


def test_whitespace_classes_equal_python_str_isspace():
    chars = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    series = pl.Series(chars)
    assert series.str.contains(WHITESPACE_RUN).to_list() == [char.isspace() for char in chars]
    assert series.str.contains(BLANK).to_list() == [not char.strip() for char in chars]


def test_vectorised_os_id_check_matches_is_valid_os_id():
    rng = random.Random(11)
    ids = [make_os_id(rng.choice(["CN", "BD", "VN"]), "2024123", "".join(rng.choices(CROCKFORD_BASE32, k=5)))]
    for _ in range(3000):
        valid = make_os_id(
            "TR",
            f"20{rng.randint(10, 26)}{rng.randint(1, 365):03d}",
            "".join(rng.choices(CROCKFORD_BASE32, k=5)),
        )
        position = rng.randrange(15)
        ids.append(
            valid if rng.random() < 0.5 else valid[:position] + rng.choice("0AIUZ9") + valid[position + 1 :]
        )
    got = pl.select(os_id_valid(pl.lit(pl.Series(ids)))).to_series().to_list()
    assert got == [is_valid_os_id(value) for value in ids]


def _assert_same(module, raw: pl.DataFrame) -> None:
    fast, rows = module.standardise(raw), module.standardise_rows(raw)
    assert_frame_equal(fast.tables["facility_records"], rows.tables["facility_records"])
    assert_frame_equal(fast.rejected, rows.rejected)
    assert fast.unknown_columns == rows.unknown_columns


FILES = [
    (oshub_download, ROOT / "tests/fixtures/oshub_download/os_hub_sample.csv"),
    (supplier_list, ROOT / "tests/fixtures/supplier_list/northwind_sample.csv"),
    (supplier_list, ROOT / "tests/fixtures/supplier_list/row_checks_sample.csv"),
    (oshub_download, BUNDLE / "oshub/os_hub_facilities_download.csv"),
    *[(supplier_list, path) for path in sorted((BUNDLE / "supplier_lists").iterdir())],
]


@pytest.mark.parametrize(("module", "path"), FILES, ids=[path.name for _, path in FILES])
def test_vectorised_staging_equals_the_row_path(module, path):
    raw = raw_frame(read_table_file(path), "load-1", "Contributor")
    assert module.standardise is not module.standardise_rows
    _assert_same(module, raw)


def test_several_files_and_loads_in_one_frame(fixtures, raw_of):
    lists = [fixtures / "supplier_list" / name for name in ("northwind_sample.csv", "row_checks_sample.csv")]
    raw = pl.concat(
        [
            raw_of(lists[0], load_id="a"),
            raw_of(lists[1], load_id="a"),
            raw_of(lists[0], load_id="b", contributor="C"),
        ]
    )
    _assert_same(supplier_list, raw)
    _assert_same(supplier_list, raw.reverse())


def test_generated_messy_download(tmp_path):
    rng = random.Random(5)
    header = [
        "os_id",
        "name",
        "address",
        "country_code",
        "lat",
        "lng",
        "number_of_workers",
        "sector",
        "is_closed",
        "x",
    ]
    values = {
        "os_id": ["CN2019303BQ3FZP", " cn2019303bq3fzp ", "CN2019303BQ3FZI", "bad", "", "=1"],
        "name": [
            "Example Mill",
            "  Example   Mill ",
            "N/A",
            "No. 5 Example Road, Town, Province",
            "-",
            "Ünï Çödé",
            "x" * 301,
        ],
        "address": ["1 Road", "", "a\nb", "é" * 601],
        "country_code": ["CN", "cn", "China", "N/A", "Atlantis", "", "TR"],
        "lat": ["22.5", "0", "-91", "abc", "", " 22.50 ", "1e1", "-0"],
        "lng": ["114.1", "0", "181", "", "-77.08", "+1"],
        "number_of_workers": ["", "1001-5000", "Less than 1000", "about 300", "5,000"],
        "sector": ["", "Apparel|Textiles", " | Apparel |", "|"],
        "is_closed": ["", "True", "false", "Maybe"],
        "x": ["", "+cmd|A", "note", "=2"],
    }
    rows = [header] + [[rng.choice(values[column]) for column in header] for _ in range(600)]
    rows += rows[1:40]  # duplicates
    path = tmp_path / "messy.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        import csv

        csv.writer(handle).writerows(rows)
    raw = raw_frame(read_table_file(path), "load-1", "OS Hub")
    _assert_same(oshub_download, raw)
    _assert_same(
        supplier_list, raw.with_columns(pl.col("payload").str.replace('"country_code"', '"country"'))
    )


def test_odd_raw_frames_take_the_row_path(fixtures, raw_of):
    raw = raw_of(fixtures / "supplier_list" / "northwind_sample.csv")
    compact = raw.with_columns(pl.col("payload").map_elements(lambda p: json.dumps(json.loads(p)), pl.String))
    _assert_same(supplier_list, compact)  # ensure_ascii payloads: decoded row by row
    _assert_same(supplier_list, raw.head(0))
    with pytest.raises(ValueError, match="lacks columns"):
        supplier_list.standardise(raw.drop("contributor"))
    clash = raw.with_columns(pl.col("payload").str.replace('"COUNTRY"', '"Country "'))
    clash = clash.with_columns(pl.col("payload").str.replace('"Address"', '"country"'))
    with pytest.raises(HeaderConflictError):
        supplier_list.standardise(clash)
    with pytest.raises(HeaderConflictError):
        supplier_list.standardise_rows(clash)
