"""The pieces of issue 17 one by one, without a pipeline run: sealing, scrubbing, redaction, the
suspected-identity rule, sealed received copies, private files and the sourcing audience."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main
from connectors.sealing import SealError, key_bytes, seal, seal_text, unseal, unseal_text
from connectors.sources.worker_voice_grievances import standardise_grievances
from connectors.worker_privacy import redact_message, scrub
from tests.privacy.test_privacy_at_rest import BROKEN, HOSTILE

KEY = key_bytes("unit-test-raw-access-key")


def test_sealing_round_trips_and_refuses_altered_values_and_other_keys():
    data = HOSTILE.read_bytes()
    sealed = seal(data, KEY)
    assert unseal(sealed, KEY) == data and b"Tran Thi Mai" not in sealed
    assert seal(data, KEY) != sealed  # a fresh nonce every time
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealError):
        unseal(altered, KEY)
    with pytest.raises(SealError):
        unseal(sealed, key_bytes("another key"))
    text = seal_text('{"narrative": "Tran Van Ba tel +84 90 111 2222"}', KEY)
    assert text.startswith("sealed:v1:") and "Tran" not in text
    assert unseal_text(text, KEY) == '{"narrative": "Tran Van Ba tel +84 90 111 2222"}'


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Dorm B room 12 ask for Tran Thi Mai 0912 345 678 tranthimai@yahoo.com.vn",
            "Dorm B room 12 ask for [name removed] [phone removed] [e-mail removed]",
        ),
        ("Worker Zhang Wei, passport B1234567", "Worker [name removed], passport [id removed]"),
        ("Tran Van Ba tel +84 90 111 2222", "[name removed] tel [phone removed]"),
        ("call (028) 3823 4567 or +63 917 555 0101", "call [phone removed] or [phone removed]"),
        ("Hotan Taida Apparel, 12 Industrial Road", "Hotan Taida Apparel, 12 Industrial Road"),
    ],
)
def test_scrub_removes_phones_e_mails_id_numbers_and_cued_names(text, expected):
    assert scrub(text) == expected


def test_file_errors_withhold_quoted_cells_but_keep_column_and_file_names():
    message = (
        "received/worker-voice/1a2b3c4d-cases.csv: row 2, column 13: row has 13 cells but the header has "
        "12 columns (unexpected value 'Tran Van Ba tel +84 90 111 2222') in 'received_date'"
    )
    redacted = redact_message(message, frozenset({"received/worker-voice/1a2b3c4d-cases.csv"}))
    assert "Tran" not in redacted and "+84" not in redacted
    assert "[withheld: 31 characters]" in redacted and "'received_date'" in redacted
    assert redacted.startswith("received/worker-voice/1a2b3c4d-cases.csv: row 2")


def test_facility_cells_are_scrubbed_and_a_facility_named_after_its_worker_is_quarantined():
    from connectors.reading.files import raw_frame, read_table_file

    result = standardise_grievances(raw_frame(read_table_file(HOSTILE), "L1", "helpline"), b"k" * 32)
    staged = str(result.tables["facility_records"].rows())
    assert "Tran Thi Mai" not in staged and "0912" not in staged and "Zhang Wei" not in staged
    rejected = result.rejected
    identity = rejected.filter(rejected["reason_code"] == "suspected_identity")
    assert identity.height == 1 and "Le Thi Hoa" not in identity["payload"][0]
    shifted = [json.loads(p) for p in rejected.filter(rejected["source_row"] == 14)["payload"]]
    assert all(p["facility_name"].startswith("[withheld") for p in shifted)  # "Maria Santos"
    assert "Maria Santos" not in str(rejected.rows())


def test_a_worker_voice_copy_is_received_sealed_with_the_original_sha256(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    monkeypatch.delenv("FLRISK_RAW_ACCESS_KEY", raising=False)
    monkeypatch.delenv("FLRISK_RAW_ACCESS_KEY_FILE", raising=False)
    from warehouse.home import private_home
    from warehouse.received import received_bytes, register_file

    private_home()
    entry = register_file(HOSTILE, "worker-voice", "helpline")
    stored = entry.path.read_bytes()
    assert entry.path.name.endswith(".sealed") and b"Tran" not in stored
    assert received_bytes(entry.path) == HOSTILE.read_bytes()
    manifest = (tmp_path / "received" / "manifest.yaml").read_text(encoding="utf-8")
    assert hashlib.sha256(HOSTILE.read_bytes()).hexdigest() in manifest
    key_file = tmp_path / "secrets" / "raw-access.key"
    for path in [tmp_path, *tmp_path.rglob("*")]:
        assert not stat.S_IMODE(path.stat().st_mode) & 0o077, path
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_inbox_seals_a_failed_worker_voice_file_and_its_error_quotes_no_cell(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    from pipelines.inbox import accept

    inbox = tmp_path / "inbox" / "worker-voice" / "Hotline"  # the subfolder names the sender
    inbox.mkdir(parents=True)
    (inbox / BROKEN.name).write_bytes(BROKEN.read_bytes())
    outcome = accept("worker-voice", inbox / BROKEN.name)
    failed = list((inbox / "failed").iterdir())
    assert not outcome.accepted and "Tran Van Ba" not in outcome.detail and "[withheld: " in outcome.detail
    assert sorted(p.name for p in failed) == [f"{BROKEN.name}.sealed", f"{BROKEN.name}.sealed.error.txt"]
    for path in failed:
        assert b"Tran Van Ba" not in path.read_bytes() and b"+84" not in path.read_bytes()


def test_a_sourcing_reader_gets_no_raw_table_from_a_warehouse_without_a_reader_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA raw; CREATE SCHEMA published")
        con.execute("CREATE TABLE raw.worker_voice_grievance AS SELECT 'sealed' AS payload")
        con.execute("CREATE TABLE published.facility_risk AS SELECT 'FLR-1' AS facility_id")
    runner = CliRunner()
    refused = runner.invoke(main, ["query", "SELECT * FROM published.facility_risk"])
    assert refused.exit_code == 2 and "--as engineer" in refused.output
    engineer = runner.invoke(main, ["query", "--as", "engineer", "SELECT * FROM raw.worker_voice_grievance"])
    assert engineer.exit_code == 0 and "sealed" in engineer.output


def test_the_cli_makes_what_it_writes_private(tmp_path, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    previous = os.umask(0o022)
    try:
        CliRunner().invoke(main, ["query", "SELECT 1"])
        current = os.umask(0o022)
    finally:
        os.umask(previous)
    assert current == 0o077
