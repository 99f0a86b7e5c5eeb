"""`flrisk load` and `flrisk unload` on real files and a real warehouse (issue 15): every OS Hub error
quarantines its row and every warning is reported with its staged row, with read = staged +
quarantined; a GBK list stages its Chinese names intact; a file of the wrong kind or without data rows
is refused with exit 2 and nothing registered; unloading a file removes everything staged from it
while its raw rows stay."""

from __future__ import annotations

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from tests.connectors.inputs_cases import CASES, row_of, write_cases

CHINESE_LIST = (
    "country,name,address\n"
    "China,和田泰达服装有限公司,新疆和田市北京工业园区88号\n"
    "China,深圳市华强电子厂,广东省深圳市福田区华强北路1号\n"
    "China,宁波申洲针织有限公司,浙江省宁波市北仑区大港工业城甬江路18号\n"
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A home with the rules list and a GBK list loaded; the outputs of both loads."""
    base = tmp_path_factory.mktemp("inputs_load")
    home = base / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLRISK_HOME", str(home))
        patch.delenv("FLRISK_SOURCES", raising=False)
        rules = write_cases(base / "oshub_rules.csv")
        first = CliRunner().invoke(main, ["load", "supplier-list", str(rules), "--contributor", "Acme"])
        gbk = base / "gbk_list.csv"
        gbk.write_bytes(CHINESE_LIST.encode("gbk"))
        second = CliRunner().invoke(main, ["load", "supplier-list", str(gbk), "--contributor", "Acme"])
        yield {"home": home, "base": base, "rules": first, "gbk": second, "patch": patch}


def _query(home, sql, params=()):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _source_file(home, original_name):
    register = yaml.safe_load((home / "received" / "manifest.yaml").read_text(encoding="utf-8"))
    return next(item["path"] for item in register["files"] if item["original_name"] == original_name)


def test_load_balances_read_staged_quarantined(loaded):
    assert loaded["rules"].exit_code == 0, loaded["rules"].output
    home = loaded["home"]
    source_file = _source_file(home, "oshub_rules.csv")
    read, staged, quarantined = _query(
        home,
        "SELECT rows_read, rows_staged, rows_quarantined FROM quarantine.load_summary WHERE source_file = ?",
        [source_file],
    )[0]
    assert read == len(CASES) + 1 and read == staged + quarantined
    assert quarantined == sum(case.level == "error" for case in CASES)
    assert f"{read} rows read, {staged} staged, {quarantined} quarantined" in loaded["rules"].output


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "error"], ids=lambda c: c.label)
def test_each_error_quarantines_its_row_through_load(loaded, case):
    home = loaded["home"]
    source_file = _source_file(home, "oshub_rules.csv")
    rejected = _query(
        home,
        "SELECT column_name, reason_code FROM quarantine.rejected_rows "
        "WHERE source_file = ? AND source_row = ?",
        [source_file, row_of(case)],
    )
    assert (case.column, case.reason_code) in rejected
    staged = _query(
        home,
        "SELECT count(*) FROM staged.facility_records WHERE source_file = ? AND source_row = ?",
        [source_file, row_of(case)],
    )
    assert staged == [(0,)]


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "warning"], ids=lambda c: c.label)
def test_each_warning_is_reported_and_its_row_staged_through_load(loaded, case):
    home = loaded["home"]
    source_file = _source_file(home, "oshub_rules.csv")
    line = f"row {row_of(case)}, column {case.column or '-'}: warning {case.reason_code}:"
    assert line in loaded["rules"].output
    staged = _query(
        home,
        "SELECT count(*) FROM staged.facility_records WHERE source_file = ? AND source_row = ?",
        [source_file, row_of(case)],
    )
    assert staged == [(1,)]


def test_template_columns_reach_the_staged_table_through_load(loaded):
    home = loaded["home"]
    rows = _query(
        home,
        "SELECT sectors, product_types, facility_types FROM staged.facility_records "
        "WHERE source_file = ? AND source_row = 2",
        [_source_file(home, "oshub_rules.csv")],
    )
    assert rows == [(["Apparel"], ["T-shirts"], ["Cut and Sew"])]


def test_a_gbk_list_stages_its_chinese_names_intact(loaded):
    assert loaded["gbk"].exit_code == 0, loaded["gbk"].output
    home = loaded["home"]
    names = _query(
        home,
        "SELECT name FROM staged.facility_records WHERE source_file = ? ORDER BY source_row",
        [_source_file(home, "gbk_list.csv")],
    )
    assert [name for (name,) in names] == ["和田泰达服装有限公司", "深圳市华强电子厂", "宁波申洲针织有限公司"]


@pytest.mark.parametrize(
    ("kind", "content", "code"),
    [
        (
            "audits",
            "country,name,address\nBangladesh,Dhaka Knit Garments Ltd,Plot 12 Tongi Gazipur\n",
            "wrong_kind",
        ),
        ("supplier-list", "country,name,address\n", "no_data_rows"),
        (
            "supplier-list",
            "Facility Name,country,address\nDhaka Knit,BD,Plot 12 Tongi Gazipur\n",
            "missing_required_column",
        ),
    ],
)
def test_file_level_problems_register_nothing(loaded, kind, content, code):
    home, base = loaded["home"], loaded["base"]
    path = base / f"{code}.csv"
    path.write_text(content, encoding="utf-8")
    before = (home / "received" / "manifest.yaml").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["load", kind, str(path)])
    assert result.exit_code == 2 and code in result.output
    assert (home / "received" / "manifest.yaml").read_text(encoding="utf-8") == before
    assert not any(p.name.endswith(path.name) for p in (home / "received").rglob("*.csv"))


def test_unload_removes_everything_staged_and_keeps_the_raw_rows(loaded):
    home = loaded["home"]
    source_file = _source_file(home, "oshub_rules.csv")
    unknown = CliRunner().invoke(main, ["unload", "no-such-file.csv"])
    assert unknown.exit_code == 2 and "matches no received file" in unknown.output
    result = CliRunner().invoke(main, ["unload", "oshub_rules.csv", "--reason", "test list"])
    assert result.exit_code == 0, result.output
    for table in ("staged.facility_records", "quarantine.rejected_rows", "quarantine.load_summary"):
        assert _query(home, f"SELECT count(*) FROM {table} WHERE source_file = ?", [source_file]) == [(0,)]
    assert _query(home, "SELECT count(*) FROM raw.supplier_list WHERE source_file = ?", [source_file]) == [
        (len(CASES) + 1,)
    ]
    register = yaml.safe_load((home / "received" / "manifest.yaml").read_text(encoding="utf-8"))
    assert [item["path"] for item in register["removed"]] == [source_file]
    assert register["removed"][0]["removed_reason"] == "test list"
    assert source_file not in [item["path"] for item in register["files"]]
    gbk_rows = _query(
        home,
        "SELECT count(*) FROM staged.facility_records WHERE source_file = ?",
        [_source_file(home, "gbk_list.csv")],
    )
    assert gbk_rows == [(3,)]
