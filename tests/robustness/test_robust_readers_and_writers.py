"""Issue 16, break 3: one writer, many readers, for real. Readers (`report`, `query`, `facility`) in a
loop never make a refresh fail and keep answering while it runs; eight `flrisk load` at once all
register and publish their lists (each run waits for the writer lock, and the summary each prints is
read from the reader copy, never from the live warehouse). Real processes, real files."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import yaml

from tests.pipelines.operations_support import AS_OF, ROOT, copy_home, run_flrisk, start_flrisk

LOADS = 8
READERS = (
    ("query", "SELECT count(*) AS facilities FROM published.facility_risk"),
    ("facility", "Hetian Taida Apparel"),
    ("report",),
)


def _new_list(folder, number: int):
    path = folder / f"concurrent_brand_{number}.csv"
    path.write_text(
        f"country,name,address\nBD,Concurrent {number} Knitting Mills Ltd,Plot {number} Ashulia Savar\n",
        encoding="utf-8",
    )
    return path


def test_readers_in_a_loop_never_break_a_refresh(tmp_path):
    home = copy_home(tmp_path / "home")
    refresh = start_flrisk(home, "refresh", "--as-of", AS_OF, "--full-resolve")
    answered_during_run = 0
    try:
        while refresh.poll() is None:
            for reader in READERS:
                running = refresh.poll() is None
                done = run_flrisk(home, *reader, timeout=300)
                assert done.returncode == 0, f"{reader}: {done.stdout}\n{done.stderr}"
                answered_during_run += running
    finally:
        out, err = refresh.communicate(timeout=900)
    assert refresh.returncode == 0, out + err
    assert answered_during_run >= 1


def test_eight_loads_at_once_all_register_and_publish(tmp_path):
    home = copy_home(tmp_path / "home")
    loads = [
        start_flrisk(
            home,
            "load",
            "supplier-list",
            str(_new_list(tmp_path, number)),
            "--contributor",
            f"Concurrent Brand {number}",
            FLRISK_LOCK_WAIT_SECONDS="3600",
        )
        for number in range(LOADS)
    ]
    outcomes = []
    for process in loads:
        out, err = process.communicate(timeout=3600)
        outcomes.append((process.returncode, out, err))
    assert [code for code, _, _ in outcomes] == [0] * LOADS, [o for o in outcomes if o[0]]
    assert all("1 rows read, 1 staged, 0 quarantined" in out for _, out, _ in outcomes)

    manifest = yaml.safe_load((home / "received" / "manifest.yaml").read_text(encoding="utf-8"))
    brands = {f"Concurrent Brand {number}" for number in range(LOADS)}
    assert brands <= {entry["contributor"] for entry in manifest["files"]}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        published = {
            row[0]
            for row in con.sql("SELECT contributor FROM published.brand_exposure").fetchall()
            if row[0] in brands
        }
    assert published == brands


def test_no_command_that_only_reads_opens_the_live_warehouse_for_writing(tmp_path):
    """While another process holds the writer lock and the live warehouse open for writing (as a run
    does), the readers answer from the reader copy."""
    home = copy_home(tmp_path / "home")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; from pathlib import Path; from warehouse import locking; "
            "locking.acquire(Path(sys.argv[1]), 'a test writer'); con = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(600)",
            str(home / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        for reader in (*READERS, ("brand", "Northwind Apparel"), ("contracts", "test")):
            done = run_flrisk(home, *reader, timeout=300)
            assert done.returncode == 0, f"{reader}: {done.stdout}\n{done.stderr}"
    finally:
        holder.kill()
        holder.wait()
