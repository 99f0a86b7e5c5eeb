"""Issue 16, break 1: a file that cannot be standardised as a whole is set aside with its reason (received
register, quarantine.load_summary) and never stops other files or later runs; a reference list's
edition comes from its content, else `--edition`, else the name it was sent under (never the stored
name with its hash prefix). Real `flrisk` subprocesses on copies of a demo home."""

from __future__ import annotations

import hashlib
import re

import duckdb
import yaml

from tests.pipelines.operations_support import AS_OF, copy_home, run_flrisk

GOOD_LIST = "country,name,address\nBD,Harbour Light Knitwear Ltd,Plot 7 Ashulia Road Savar Dhaka\n"
POISON = {
    # kind -> (file name, content): two headers that mean one field
    "supplier-list": ("clash_suppliers.csv", "country,name,Name,address\nBD,Foo Ltd,Foo,Dhaka\n"),
    "audits": (
        "clash_audits.csv",
        "audit_id,Audit_ID,scheme,audit_date,facility_name,facility_country,finding_id,finding_category,"
        "severity\nA1,A1,SMETA,2026-01-02,Foo Ltd,BD,F1,Fire safety,Minor\n",
    ),
    "worker-voice": (
        "clash_grievances.csv",
        "case_id,Case ID,reporter_id,facility_name,facility_country,received_date,channel,category,status\n"
        "GRV-SECRET-77,GRV-SECRET-77,W-SECRET-99,Foo Ltd,BD,2026-01-03,chat,Excessive working hours,open\n",
    ),
    "oshub-download": (
        "clash_download.csv",
        "os_id,OS ID,name,address,country_code\nBD2020021QK28YZ,BD2020021QK28YZ,Foo Ltd,Dhaka,BD\n",
    ),
}
DOL_HEADER = "good,sector,country,region,child_labor,forced_labor,forced_child_labor\n"


def _manifest(home) -> list[dict]:
    return yaml.safe_load((home / "received" / "manifest.yaml").read_text(encoding="utf-8"))["files"]


def _query(home, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def _dol_file_whose_hash_looks_like_a_year(folder):
    """A DOL list named ..._2018.csv whose SHA-256 starts with a "20xx" the old code read as the edition."""
    for number in range(100_000):
        rows = "Issue Sixteen Bricks,Manufacturing,Nepal,Asia,Yes,Yes,No\n"
        rows += f"Cotton,Agriculture,Benin,r{number},Yes,No,No\n"
        content = DOL_HEADER + rows
        prefix = hashlib.sha256(content.encode()).hexdigest()[:8]
        if re.search(r"(?<!\d)20\d{2}(?!\d)", prefix):
            path = folder / "dol_goods_2018.csv"
            path.write_text(content, encoding="utf-8")
            return path, prefix
    raise AssertionError("no such content found")


def _register(home, monkeypatch, path, kind: str, contributor: str) -> None:
    """Register `path` in `home` as `flrisk load` does first (the run comes later)."""
    from warehouse.received import register_file

    monkeypatch.setenv("FLRISK_HOME", str(home))
    register_file(path, kind, contributor)


def test_poison_files_are_set_aside_and_never_stop_a_run(tmp_path, monkeypatch):
    home = copy_home(tmp_path / "home")
    paths = {}
    for kind, (name, content) in POISON.items():
        paths[kind] = tmp_path / name
        paths[kind].write_text(content, encoding="utf-8")
    loaded = run_flrisk(home, "load", "supplier-list", str(paths["supplier-list"]), "--contributor", "Poison")
    assert loaded.returncode == 1, loaded.stdout + loaded.stderr
    assert "rejected as a whole" in loaded.stdout and "'name' and 'Name'" in loaded.stdout
    assert "Traceback" not in loaded.stdout + loaded.stderr
    for kind, path in paths.items():
        if kind != "supplier-list":
            _register(home, monkeypatch, path, kind, f"Poison {kind}")
    good = tmp_path / "harbour_light_2026.csv"
    good.write_text(GOOD_LIST, encoding="utf-8")
    _register(home, monkeypatch, good, "supplier-list", "Harbour Light")
    refresh = run_flrisk(home, "refresh", "--as-of", AS_OF)
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr

    failed = {entry["original_name"]: entry for entry in _manifest(home) if entry.get("status") == "failed"}
    assert sorted(failed) == sorted(name for name, _ in POISON.values())
    assert all(entry["failure"].startswith("[header_conflict] ") for entry in failed.values())
    rejected = _query(
        home,
        "SELECT source_file, reason_code, rows_read, rows_staged FROM quarantine.load_summary "
        "WHERE file_status = 'rejected' ORDER BY source_file",
    )
    assert len(rejected) == len(POISON)
    assert {row[1] for row in rejected} == {"header_conflict"} and {row[3] for row in rejected} == {0}
    brands = "SELECT count(*) FROM published.brand_exposure WHERE contributor = 'Harbour Light'"
    assert _query(home, brands)[0][0] == 1
    # worker identities never reach the register, the quarantine or the terminal
    everything = (home / "received" / "manifest.yaml").read_text() + repr(
        _query(home, "SELECT * FROM quarantine.load_summary")
    )
    assert "SECRET" not in everything + refresh.stdout + refresh.stderr


def test_check_list_names_a_header_conflict_in_one_line(tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text(POISON["supplier-list"][1], encoding="utf-8")
    checked = run_flrisk(tmp_path / "home", "check-list", str(path))
    assert checked.returncode == 2
    assert "[header_conflict]" in checked.stderr and "'name' and 'Name'" in checked.stderr
    assert "Traceback" not in checked.stderr


def test_a_list_edition_comes_from_content_else_the_option_else_the_name_sent(tmp_path, monkeypatch):
    home = copy_home(tmp_path / "home")
    dated, prefix = _dol_file_whose_hash_looks_like_a_year(tmp_path)
    _register(home, monkeypatch, dated, "reference-dol-goods", "US DOL")
    with_column = tmp_path / "goods_list_2019.csv"
    with_column.write_text(
        "good,sector,country,child_labor,forced_labor,forced_child_labor,edition\n"
        "Issue Sixteen Tea,Agriculture,Kenya,Yes,No,No,2023\n",
        encoding="utf-8",
    )
    _register(home, monkeypatch, with_column, "reference-dol-goods", "US DOL")
    latest = tmp_path / "dol_goods_latest.csv"
    latest.write_text(DOL_HEADER + "Issue Sixteen Gold,Mining,Peru,Americas,Yes,Yes,No\n", "utf-8")
    refused = run_flrisk(home, "load", "reference-dol-goods", str(latest), "--contributor", "US DOL")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "cannot tell the list edition" in refused.stdout and "--edition YEAR" in refused.stdout

    edition_of = "SELECT DISTINCT edition FROM staged.reference_dol_goods WHERE good = ?"
    assert _query(home, edition_of, ["Issue Sixteen Bricks"]) == [(2018,)]  # the name sent, not the hash
    assert _query(home, edition_of, ["Issue Sixteen Tea"]) == [(2023,)]  # its own column wins over its name
    source = f"reference-dol-goods/{prefix}-dol_goods_2018.csv"
    status = "SELECT file_status FROM quarantine.load_summary WHERE source_file = ?"
    assert _query(home, status, [source]) == [("staged",)]
    again = run_flrisk(
        home, "load", "reference-dol-goods", str(latest), "--contributor", "US DOL", "--edition", "2024"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert _query(home, edition_of, ["Issue Sixteen Gold"]) == [(2024,)]
    assert not [entry for entry in _manifest(home) if entry.get("status") == "failed"]
