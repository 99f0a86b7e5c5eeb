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


@pytest.mark.parametrize(
    "table",
    ["staged.worker_voice_grievances", "published.nope", "raw.loads", "resolved.match_index_keys"],
)
def test_only_known_published_or_resolved_tables_are_exported(warehouse, table):
    result, out = export(warehouse, table, "csv")
    assert result.exit_code == 2 and "unknown table" in result.output
    assert not out.exists()


# Issue 19: the format follows the extension, --brand keeps one brand's rows, XLSX has a frozen
# header and an autofilter. Through the real `flrisk` command, in a subprocess.


@pytest.fixture()
def brands_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    risk = pl.DataFrame(  # noqa: F841 - registered with DuckDB by name below
        {
            "facility_id": ["FLR-000000000001", "FLR-000000000002", "FLR-000000000003"],
            "facility_name": ["North Mill", "Shared Mill", "Verde Mill"],
            "risk_score": [80.0, 50.0, 20.0],
            "contributors": [
                ["Northwind Apparel"],
                ["Northwind Apparel", "Casa Verde Home"],
                ["Casa Verde Home"],
            ],
        }
    )
    drivers = pl.DataFrame(  # noqa: F841
        {
            "driver_id": ["d1", "d2", "d3"],
            "facility_id": ["FLR-000000000001", "FLR-000000000003", "FLR-000000000003"],
        }
    )
    exposure = pl.DataFrame(  # noqa: F841
        {"contributor": ["Northwind Apparel", "Casa Verde Home"], "facility_count": [2, 2]}
    )
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA published")
        con.execute("CREATE TABLE published.facility_risk AS SELECT * FROM risk")
        con.execute("CREATE TABLE published.facility_risk_drivers AS SELECT * FROM drivers")
        con.execute("CREATE TABLE published.brand_exposure AS SELECT * FROM exposure")
        con.execute("CREATE TABLE published.country_commodity_risk AS SELECT 'CN' AS country_code")
    return home


def _flrisk(home, *args):
    from tests.pipelines.operations_support import run_flrisk

    return run_flrisk(home, *args, timeout=120)


def test_the_format_follows_the_extension_and_xlsx_has_a_frozen_filtered_header(brands_home, tmp_path):
    out = tmp_path / "risk.xlsx"
    done = _flrisk(brands_home, "export", "facility_risk", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "(xlsx)" in done.stdout
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "facility_risk"  # named after the table, not "export"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert [cell.value for cell in sheet[1]] == ["facility_id", "facility_name", "risk_score", "contributors"]
    for suffix, reader in ((".csv", pl.read_csv), (".parquet", pl.read_parquet)):
        target = tmp_path / f"risk{suffix}"
        assert _flrisk(brands_home, "export", "facility_risk", "--out", str(target)).returncode == 0
        assert reader(target).height == 3


def test_format_overrides_the_extension_and_an_unknown_extension_is_refused(brands_home, tmp_path):
    odd = tmp_path / "risk.data"
    done = _flrisk(brands_home, "export", "facility_risk", "--out", str(odd))
    assert done.returncode == 2 and "--format" in done.stderr and "Traceback" not in done.stderr
    assert not odd.exists()
    done = _flrisk(brands_home, "export", "facility_risk", "--format", "csv", "--out", str(odd))
    assert done.returncode == 0, done.stderr
    assert pl.read_csv(odd).height == 3


def test_brand_keeps_only_that_brands_rows(brands_home, tmp_path):
    out = tmp_path / "casa.csv"
    done = _flrisk(brands_home, "export", "facility_risk", "--brand", "casa verde", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "for Casa Verde Home" in done.stdout
    assert sorted(pl.read_csv(out)["facility_name"]) == ["Shared Mill", "Verde Mill"]
    drivers = tmp_path / "north_drivers.csv"
    done = _flrisk(
        brands_home, "export", "facility_risk_drivers", "--brand", "Northwind Apparel", "--out", str(drivers)
    )
    assert done.returncode == 0, done.stderr
    assert pl.read_csv(drivers)["driver_id"].to_list() == ["d1"]
    exposure = tmp_path / "exposure.csv"
    assert (
        _flrisk(
            brands_home, "export", "brand_exposure", "--brand", "Northwind", "--out", str(exposure)
        ).returncode
        == 0
    )
    assert pl.read_csv(exposure)["contributor"].to_list() == ["Northwind Apparel"]


def test_brand_on_a_table_without_brands_or_an_unknown_brand_is_refused(brands_home, tmp_path):
    out = tmp_path / "x.csv"
    done = _flrisk(
        brands_home, "export", "country_commodity_risk", "--brand", "Northwind Apparel", "--out", str(out)
    )
    assert done.returncode == 2 and "has no brand" in done.stderr
    done = _flrisk(brands_home, "export", "facility_risk", "--brand", "Nobody At All", "--out", str(out))
    assert done.returncode == 2 and "no single brand matches" in done.stderr
    assert not out.exists()
