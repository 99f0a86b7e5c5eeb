"""Worker privacy at rest and across audiences (issue 17), through the real Dagster job and the CLI.

A hostile worker-voice file (invented names, phones in national and international formats, e-mail
addresses, passport-like numbers, identities typed into the facility address, a shifted row, a facility
named after the worker) is received with the demo bundle, a broken one is dropped into the inbox and
loaded with `flrisk load`, then everything a person could get at is scanned: every table of the
warehouse (raw included) and of the reader copy, every file under $FLRISK_HOME but the keys, every
export, report and bundle, the run's log messages, the inbox's error files and the CLI's output. None
of the planted identifiers may appear anywhere; the sealed raw rows still give back the file exactly as
received to whoever holds the raw-access key.
"""

from __future__ import annotations

import csv
import hashlib
import re
import stat
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from cli.main import main
from tests.demo_run import run_demo_job

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "privacy"
HOSTILE = FIXTURES / "hostile_worker_voice_vn.csv"
BROKEN = FIXTURES / "broken_worker_voice_vn.csv"
KEY = "privacy-at-rest-key-never-anywhere-51c2"
CONTACT = re.compile(
    r"@yahoo\.com\.vn|\+84[ -]\d|\+63 \d|\+86 \d|0912 ?345|VN-(?:CASE|RPT)-\d+|\b[BC]\d{7}\b"
    r"|Tran Van Ba|Maria Santos|Zhang Wei"
)
pytestmark = pytest.mark.slow


def planted() -> set[str]:
    """Every identifying value of the hostile files (names, phones, e-mails, narratives, ids)."""
    values = set()
    with HOSTILE.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            values |= {cell for cell in row if cell}
    with HOSTILE.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    keep_out = {"Hotan Taida Apparel", "CN", "VN", "hotline", "app", "open", "Passport retention"}
    keep_out |= {"Recruitment fees", *header}
    values = {v for v in values if v not in keep_out and not re.fullmatch(r"2026-\d\d-\d\d", v)}
    return {v for v in values if len(v) > 5} | {"Tran Van Ba tel +84 90 111 2222", KEY}


def leaks(text: str, where: str) -> list[str]:
    hits = [value for value in planted() if value in text]
    hits += CONTACT.findall(text)
    return [f"{where}: {hit!r}" for hit in sorted(set(hits))]


def all_tables(path: Path) -> list[str]:
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        for schema, table in con.sql(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall():
            text = str(con.sql(f'SELECT * FROM "{schema}"."{table}"').fetchall())
            found += leaks(text, f"{path.name}:{schema}.{table}")
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    home = tmp_path_factory.mktemp("at_rest_home")
    out = tmp_path_factory.mktemp("at_rest_out")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLRISK_HOME", str(home))
        env.setenv("FLRISK_PSEUDONYMISATION_KEY", KEY)
        for name in ("FLRISK_SOURCES", "FLRISK_RAW_ACCESS_KEY", "FLRISK_RAW_ACCESS_KEY_FILE"):
            env.delenv(name, raising=False)
        from pipelines.inbox import accept
        from warehouse.home import private_home
        from warehouse.received import register_demo_bundle, register_file

        private_home()  # what every entry point does first (the CLI, a run, the inbox sensor)
        register_demo_bundle()
        register_file(HOSTILE, "worker-voice", "Hostile helpline")
        result = run_demo_job()
        assert result.success
        messages = [str(event.message or "") for event in result.all_events]
        inbox = home / "inbox" / "worker-voice" / "Hotline"  # the subfolder names the sender
        inbox.mkdir(parents=True)
        dropped = inbox / BROKEN.name
        dropped.write_bytes(BROKEN.read_bytes())
        outcome = accept("worker-voice", dropped)
        runner = CliRunner()
        outputs = {"inbox": outcome.detail}
        outputs["load"] = runner.invoke(main, ["load", "worker-voice", str(BROKEN)]).output
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            facility = con.sql(
                "SELECT l.facility_id FROM staged.worker_voice_grievances g "
                "JOIN resolved.record_links l USING (record_id) WHERE g.source_file LIKE '%hostile%' "
                "GROUP BY l.facility_id ORDER BY count(*) DESC, l.facility_id LIMIT 1"
            ).fetchall()[0][0]  # the facility holding most of the hostile file's reports
        commands = {
            "facility": ["facility", facility],
            "facility-json": ["facility", facility, "--json"],
            "query": ["query", "SELECT * FROM published.facility_risk_drivers"],
            "audit": ["audit-disclosure"],
        }
        for table in ("resolved.facilities", "resolved.match_index", "published.facility_risk_drivers"):
            commands[f"export {table}"] = [
                "export",
                table,
                "--format",
                "csv",
                "--out",
                str(out / f"{table}.csv"),
            ]
        commands["share"] = ["share", "--out", str(out / "bundle")]
        commands["htcds"] = ["export-htcds", "--out", str(out / "htcds.csv")]
        commands["synth"] = ["synthesize", "grievances", "--out", str(out / "synthetic.csv")]
        for name, arguments in commands.items():
            invoked = runner.invoke(main, arguments)
            outputs[name] = invoked.output
            assert invoked.exit_code == 0, (name, invoked.output)
        yield {"home": home, "out": out, "messages": messages, "outputs": outputs, "facility": facility}


def test_no_planted_identifier_in_any_table_of_the_warehouse_or_the_reader_copy(run):
    found = all_tables(run["home"] / "warehouse.duckdb") + all_tables(
        run["home"] / "warehouse.snapshot.duckdb"
    )
    assert found == []


def test_no_planted_identifier_in_any_file_under_the_home_but_the_keys(run):
    files = [p for p in run["home"].rglob("*") if p.is_file() and "secrets" not in p.parts]
    assert any(p.name.endswith(".sealed") for p in files)  # the received copy and the failed file
    found = []
    for path in files:
        found += leaks(
            path.read_bytes().decode("utf-8", errors="replace"), str(path.relative_to(run["home"]))
        )
    assert found == []


def test_no_planted_identifier_in_any_export_report_bundle_log_or_message(run):
    found = []
    for path in (p for p in run["out"].rglob("*") if p.is_file()):
        text = str(pl.read_parquet(path).rows()) if path.suffix == ".parquet" else path.read_text("utf-8")
        found += leaks(text, str(path.relative_to(run["out"])))
    for name, text in run["outputs"].items():
        found += leaks(text, f"output of {name}")
    found += leaks("\n".join(run["messages"]), "run log")
    assert found == []
    assert "[withheld: " in run["outputs"]["inbox"] and "[withheld: " in run["outputs"]["load"]


def test_raw_is_sealed_and_gives_back_the_file_exactly_as_received(run):
    from assets.ingestion import unsealed
    from warehouse.keys import raw_access_key

    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLRISK_HOME", str(run["home"]))
        key = raw_access_key(create=False)
        with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as con:
            raw = con.sql(
                "SELECT r.*, l.file_sha256 FROM raw.worker_voice_grievance r "
                "JOIN raw.loads l USING (load_id) WHERE r.source_file LIKE '%hostile%' ORDER BY source_row"
            ).pl()
        from warehouse.received import received_bytes

        sealed_copy = next((run["home"] / "received" / "worker-voice").glob("*.sealed"))
        original = received_bytes(sealed_copy)
    assert raw["payload"].str.starts_with("sealed:v1:").all()
    assert original == HOSTILE.read_bytes()
    assert raw["file_sha256"][0] == hashlib.sha256(original).hexdigest()
    opened = unsealed(raw, key)["payload"].to_list()
    assert "Tran Thi Mai" in opened[0] and "0912 345 678" in opened[0]


def test_identities_in_facility_cells_are_scrubbed_and_shifted_rows_quarantined(run):
    with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as con:
        addresses = {
            row[0]
            for row in con.sql(
                "SELECT address_raw FROM staged.facility_records WHERE source_file LIKE '%hostile%'"
            ).fetchall()
        }
        reasons = dict(
            con.sql(
                "SELECT source_row, list(reason_code) FROM quarantine.rejected_rows "
                "WHERE source_file LIKE '%hostile%' GROUP BY source_row"
            ).fetchall()
        )
    # the phone is also the reporter's (a sensitive cell of the row), so it goes as one of the row's people
    assert "Dorm B room 12 ask for [name removed] [name removed] [e-mail removed]" in addresses
    assert "Gate 3, contact [name removed] tel [phone removed]" in addresses
    assert "Worker [name removed], passport [id removed]" in addresses
    assert "suspected_identity" in reasons[15]  # the facility named after its worker
    assert 14 in reasons  # the row with a missing cell


def test_the_reader_copy_holds_no_raw_staged_or_quarantined_rows(run):
    with duckdb.connect(str(run["home"] / "warehouse.snapshot.duckdb"), read_only=True) as con:
        tables = {
            f"{schema}.{table}"
            for schema, table in con.sql(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
    assert not {t for t in tables if t.startswith("staged.")}
    assert "quarantine.rejected_rows" not in tables
    bookkeeping = {"raw.schema_versions", "raw.api_pulls_held", "raw.api_pull_notes"}  # no payload
    assert {t for t in tables if t.startswith("raw.")} <= bookkeeping
    assert {"published.worker_voice_summary", "resolved.facilities", "resolved.facility_mentions"} <= tables


@pytest.mark.parametrize(
    "table", ["raw.worker_voice_grievance", "staged.worker_voice_grievances", "staged.facility_records"]
)
def test_a_sourcing_user_cannot_read_raw_or_staged_but_an_engineer_can(run, table, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(run["home"]))
    runner = CliRunner()
    refused = runner.invoke(main, ["query", f"SELECT count(*) AS n FROM {table}"])
    assert refused.exit_code != 0 and "--as engineer" in refused.output
    allowed = runner.invoke(main, ["query", "--as", "engineer", f"SELECT count(*) AS n FROM {table}"])
    assert allowed.exit_code == 0, allowed.output
    exported = runner.invoke(
        main, ["export", table, "--format", "csv", "--out", str(run["out"] / "refused.csv")]
    )
    assert exported.exit_code == 2 and not (run["out"] / "refused.csv").exists()


def test_files_and_folders_under_the_home_are_private(run):
    loose = []
    for path in run["home"].rglob("*"):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        if mode & 0o077:
            loose.append(f"{path.relative_to(run['home'])}: {oct(mode)}")
    assert loose == []


def test_published_worker_voice_numbers_pass_the_disclosure_audit(run):
    assert "0 finding(s)" in run["outputs"]["audit"]
    with duckdb.connect(str(run["home"] / "warehouse.snapshot.duckdb"), read_only=True) as con:
        drivers = con.sql(
            "SELECT description, evidence_date FROM published.facility_risk_drivers "
            "WHERE component = 'worker_voice' AND facility_id = ?",
            params=[run["facility"]],
        ).fetchall()
    assert drivers and all(day.day == 1 for _, day in drivers if day is not None)
    counts = [int(n) for text, _ in drivers for n in re.findall(r"about (\d+)", text)]
    assert counts and all(n >= 11 and n % 5 == 0 for n in counts), drivers
