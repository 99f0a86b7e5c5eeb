"""Concurrency with real processes: a run killed mid-write (SIGKILL) leaves the published tables as they
were, readers keep reading the last published state while a run writes, a second writer fails clearly,
and a rerun after the kill publishes exactly what an uninterrupted run publishes."""

from __future__ import annotations

import os
import signal
import time

import duckdb
import pytest

from tests.pipelines.operations_support import (
    AS_OF,
    assert_same_tables,
    copy_home,
    run_flrisk,
    start_flrisk,
    tables,
)

NEW_LIST = (
    "country,name,address,sector\n"
    "BD,Kill Switch Knitwear Ltd,Plot 9 Ashulia Road Savar Dhaka,Apparel\n"
    "BD,Signal Nine Garments Ltd,44 Tongi Industrial Area Gazipur,Apparel\n"
    "VN,Rerun Textile Company,12 Tan Thuan Export Zone District 7,Apparel\n"
)
PAUSE_TABLE = "published.facility_risk"


def add_supplier_list(home, tmp_path, monkeypatch) -> None:
    """Register a new supplier list in `home` (no run): the next run has something new to publish."""
    from warehouse.received import register_file

    path = tmp_path / "kill_test_brand.csv"
    path.write_text(NEW_LIST, encoding="utf-8")
    monkeypatch.setenv("FLRISK_HOME", str(home))
    register_file(path, "supplier-list", "Kill Test Brand")


def wait_for(path, process, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended before pausing (exit {process.returncode}):\n{out}\n{err}")
        assert time.monotonic() < deadline, "the run never reached the pause point"
        time.sleep(0.5)


def test_sigkill_mid_write_then_rerun(tmp_path, monkeypatch):
    reference = copy_home(tmp_path / "reference")
    add_supplier_list(reference, tmp_path, monkeypatch)
    uninterrupted = run_flrisk(reference, "demo", "--as-of", AS_OF)
    assert uninterrupted.returncode == 0, uninterrupted.stderr

    home = copy_home(tmp_path / "home")
    live, snapshot = home / "warehouse.duckdb", home / "warehouse.snapshot.duckdb"
    before = tables(live)
    assert_same_tables(tables(snapshot), before)
    add_supplier_list(home, tmp_path, monkeypatch)

    writer = start_flrisk(home, "demo", "--as-of", AS_OF, FLRISK_FAULT_PAUSE_AFTER_WRITE=PAUSE_TABLE)
    try:
        wait_for(home / f"fault-paused-{PAUSE_TABLE}", writer)
        # The writer now sits inside the open transaction that replaces published.facility_risk.
        reader = run_flrisk(home, "query", "SELECT count(*) AS facilities FROM published.facility_risk")
        assert reader.returncode == 0, reader.stderr
        assert str(before["published.facility_risk"].height) in reader.stdout
        second = run_flrisk(home, "demo", "--as-of", AS_OF, FLRISK_LOCK_WAIT_SECONDS="1")
        assert second.returncode != 0
        assert "another flrisk run holds the warehouse since" in second.stdout + second.stderr
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL

    assert_same_tables(tables(live), before)
    assert_same_tables(tables(snapshot), before)
    with duckdb.connect(str(live), read_only=True) as con:
        leftovers = con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%candidate'"
        )
        assert leftovers.fetchall() == []

    rerun = run_flrisk(home, "demo", "--as-of", AS_OF)
    assert rerun.returncode == 0, rerun.stderr
    after = tables(live)
    assert "Kill Test Brand" in after["published.brand_exposure"]["contributor"].to_list()
    assert_same_tables(after, tables(reference / "warehouse.duckdb"))
    assert_same_tables(tables(snapshot), after)
