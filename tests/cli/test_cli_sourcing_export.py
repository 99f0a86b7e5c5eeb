"""`flrisk export`: only known published/resolved tables, formula-looking text neutralised, numbers kept."""

from __future__ import annotations

import duckdb
import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from cli.main import main

NASTY = ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "Plain Mill", "a=b"]


@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    frame = pl.DataFrame(  # noqa: F841 - registered with DuckDB by name below
        {
            "facility_id": [f"FLR-00000000000{i}" for i in range(len(NASTY))],
            "facility_name": NASTY,
            "risk_score": [-5.5, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            "contributors": [["=evil", "Brand A"]] * len(NASTY),
        }
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA published; CREATE SCHEMA staged")
        con.execute("CREATE TABLE published.facility_risk AS SELECT * FROM frame")
        con.execute("CREATE TABLE staged.worker_voice_grievances AS SELECT 1 AS case_key")
    return tmp_path


EXPECTED = ['\'=HYPERLINK("x")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rcmd", "Plain Mill", "a=b"]


def export(home, table, file_format):
    out = home / f"out.{file_format}"
    result = CliRunner().invoke(main, ["export", table, "--format", file_format, "--out", str(out)])
    return result, out


def test_csv_cells_are_neutralised_and_numbers_stay_numbers(warehouse):
    result, out = export(warehouse, "facility_risk", "csv")
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame["facility_name"].to_list() == EXPECTED
    assert frame["risk_score"].dtype == pl.Float64 and frame["risk_score"][0] == -5.5
    assert frame["contributors"][0] == "'=evil; Brand A"


def test_xlsx_cells_are_text_never_formulas(warehouse):
    result, out = export(warehouse, "published.facility_risk", "xlsx")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    names = [row[header.index("facility_name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [text.replace("\r", "\n") for text in EXPECTED]  # XML stores CR as a line end
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
        assert isinstance(row[header.index("risk_score")].value, (int, float))  # a number, not text


def test_parquet_keeps_types_and_neutralises_list_items(warehouse):
    result, out = export(warehouse, "facility_risk", "parquet")
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame["facility_name"].to_list() == EXPECTED
    assert frame["contributors"][0].to_list() == ["'=evil", "Brand A"]
    assert frame["risk_score"].dtype == pl.Float64


@pytest.mark.parametrize("table", ["staged.worker_voice_grievances", "published.nope", "raw.loads"])
def test_only_known_published_or_resolved_tables_are_exported(warehouse, table):
    result, out = export(warehouse, table, "csv")
    assert result.exit_code == 2 and "unknown table" in result.output
    assert not out.exists()
