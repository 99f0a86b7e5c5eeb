"""Worker privacy end to end: hostile worker-voice input through the real Dagster job, then every table
and every export is scanned for what must never leave the raw layer.

The input (tests/fixtures/privacy/) carries worker names, +66 phone numbers, e-mail addresses and
narratives in sensitive columns, in undeclared columns and shifted into category/status/channel/date
cells. Raw keeps what arrived sealed (documented in docs/privacy-and-sharing.md), so the scan asserts
the values are in raw once unsealed with the raw-access key (the scan can see them) and nowhere else:
raw as stored, staged, resolved, published, quarantine, synthetic tables and their reports, the HTCDS
export and report, and full and facility sharing bundles.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main
from tests.demo_run import run_demo_job
from tests.test_end_to_end import ROOT

HOSTILE = ROOT / "tests" / "fixtures" / "privacy" / "hostile_grievances.csv"
KEY = "privacy-test-key-never-anywhere-7f3a9c"
SENSITIVE_COLUMNS = ("case_id", "reporter_id", "reporter_phone", "narrative", "reporter_email", "worker_name")
CONTACT = re.compile(r"\+66 \d|@example\.org|81 234 56\d\d|PRIV-(?:CASE|RPT)-\d+")
pytestmark = pytest.mark.slow


def secrets() -> set[str]:
    """Every sensitive value of the hostile file, the values shifted into other cells, and the key."""
    with HOSTILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    values = {row[column] for row in rows for column in SENSITIVE_COLUMNS if row[column]}
    shifted = [("category", 11), ("status", 12), ("channel", 13), ("received_date", 14)]
    values |= {rows[index][column] for column, index in shifted}
    return {value for value in values if len(value) > 5} | {KEY}  # not a shifted status like "open"


def leaks(text: str, found_in: str) -> list[str]:
    hits = [secret for secret in secrets() if secret in text]
    hits += CONTACT.findall(text)
    return [f"{found_in}: {hit!r}" for hit in hits]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    home = tmp_path_factory.mktemp("privacy_home")
    out = tmp_path_factory.mktemp("privacy_exports")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLRISK_HOME", str(home))
        env.setenv("FLRISK_PSEUDONYMISATION_KEY", KEY)
        env.delenv("FLRISK_SOURCES", raising=False)
        from warehouse.received import register_demo_bundle, register_file

        register_demo_bundle()
        register_file(HOSTILE, "worker-voice", "Privacy test helpline")
        assert run_demo_job().success
        runner = CliRunner()
        for table in ("worker_voice_grievances", "audit_findings"):
            result = runner.invoke(main, ["synthesize", table, "--out", str(out / f"{table}.csv")])
            assert result.exit_code == 0, result.output
        assert runner.invoke(main, ["export-htcds", "--out", str(out / "htcds.csv")]).exit_code == 0
        assert runner.invoke(main, ["share", "--out", str(out / "bundle")]).exit_code == 0
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            facility = hostile_facility(con)
        result = runner.invoke(main, ["share", "--out", str(out / "supplier"), "--facility", facility])
        assert result.exit_code == 0, result.output
        yield {"home": home, "out": out, "facility": facility}


def hostile_facility(con) -> str:
    return con.sql(
        "SELECT DISTINCT l.facility_id FROM staged.worker_voice_grievances g "
        "JOIN resolved.record_links l USING (record_id) WHERE g.source_file LIKE '%hostile%'"
    ).fetchall()[0][0]


def test_raw_is_sealed_and_the_scan_sees_the_secrets_once_unsealed(run):
    """Raw keeps what arrived sealed under the raw-access key (issue 17): the scan finds nothing in
    the stored rows and finds the secrets once they are unsealed with the key."""
    from assets.ingestion import unsealed
    from warehouse.keys import raw_access_key

    with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as con:
        raw = con.sql("SELECT * FROM raw.worker_voice_grievance").pl()
    assert not leaks(str(raw["payload"].to_list()), "raw")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLRISK_HOME", str(run["home"]))
        opened = str(unsealed(raw, raw_access_key(create=False))["payload"].to_list())
    assert leaks(opened, "raw") and "Somchai Jaidee" in opened


def test_no_worker_identity_in_any_table_beyond_raw(run):
    with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as con:
        tables = con.sql("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        assert {"staged", "resolved", "published", "quarantine"} <= {schema for schema, _ in tables}
        found = []
        for schema, table in tables:
            found += leaks(
                str(con.sql(f'SELECT * FROM "{schema}"."{table}"').fetchall()), f"{schema}.{table}"
            )
        hostile_rows = con.sql(
            "SELECT count(*) FROM quarantine.rejected_rows WHERE source_file LIKE '%hostile%'"
        ).fetchall()[0][0]
    assert found == []
    assert hostile_rows >= 5  # the shifted rows were quarantined, and their cells withheld


def test_no_worker_identity_in_any_export_or_bundle(run):
    files = [path for path in Path(run["out"]).rglob("*") if path.is_file()]
    assert len(files) > 20
    found = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace") if path.suffix != ".parquet" else ""
        if path.suffix == ".parquet":
            import polars as pl

            text = str(pl.read_parquet(path).rows())
        found += leaks(text, str(path.relative_to(run["out"])))
    assert found == []


def test_the_supplier_bundle_holds_only_its_own_facility(run):
    import polars as pl

    tables = Path(run["out"]) / "supplier" / "tables"
    for path in tables.glob("*.parquet"):
        frame = pl.read_parquet(path)
        if "facility_id" in frame.columns:
            assert set(frame["facility_id"]) <= {run["facility"]}, path.name
    assert not (tables / "brand_exposure.parquet").exists()
    assert CliRunner().invoke(main, ["share", "--verify", str(Path(run["out"]) / "supplier")]).exit_code == 0


def test_ingest_without_a_key_is_refused_with_a_clear_message(tmp_path):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLRISK_HOME", str(tmp_path))
        env.delenv("FLRISK_PSEUDONYMISATION_KEY", raising=False)
        env.delenv("FLRISK_SOURCES", raising=False)
        from warehouse.received import register_file

        register_file(HOSTILE, "worker-voice", "Privacy test helpline")
        with pytest.raises(Exception) as raised:
            run_demo_job()
    chain, error = [], raised.value
    while error is not None and len(chain) < 20:  # a context chain may loop back on itself
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert any(
        "refusing to ingest worker-voice data without a pseudonymisation key" in text for text in chain
    )
    assert any("FLRISK_PSEUDONYMISATION_KEY" in text for text in chain)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        staged = con.sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'worker_voice_grievances'"
        ).fetchall()[0][0]
        rows = (
            con.sql("SELECT count(*) FROM staged.worker_voice_grievances").fetchall()[0][0] if staged else 0
        )
    assert rows == 0
