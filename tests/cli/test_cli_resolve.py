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
