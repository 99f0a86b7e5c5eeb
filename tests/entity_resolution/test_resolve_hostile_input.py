"""`flrisk resolve` against hostile and messy input files (real files, the real command).

The contract: every input record comes out in the output, or the run is refused with exit 2 and one
line that names the file, the row and the column (never a traceback, never an unexpected-error
report, never a half-written output). A valid-but-odd file resolves as its plain twin would.
"""

from __future__ import annotations

import codecs
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from cli.main import main
from entity_resolution.standalone_csv import _split_with_csv, _split_with_polars
from entity_resolution.standalone_input import read_input

HEADER = "record_id,name,address,country,lat,lng\n"
CHINESE = (
    HEADER + "1,江苏金帝服饰有限公司,盐城市长江路11号,CN,,\n"
    "2,江苏金帝服饰有限公司,盐城长江路11号,China,,\n3,东莞品质针织有限公司,常平镇,CN,,\n"
)
TAIWANESE = (
    HEADER + "1,臺灣紡織股份有限公司,臺北市中山區,TW,,\n"
    "2,臺灣紡織股份有限公司,臺北市中山區,Taiwan,,\n3,遠東新世紀股份有限公司,新北市,TW,,\n"
)
JAPANESE = (
    HEADER + "1,株式会社トヨタ紡織,愛知県刈谷市,JP,,\n2,株式会社トヨタ紡織,愛知県刈谷市,Japan,,\n"
    "3,東レ株式会社,東京都中央区,JP,,\n"
)
VIETNAMESE = (
    HEADER + "1,Công ty TNHH May Việt Tiến,Đường Lê Lợi,VN,,\n"
    "2,Cong ty TNHH May Viet Tien,Duong Le Loi,Viet Nam,,\n"
)
TURKISH = (
    HEADER + "1,Akçen Tekstil Konfeksiyon San. Tic. Ltd. Şti.,İstanbul Güngören,TR,,\n"
    "2,AKÇEN TEKSTİL KONFEKSİYON,İstanbul Güngören,Türkiye,,\n3,Öztürk Örme,Bursa,TUR,,\n"
)
SPANISH = (
    HEADER + "1,Confecciones Peña Niño S.A.,Calle Nuñez 5 Medellín,CO,,\n"
    "2,CONFECCIONES PENA NINO,Calle Nunez 5 Medellin,Colombia,,\n"
)
PLAIN = HEADER + "1,Song Hong Garment,Nam Dinh,VN,,\n2,Song Hong Garment JSC,Nam Dinh,VN,,\n"


def resolve(path: Path, *options: str):
    """(exit code, output text, {record_id: (facility_id, decision)} or None)."""
    out = path.parent / f"{path.name}.out.csv"
    result = CliRunner().invoke(main, ["resolve", str(path), "--out", str(out), *options])
    rows = None
    if out.exists():
        frame = pl.read_csv(out, infer_schema_length=0)
        assert frame.columns == ["record_id", "facility_id", "match_score", "decision"]
        rows = {r[0]: (r[1], r[3]) for r in frame.iter_rows()}
    return result.exit_code, result.output, rows


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def assert_refused(tmp_path: Path, name: str, data: str | bytes | None, *expected: str) -> str:
    """The run exits 2 with one line naming the file and each of `expected`, and writes nothing."""
    path = write(tmp_path, name, data) if data is not None else tmp_path / name
    code, output, rows = resolve(path)
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1 and "Traceback" not in output, output
    assert output.startswith(f"error: {path}"), output
    for part in expected:
        assert part in output, output
    assert rows is None and not list(tmp_path.glob("*.tmp")), "a refused run writes nothing"
    return output


def assert_merged(rows: dict, together: tuple[str, ...], apart: tuple[str, ...] = ()) -> None:
    assert len({rows[r][0] for r in together}) == 1, rows
    assert all(rows[r][0] != rows[together[0]][0] for r in apart), rows


# --- encodings -----------------------------------------------------------------------------------

LEGACY = [
    ("gbk", CHINESE),
    ("gb18030", CHINESE),
    ("big5", TAIWANESE),
    ("shift_jis", JAPANESE),
    ("cp1252", SPANISH),
    ("latin-1", SPANISH),
    ("cp1254", TURKISH),
]


@pytest.mark.parametrize(("encoding", "text"), LEGACY, ids=[e for e, _ in LEGACY])
def test_legacy_encodings_are_detected_and_read_as_written(tmp_path, encoding, text):
    code, output, rows = resolve(write(tmp_path, f"{encoding}.csv", text.encode(encoding)))
    assert code == 0, output
    assert_merged(rows, ("1", "2"), ("3",) if "3" in rows else ())


UTF16 = [
    (f"{order}-{bom}-{label}", order, bom, text)
    for order in ("utf-16-le", "utf-16-be")
    for bom in ("bom", "nobom")
    for label, text in (("zh", CHINESE), ("vi", VIETNAMESE), ("tr", TURKISH), ("ascii", PLAIN))
]


@pytest.mark.parametrize(("case", "order", "bom", "text"), UTF16, ids=[c[0] for c in UTF16])
def test_utf16_either_byte_order_with_or_without_bom(tmp_path, case, order, bom, text):
    mark = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[order]
    data = (mark if bom == "bom" else b"") + text.encode(order)
    code, output, rows = resolve(write(tmp_path, f"{case}.csv", data))
    assert code == 0, output  # ASCII-only UTF-16 without BOM was read as NUL-ridden UTF-8 and refused
    assert_merged(rows, ("1", "2"))


def test_utf8_with_bom_and_a_declared_encoding(tmp_path):
    code, output, rows = resolve(write(tmp_path, "bom.csv", codecs.BOM_UTF8 + VIETNAMESE.encode()))
    assert code == 0 and set(rows) == {"1", "2"}, output
    declared = write(tmp_path, "gbk.csv", CHINESE.encode("gbk"))
    code, output, rows = resolve(declared, "--encoding", "gbk")
    assert code == 0 and rows["1"][0] == rows["2"][0], output


def test_bytes_that_are_no_text_are_refused_naming_row_and_column(tmp_path):
    assert_refused(tmp_path, "random.csv", bytes(range(128, 256)) * 20, "row 1, column 1", "cannot decode")


# --- line ends, quoting, ragged rows -------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\r\n", "\r", "mixed", "none"])
def test_any_line_end_is_read(tmp_path, ending):
    lines = VIETNAMESE.splitlines()
    if ending == "mixed":
        text = lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n"
    elif ending == "none":
        text = "\n".join(lines)
    else:
        text = ending.join(lines) + ending
    code, output, rows = resolve(write(tmp_path, "ends.csv", text))
    assert code == 0, output  # a CR-only file was refused as "missing column(s) lng", mixed ends crashed
    assert_merged(rows, ("1", "2"))


def test_a_lone_cr_file_names_the_right_row(tmp_path):
    text = (HEADER + "1,A Garment,x,VN,,\n2,,y,VN,,\n").replace("\n", "\r")
    assert_refused(tmp_path, "cr.csv", text, "row 3: column name is empty")


def test_quoted_cells_with_line_breaks_separators_and_doubled_quotes(tmp_path):
    text = (
        HEADER + '1,"Alpha\nGarments, ""Best"" Co","Lot 5,\r\nRoad 3",VN,,\n'
        '2,"Alpha Garments ""Best"" Co",x,VN,,\n3,,y,VN,,\n'
    )
    path = write(tmp_path, "quoted.csv", text)
    assert_refused(tmp_path, "quoted.csv", text, "row 4: column name is empty")  # record, not line, 4
    path.write_text(text.replace("3,,y", "3,Gamma,y"), encoding="utf-8")
    frame = read_input(path)
    assert frame["name"][0] == 'Alpha\nGarments, "Best" Co' and frame["address"][0] == "Lot 5,\r\nRoad 3"
    code, output, rows = resolve(path)
    assert code == 0 and set(rows) == {"1", "2", "3"}, output


def test_an_unclosed_quote_is_refused_where_it_opens_instead_of_swallowing_records(tmp_path):
    text = HEADER + '1,A Garment,x,VN,,\n2,"Alpha Garments,x,VN,,\n3,Beta,y,VN,,\n4,Gamma,z,VN,,\n'
    assert_refused(tmp_path, "unclosed.csv", text, "row 3, column 2", "never closes")
    text = HEADER + '1,"Alpha" Garments,x,VN,,\n'
    assert_refused(tmp_path, "after_quote.csv", text, "row 2, column 2", "closing quote")


def test_a_stray_quote_closed_records_later_is_refused_instead_of_joining_records(tmp_path):
    text = HEADER + '1,"Alpha,x,VN,,\n2,Beta,y,VN,,\n3,Pipe 12",z,VN,,\n4,Gamma,w,VN,,\n'
    assert_refused(tmp_path, "joined.csv", text, "row 2, column 2", "lines that look like records")
    path = write(tmp_path, "joined.tsv", text.replace(",", "\t"))
    assert read_input(path)["name"].to_list() == ['"Alpha', "Beta", 'Pipe 12"', "Gamma"]
    address = HEADER + '1,Alpha,"Lot A1, Road 2\nKCN Tan Tao, Binh Tan, HCMC, Ward 5, Vietnam",VN,,\n'
    code, output, rows = resolve(write(tmp_path, "address.csv", address))  # free text may hold commas
    assert code == 0 and set(rows) == {"1"}, output


def test_a_quote_inside_an_unquoted_cell_is_kept_as_written(tmp_path):
    path = write(tmp_path, "inch.csv", HEADER + '1,Alpha 12" Garments,x,VN,,\n2,Beta,y,VN,,\n')
    assert read_input(path)["name"].to_list() == ['Alpha 12" Garments', "Beta"]
    assert resolve(path)[0] == 0


def test_a_tab_separated_export_with_plain_quotes_is_read_as_written(tmp_path):
    text = HEADER.replace(",", "\t") + '1\t"Best" Garments\tx\tVN\t\t\n2\t"Best" Garments\tx\tVN\t\t\n'
    path = write(tmp_path, "plain_quotes.tsv", text)
    assert read_input(path)["name"].to_list() == ['"Best" Garments'] * 2
    code, output, rows = resolve(path)
    assert code == 0 and rows["1"][0] == rows["2"][0], output
    assert_refused(tmp_path, "comma.csv", text.replace("\t", ","), "row 2, column 2", "closing quote")


def test_ragged_rows(tmp_path):
    assert_refused(
        tmp_path, "wide.csv", HEADER + "1,A,x,VN,,\n2,B,y,VN,,,extra\n", "row 3, column 7", "'extra'"
    )
    code, output, rows = resolve(write(tmp_path, "empty_extra.csv", HEADER + "1,A,x,VN,,,,\n2,B,y,VN,,\n"))
    assert code == 0 and set(rows) == {"1", "2"}, output  # Excel's trailing empty cells were refused
    code, output, rows = resolve(write(tmp_path, "short.csv", HEADER + "1,A,x,VN\n2,B,y,VN,,\n"))
    assert code == 0 and set(rows) == {"1", "2"}, output
    assert_refused(tmp_path, "very_short.csv", HEADER + "1,A\n", "row 2: column country is empty")


def test_polars_and_the_csv_module_split_alike(tmp_path):
    """The fast route, whenever it accepts a text, gives exactly the csv module's cells."""
    texts = [
        HEADER + "1,A,x,VN,,\n\n2,B,,VN,1.5,2\n",
        HEADER + '1,"A, B",x,VN,,\r\n2,"say ""hi""",y,VN,,\r\n',
        HEADER + "1,A,x,VN\n2,B,y,VN,,\n",
        HEADER + "1,A,  padded  ,VN,,\n   \n",
        HEADER.replace(",", ";") + "1;A, B;x;VN;12,5;\n",
        HEADER + '1,Alpha 12" Garments,x,VN,,\n',
        HEADER + "1,A\tB,x,VN,,",
    ]
    checked = 0
    for text in texts:
        separator = ";" if text.startswith("record_id;") else ","
        fast = _split_with_polars(text, separator)
        header, cells, _rows = _split_with_csv(text, separator, 0)
        if fast is not None:
            checked += 1
            assert fast[0] == header and fast[1].equals(cells), text
    assert checked >= 5


# --- record ids, names, invisible characters -----------------------------------------------------


def test_repeated_record_ids_are_refused_naming_both_rows(tmp_path):
    text = HEADER + "1,A,x,VN,,\n2,B,y,VN,,\n1,C,z,VN,,\n"
    assert_refused(
        tmp_path, "twice.csv", text, "row 4: column record_id: '1' appears more than once (also row 2)"
    )


def test_record_ids_are_kept_exactly_as_written(tmp_path):
    path = write(tmp_path, "ids.csv", HEADER + "001,A,x,VN,,\n1,B,y,VN,,\n 1 ,C,z,VN,,\n1.0,D,w,VN,,\n")
    code, output, rows = resolve(path)
    assert code == 0 and set(rows) == {"001", "1", " 1 ", "1.0"}, output


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (",A,x,VN,,", "record_id"),
        ("1,   ,x,VN,,", "name"),
        ("1,\u200b\u00a0,x,VN,,", "name"),
        ("1,A,x,,,", "country"),
    ],
)
def test_empty_required_cells_are_refused(tmp_path, row, column):
    assert_refused(tmp_path, "empty_cell.csv", HEADER + row + "\n", f"row 2: column {column} is empty")


def test_nul_characters_are_refused_naming_row_and_column(tmp_path):
    assert_refused(tmp_path, "nul.csv", HEADER + "1,A\x00B,x,VN,,\n", "row 2: column name: NUL character")
    assert_refused(
        tmp_path, "nul_header.csv", "rec\x00ord_id" + HEADER[9:] + "1,A,x,VN,,\n", "row 1, character 4"
    )


def test_invisible_and_full_width_characters_in_names_and_headers(tmp_path):
    text = (
        "\ufeffｒｅｃｏｒｄ＿ｉｄ,\u200bName,Address\u00a0,Country,ＬＡＴ,lng\u200b\n"
        "1,Viet\u200bTien Garment,x,VN,,\n2,Viet Tien\u00a0Garment,x,VN,,\n"
        "3,\uff36\uff49\uff45\uff54 \uff34\uff49\uff45\uff4e Garment,x,VN,,\n"
    )
    code, output, rows = resolve(write(tmp_path, "invisible.csv", text))
    assert code == 0, output  # these headers were refused as missing columns
    assert_merged(rows, ("1", "2", "3"))


def test_emoji_right_to_left_and_punctuation_only_names_come_out(tmp_path):
    text = (
        HEADER + "1,🧵 Thread Co 🧵,📍x,VN,,\n2,👨‍👩‍👧,z,🇻🇳,,\n3,مصنع النسيج المصري,القاهرة,EG,,\n"
        '4,\u202eA Garment\u202c,x,مصر,,\n5,...,x,VN,,\n6,"Co., Ltd.",x,VN,,\n7,&,z,VN,,\n8,(),z,VN,,\n'
    )
    code, output, rows = resolve(write(tmp_path, "odd_names.csv", text))
    assert code == 0 and set(rows) == {str(i) for i in range(1, 9)}, output


def test_very_long_names_and_addresses(tmp_path):
    name, address = "A" * 100_000, "Road " * 40_000
    text = HEADER + f'1,{name},{address},VN,,\n2,"{name}","{address}\nline 2",VN,,\n3,Short,x,VN,,\n'
    code, output, rows = resolve(write(tmp_path, "long.csv", text))  # the csv-module route: field limit
    assert code == 0 and set(rows) == {"1", "2", "3"}, output


# --- coordinates and countries -------------------------------------------------------------------


def test_coordinates_written_the_ways_people_write_them(tmp_path):
    text = (
        "record_id;name;address;country;lat;lng\n1;A;x;VN;12,5;106,7\n2;B;x;VN; +10.8 ;106.7° E\n"
        "3;C;x;BR;23.5 S;46.6W\n4;D;x;VN;106.7;10.8\n5;E;x;VN;NaN;inf\n6;F;x;VN;200;500\n7;G;x;VN;;\n"
        "8;H;x;BR;\u221223.5;\uff0d\uff14\uff16.\uff16\n"
    )
    path = write(tmp_path, "coordinates.csv", text)
    frame = read_input(path)
    assert frame.select("lat", "lng").rows() == [
        (12.5, 106.7),
        (10.8, 106.7),
        (-23.5, -46.6),
        (10.8, 106.7),  # swapped: a lat outside ±90 with a lng inside it
        (None, None),
        (200.0, 500.0),  # out of range: kept here, ignored by resolution
        (None, None),
        (-23.5, -46.6),  # a typographic minus, full-width digits
    ]
    code, output, rows = resolve(path)
    assert code == 0 and len(rows) == 8, output


def test_what_exports_write_for_no_value_reads_as_missing(tmp_path):
    text = (
        HEADER + "1,A,NULL,VN,NULL,None\n2,B,n/a,VN,#N/A,-\n3,C,  - ,VN,#VALUE!,n/a\n4,D,Nam Dinh,VN,nan,\n"
    )
    frame = read_input(write(tmp_path, "nulls.csv", text))  # "NULL" was "not a number": the file was refused
    assert frame["address"].to_list() == [None, None, None, "Nam Dinh"]
    assert frame.select("lat", "lng").rows() == [(None, None)] * 4


@pytest.mark.parametrize("value", ["north", "0x10", "N 10 S", "10.8.1", "1,234.5"])
def test_coordinates_that_are_not_numbers_are_refused(tmp_path, value):
    assert_refused(
        tmp_path, "lat.csv", HEADER + f'1,A,x,VN,"{value}",\n', "row 2: column lat is not a number"
    )


def test_countries_as_codes_names_in_many_languages_flags_or_unknown(tmp_path):
    countries = ["VNM", "Vietnam", "Việt Nam", "越南", "vn", "  viet nam  ", "\U0001f1fb\U0001f1f3"]
    text = HEADER + "".join(f"{i},A Garment,x,{c},,\n" for i, c in enumerate(countries, 1))
    text += "8,A Garment,x,Narnia,,\n9,A Garment,x,Deutschland,,\n"
    code, output, rows = resolve(write(tmp_path, "countries.csv", text))
    assert code == 0, output
    assert_merged(rows, tuple(str(i) for i in range(1, 8)), ("8", "9"))


# --- empty, odd and wrong files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("zero.csv", b""),
        ("blank.csv", b"\n\n   \n"),
        ("bom.csv", codecs.BOM_UTF8),
        ("utf16_bom.csv", codecs.BOM_UTF16_LE),
        ("zero.xlsx", b""),
        ("zero.parquet", b""),
    ],
)
def test_empty_files_are_refused(tmp_path, name, data):
    assert_refused(tmp_path, name, data, "row 1", "empty")


def test_a_header_only_file_gives_an_empty_output(tmp_path):
    for name, data in (("header.csv", HEADER), ("header_no_newline.csv", HEADER.strip())):
        code, output, rows = resolve(write(tmp_path, name, data))
        assert code == 0 and rows == {}, output
    empty = tmp_path / "empty.parquet"
    pl.DataFrame(schema={c: pl.String for c in HEADER.strip().split(",")}).write_parquet(empty)
    code, output, rows = resolve(empty)
    assert code == 0 and rows == {}, output


def test_leading_blank_lines_and_an_excel_sep_line_are_skipped_and_counted(tmp_path):
    text = "\n\nsep=;\n" + HEADER.replace(",", ";") + "1;A Garment;x;VN;;\n2;;y;VN;;\n"
    assert_refused(tmp_path, "sep.csv", text, "row 6: column name is empty")
    code, output, rows = resolve(write(tmp_path, "sep.csv", text.replace("2;;y", "2;A Garment;y")))
    assert code == 0 and set(rows) == {"1", "2"}, output


def test_a_title_above_the_header_is_skipped_and_a_repeated_header_refused(tmp_path):
    text = "Supplier list 2024,,,,,\nExported by ERP\n" + HEADER + "1,A Garment,x,VN,,\n2,,y,VN,,\n"
    assert_refused(tmp_path, "title.csv", text, "row 5: column name is empty")
    code, output, rows = resolve(write(tmp_path, "title.csv", text.replace("2,,y", "2,B Garment,y")))
    assert code == 0 and set(rows) == {"1", "2"}, output
    joined = HEADER + "1,A,x,VN,,\n" + HEADER + "2,B,y,VN,,\n"
    assert_refused(tmp_path, "joined.csv", joined, "row 3: the row repeats the header")


def test_an_unknown_or_wrong_encoding_given_is_refused_in_one_line(tmp_path):
    path = write(tmp_path, "plain.csv", CHINESE)
    for encoding, expected in (("bogus", "unknown encoding 'bogus'"), ("ascii", "cannot decode byte")):
        result = CliRunner().invoke(
            main, ["resolve", str(path), "--out", str(tmp_path / "o.csv"), "--encoding", encoding]
        )
        assert result.exit_code == 2 and expected in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_headers_that_do_not_fit_are_refused_naming_what_was_found(tmp_path):
    assert_refused(
        tmp_path, "garbage.csv", "foo,bar\n1,2\n", "row 1: missing column(s) record_id", "found: 'foo, bar'"
    )
    text = "record_id,name,name,address,country,lat,lng\n1,A,B,x,VN,,\n"
    assert_refused(
        tmp_path, "two_names.csv", text, "columns 'name', 'name' all read as name", "(columns 2 and 3)"
    )


def test_a_binary_first_line_and_a_huge_sparse_file_are_refused_before_splitting(tmp_path):
    zeros = tmp_path / "zeros.csv"
    with zeros.open("wb") as handle:
        handle.truncate(5_000_000)  # read as one 5-million-character header: was an unexpected error
    assert_refused(tmp_path, "zeros.csv", None, "row 1, character 1: NUL character")
    sparse = tmp_path / "sparse.csv"
    with sparse.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(3 * 2**30)  # no disk used; it would have been read whole into memory
    assert_refused(tmp_path, "sparse.csv", None, "the file is 3.0 GiB", "split it")


def test_paths_that_are_not_files(tmp_path):
    assert_refused(tmp_path, "missing.csv", None, "no such file")
    (tmp_path / "folder.csv").mkdir()
    assert_refused(tmp_path, "folder.csv", None, "not a regular file (a directory)")
    os.mkfifo(tmp_path / "pipe.csv")  # reading it would block forever
    assert_refused(tmp_path, "pipe.csv", None, "not a regular file")


def _workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_files_whose_content_is_not_what_their_name_says(tmp_path):
    workbook = _workbook(
        [HEADER.strip().split(","), [1, "A Garment", "x", "VN"], [2, "A Garment", "x", "VN"]]
    )
    code, output, rows = resolve(write(tmp_path, "workbook.csv", workbook))
    assert code == 0 and set(rows) == {"1", "2"}, output  # was "cannot decode" at row 1, column 11
    code, output, rows = resolve(write(tmp_path, "text.xlsx", PLAIN))
    assert code == 0 and set(rows) == {"1", "2"}, output
    assert_refused(
        tmp_path, "junk.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "row 1: not a readable XLSX"
    )
    assert_refused(
        tmp_path, "old.xls.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "Excel 97-2003"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", PLAIN)
    assert_refused(tmp_path, "archive.csv", buffer.getvalue(), "row 1", "not a readable XLSX workbook")
    assert_refused(tmp_path, "junk.parquet", b"PAR1garbagePAR1", "not a readable Parquet file")


def test_a_workbook_formula_without_a_saved_value_is_named(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for row in (HEADER.strip().split(","), [1, "A Garment", "x", "VN"], [2, "=CONCAT(1,2)", "y", "VN"]):
        book.active.append(row)
    book.save(tmp_path / "formula.xlsx")  # openpyxl saves no computed value, as Excel would
    assert_refused(tmp_path, "formula.xlsx", None, "row 3: column name is empty")


def test_merged_workbook_cells_read_as_they_show(tmp_path):
    """A country merged over three factory rows is each row's country (it was refused as empty); an
    address merged across address and country gives the country too; a blank row inside a merged
    range stays skipped and counted."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (
        HEADER.strip().split(","),
        [1, "Song Hong Garment", "Nam Dinh", "Viet Nam"],
        [2, "Song Hong Garment JSC", "Nam Dinh", None],
        [None, None, None, None],
        [3, "Hanoi Knit", "Ha Noi", None],
        [4, "Dhaka Denim", "BD", None],
    ):
        sheet.append(row)
    sheet.merge_cells("D2:D5")
    sheet.merge_cells("C6:D6")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    frame = read_input(path)
    assert frame["country"].to_list() == ["Viet Nam", "Viet Nam", "Viet Nam", "BD"]
    code, output, rows = resolve(path)
    assert code == 0, output
    assert_merged(rows, ("1", "2"), ("3", "4"))
    sheet.append([5, None, "x", "VN"])
    sheet.merge_cells("B7:B8")  # a merge with an empty top-left cell fills nothing
    sheet.append([6, None, "y", "VN"])
    book.save(tmp_path / "empty_anchor.xlsx")
    assert_refused(tmp_path, "empty_anchor.xlsx", None, "row 7: column name is empty")


# --- Parquet with the wrong types ----------------------------------------------------------------


def test_parquet_columns_of_other_types(tmp_path):
    path = tmp_path / "types.parquet"
    pl.DataFrame(
        {
            "Record ID": [1, 2, 3],
            "name": pl.Series(["A Garment", "A Garment", "B"]).cast(pl.Categorical),
            "address": ["x", "x", None],
            "country": ["VN", "VN", "VN"],
            "lat": ["10.5", "10,5", None],
            "lng": pl.Series([106.1, 106.1, float("nan")]).cast(pl.Decimal(10, 2), strict=False),
        }
    ).write_parquet(path)
    frame = read_input(path)
    assert frame["record_id"].to_list() == ["1", "2", "3"] and frame["lat"].to_list() == [10.5, 10.5, None]
    code, output, rows = resolve(path)
    assert code == 0 and rows["1"][0] == rows["2"][0], output


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("name", [["A"]], "column name: holds List(String) values; expected text"),
        ("name", [{"a": 1}], "column name: holds Struct"),
        ("address", [b"x"], "column address: holds Binary values"),
        ("lat", [True], "column lat: holds Boolean values; expected numbers or text"),
        ("record_id", [None], "row 2: column record_id is empty"),
    ],
)
def test_parquet_columns_that_cannot_be_read_are_refused(tmp_path, column, values, expected):
    data = {
        "record_id": ["1"],
        "name": ["A"],
        "address": ["x"],
        "country": ["VN"],
        "lat": [1.0],
        "lng": [2.0],
    }
    path = tmp_path / "bad.parquet"
    pl.DataFrame(data | {column: values}).write_parquet(path)
    assert_refused(tmp_path, "bad.parquet", None, expected)  # a list column was an unexpected error


def test_parquet_repeated_ids_are_refused_naming_both_rows(tmp_path):
    path = tmp_path / "twice.parquet"
    pl.DataFrame(
        {
            "record_id": ["a", "b", "a"],
            "name": ["A", "B", "C"],
            "address": [None] * 3,
            "country": ["VN"] * 3,
            "lat": [None] * 3,
            "lng": [None] * 3,
        }
    ).write_parquet(path)
    assert_refused(
        tmp_path, "twice.parquet", None, "row 4: column record_id: 'a' appears more than once (also row 2)"
    )


# --- the output ----------------------------------------------------------------------------------


def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path):
    source = write(tmp_path, "in.csv", PLAIN)
    (tmp_path / "taken.csv").mkdir()
    for out, expected in (
        (tmp_path / "no" / "such" / "out.csv", "does not exist"),
        (tmp_path / "taken.csv", "is a directory"),
        (tmp_path / "out.txt", "must end in .csv or .parquet"),
        (source, "would overwrite the input"),
    ):
        result = CliRunner().invoke(main, ["resolve", str(source), "--out", str(out)])
        assert result.exit_code == 2 and expected in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1 and "unexpected" not in result.output
    assert source.read_text(encoding="utf-8") == PLAIN


def test_the_real_command_refuses_in_one_line_and_resolves_many_identical_names(tmp_path):
    """The console script itself (not the click runner): a refusal, then 50,000 records of one name
    (every record comes out, in one facility; time and memory are measured outside the tests)."""
    flrisk = Path(sys.executable).parent / "flrisk"
    bad = write(tmp_path, "bad.csv", HEADER + '1,"A,x,VN,,\n')
    done = subprocess.run(
        [flrisk, "resolve", bad, "--out", tmp_path / "o.csv"], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "row 2, column 2" in done.stderr
    many = write(
        tmp_path,
        "many.csv",
        HEADER + "".join(f"{i},Golden Empire Apparel Co Ltd,Yancheng,CN,,\n" for i in range(50_000)),
    )
    out = tmp_path / "many.parquet"
    done = subprocess.run([flrisk, "resolve", many, "--out", out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    frame = pl.read_parquet(out)
    assert frame.height == 50_000 and frame["record_id"].n_unique() == 50_000
    assert frame["facility_id"].n_unique() == 1
