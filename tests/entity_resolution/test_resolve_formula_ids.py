"""`flrisk resolve --out x.csv` never writes a record_id a spreadsheet would run (issue 14's leftovers):
formula-like ids are quoted as `flrisk export` quotes them (one rule, `connectors.spreadsheet_cells`),
plain signed numbers stay as written, Parquet keeps every id exactly, the output columns stay."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from cli.main import main
from connectors.spreadsheet_cells import neutralise_text, safe_cell
from tests.entity_resolution.test_resolve_hostile_input import HEADER, write

FORMULA_IDS = ['=HYPERLINK("http://x.example","y")', "+1+1", "@SUM(A1)", "-2+3", "=1+1", "-1e5", "\tcmd"]
KEPT_IDS = ["-12", "+7", "-0.5", "12", "A-1", "a=b", " =1"]


def ids_file(tmp_path):
    rows = [
        f'"{record_id.replace(chr(34), chr(34) * 2)}",Mill {i},Road {i},VN,,'
        for i, record_id in enumerate(FORMULA_IDS + KEPT_IDS)
    ]
    return write(tmp_path, "ids.csv", HEADER + "\n".join(rows) + "\n")


def run(path, out):
    result = CliRunner().invoke(main, ["resolve", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result


def test_formula_like_record_ids_are_quoted_in_the_csv_output(tmp_path):
    out = tmp_path / "out.csv"
    run(ids_file(tmp_path), out)
    frame = pl.read_csv(out, infer_schema_length=0)
    assert frame.columns == ["record_id", "facility_id", "match_score", "decision"]
    assert frame["record_id"].to_list() == ["'" + i for i in FORMULA_IDS] + KEPT_IDS
    raw = out.read_text(encoding="utf-8")
    assert "\n=" not in raw and "\n+1+1" not in raw and "\n@" not in raw and "\n-2+3" not in raw


def test_the_parquet_output_keeps_every_record_id_exactly(tmp_path):
    out = tmp_path / "out.parquet"
    run(ids_file(tmp_path), out)
    frame = pl.read_parquet(out)
    assert frame.columns == ["record_id", "facility_id", "match_score", "decision"]
    assert frame["record_id"].to_list() == FORMULA_IDS + KEPT_IDS


@pytest.mark.parametrize("value", [*FORMULA_IDS, *KEPT_IDS, "\rcmd", "-", "+", "-12\n", "", "−12"])
def test_the_cell_rule_and_its_column_form_agree(value):
    column = (
        pl.DataFrame({"cell": [value]}).select(neutralise_text(pl.col("cell")).alias("cell"))["cell"].item()
    )
    assert column == safe_cell(value)
    expected_kept = value in KEPT_IDS or not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert (safe_cell(value) == value) == expected_kept
