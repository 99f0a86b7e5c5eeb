"""`flrisk resolve INPUT --out OUTPUT`: the interface evaluation harnesses use as-is."""

from __future__ import annotations

import polars as pl
from click.testing import CliRunner

from cli.main import main

INPUT = (
    "record_id,name,address,country,lat,lng,extra\n"
    "1,Jiangsu Golden Empire Apparel Co Ltd,11 Changjiang Road Yancheng,China,,,x\n"
    "2,JIANGSU GOLDEN EMPIRE APPAREL COMPANY LIMITED,11 Changjiang Rd Yancheng,CN,,,y\n"
    "3,Song Hong Garment JSC,105 Nguyen Duc Thuan Nam Dinh,Viet Nam,20.42,106.17,z\n"
)


def test_resolve_writes_one_row_per_record_in_csv_and_parquet(tmp_path):
    source = tmp_path / "records.csv"
    source.write_text(INPUT, encoding="utf-8")
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"facilities.{suffix}"
        result = CliRunner().invoke(main, ["resolve", str(source), "--out", str(out)])
        assert result.exit_code == 0, result.output
        frame = pl.read_csv(out) if suffix == "csv" else pl.read_parquet(out)
        assert frame.columns == ["record_id", "facility_id", "match_score", "decision"]
        rows = {str(r["record_id"]): r for r in frame.iter_rows(named=True)}
        assert set(rows) == {"1", "2", "3"}
        assert rows["1"]["facility_id"] == rows["2"]["facility_id"] != rows["3"]["facility_id"]
        assert rows["1"]["decision"] == "auto" and rows["3"]["decision"] == "new"
        assert all(0 <= r["match_score"] <= 1 for r in rows.values())


def test_resolve_accepts_parquet_input(tmp_path):
    source = tmp_path / "records.parquet"
    pl.read_csv(INPUT.encode(), infer_schema_length=0).write_parquet(source)
    result = CliRunner().invoke(main, ["resolve", str(source), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output


def test_malformed_input_fails_clearly(tmp_path):
    missing = tmp_path / "missing_country.csv"
    missing.write_text("record_id,name,address,lat,lng\n1,A,B,,\n", encoding="utf-8")
    bad_lat = tmp_path / "bad_lat.csv"
    bad_lat.write_text("record_id,name,address,country,lat,lng\n1,A,B,CN,north,\n", encoding="utf-8")
    duplicated = tmp_path / "duplicated.csv"
    duplicated.write_text(
        "record_id,name,address,country,lat,lng\n1,A,B,CN,,\n1,C,D,CN,,\n", encoding="utf-8"
    )
    for path, expected in (
        (missing, "missing column(s) country"),
        (bad_lat, "row 2: column lat"),
        (duplicated, "appears more than once"),
        (tmp_path / "absent.csv", "no such file"),
    ):
        result = CliRunner().invoke(main, ["resolve", str(path), "--out", str(tmp_path / "out.csv")])
        assert result.exit_code != 0
        assert expected in result.output, result.output


def _resolved(tmp_path, source, *options: str) -> dict[str, str]:
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["resolve", str(source), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return dict(pl.read_csv(out, infer_schema_length=0).select("record_id", "facility_id").iter_rows())


ACCENTED = (
    "record_id,name,address,country,lat,lng\n"
    "1,Confecciones Peña Niño S.A.,Calle Nuñez 5 Medellín,CO,,\n"
    "2,CONFECCIONES PENA NINO,Calle Nunez 5 Medellin,Colombia,,\n"
)


def test_csv_in_utf16_cp1252_or_with_a_bom_is_read_as_written(tmp_path):
    for encoding in ("utf-16", "cp1252", "utf-8-sig"):
        source = tmp_path / f"{encoding}.csv"
        source.write_bytes(ACCENTED.encode(encoding))
        ids = _resolved(tmp_path, source)
        assert ids["1"] == ids["2"], encoding


def test_an_encoding_can_be_given_and_a_wrong_one_is_refused_clearly(tmp_path):
    source = tmp_path / "cp1252.csv"
    source.write_bytes(ACCENTED.encode("cp1252"))
    assert len(set(_resolved(tmp_path, source, "--encoding", "cp1252").values())) == 1
    result = CliRunner().invoke(
        main, ["resolve", str(source), "--out", str(tmp_path / "o.csv"), "--encoding", "utf-8"]
    )
    assert result.exit_code == 2 and "cp1252.csv: row 1" in result.output and "Traceback" not in result.output


def test_semicolon_and_tab_separated_files_are_read(tmp_path):
    for name, separator in (("semicolon", ";"), ("tab", "\t")):
        source = tmp_path / (f"{name}.tsv" if separator == "\t" else f"{name}.csv")
        source.write_text(ACCENTED.replace(",", separator).replace("S.A.", "SA"), encoding="utf-8")
        ids = _resolved(tmp_path, source)
        assert set(ids) == {"1", "2"} and ids["1"] == ids["2"], name


def test_an_empty_or_unreadable_file_gets_one_clear_line(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    not_parquet = tmp_path / "broken.parquet"
    not_parquet.write_text("not parquet", encoding="utf-8")
    for path, expected in (
        (empty, "empty.csv: row 1: the file is empty"),
        (not_parquet, "not a readable Parquet"),
    ):
        result = CliRunner().invoke(main, ["resolve", str(path), "--out", str(tmp_path / "out.csv")])
        assert result.exit_code == 2, result.output
        assert expected in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_an_xlsx_workbook_with_loosely_written_headers_is_read(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Record ID", " NAME ", "Address", "Country", "Lat", "LNG"])
    sheet.append([1, "Confecciones Peña Niño S.A.", "Calle Nuñez 5 Medellín", "CO", 6.25, -75.56])
    sheet.append([None, None, None, None, None, None])  # a blank row: skipped, rows still counted
    sheet.append([2, "CONFECCIONES PENA NINO", "Calle Nunez 5 Medellin", "Colombia", None, None])
    source = tmp_path / "records.xlsx"
    book.save(source)
    ids = _resolved(tmp_path, source)
    assert set(ids) == {"1", "2"} and ids["1"] == ids["2"]
    sheet.append([3, "Textiles Andinos", "Carrera 7", "", None, None])
    book.save(source)
    result = CliRunner().invoke(main, ["resolve", str(source), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "records.xlsx: row 5: column country is empty" in result.output


def test_csv_headers_are_matched_whatever_their_case_and_spacing(tmp_path):
    source = tmp_path / "upper.csv"
    source.write_text(
        ACCENTED.replace(
            "record_id,name,address,country,lat,lng", "Record_ID, Name ,ADDRESS,Country,Lat,Lng"
        ),
        encoding="utf-8",
    )
    ids = _resolved(tmp_path, source)
    assert ids["1"] == ids["2"]


def test_blank_rows_are_skipped_and_look_alike_headers_without_an_exact_one_are_refused(tmp_path):
    blank_rows = tmp_path / "blank_rows.csv"
    blank_rows.write_text(ACCENTED + ",,,,,\n" + "3,,Calle 9,CO,,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["resolve", str(blank_rows), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "blank_rows.csv: row 5: column name is empty" in result.output
    blank_rows.write_text(ACCENTED + ",,,,,\n", encoding="utf-8")
    assert set(_resolved(tmp_path, blank_rows)) == {"1", "2"}
    twice = _with_second_name_column(tmp_path / "twice.csv", "Name,name ")
    result = CliRunner().invoke(main, ["resolve", str(twice), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "'Name', 'name ' all read as name; keep one" in result.output
    exact = _with_second_name_column(tmp_path / "exact.csv", "name,NAME")
    assert set(_resolved(tmp_path, exact)) == {"1", "2"}


def _with_second_name_column(path, headers: str):
    """ACCENTED with two name columns headed `headers` (the second holding other text)."""
    text = ACCENTED.replace("record_id,name,", f"record_id,{headers},")
    path.write_text(text.replace("S.A.,", "S.A.,x,").replace("NINO,", "NINO,y,"), encoding="utf-8")
    return path
