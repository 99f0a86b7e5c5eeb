"""Issue 16, break 4: many processes registering files at once never lose one. The received register is
changed under a file lock, read afresh, and replaced through a unique temporary file and a rename."""

from __future__ import annotations

import subprocess
import sys
import time

import yaml

from tests.pipelines.operations_support import ROOT, flrisk_env

WRITERS = 8
# Each process imports first, then waits for the start signal, so all of them register at the same moment.
REGISTER = (
    "import os, sys, time; from pathlib import Path; from warehouse.received import register_file\n"
    "Path(sys.argv[3] + f'.ready-{os.getpid()}').touch()\n"
    "while not Path(sys.argv[3]).exists(): time.sleep(0.005)\n"
    "entry = register_file(Path(sys.argv[1]), 'supplier-list', sys.argv[2]); print(entry.relative_path)"
)


def _register_at_once(home, files: list[tuple[str, str]]) -> list[subprocess.CompletedProcess]:
    """Start one process per (path, contributor), let them register at the same moment, wait for all."""
    start = home.parent / "start-signal"
    for old in home.parent.glob("start-signal*"):
        old.unlink()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", REGISTER, path, contributor, str(start)],
            cwd=ROOT,
            env=flrisk_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path, contributor in files
    ]
    while len(list(home.parent.glob("start-signal.ready-*"))) < len(processes):
        assert all(p.poll() is None for p in processes), "a registering process ended before the start"
        time.sleep(0.05)
    start.write_text("go", encoding="utf-8")
    return [
        subprocess.CompletedProcess(p.args, p.wait(timeout=300), p.stdout.read(), p.stderr.read())
        for p in processes
    ]


def _entries(home) -> list[dict]:
    return yaml.safe_load((home / "received" / "manifest.yaml").read_text(encoding="utf-8"))["files"]


def test_eight_processes_registering_at_once_lose_nothing(tmp_path):
    home = tmp_path / "home"
    files = []
    for number in range(WRITERS):
        path = tmp_path / f"brand_{number}_suppliers.csv"
        path.write_text(f"country,name,address\nBD,Brand {number} Knit Ltd,Plot {number} Savar\n", "utf-8")
        files.append((str(path), f"Brand {number}"))
    results = _register_at_once(home, files)
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results]

    entries = _entries(home)
    assert len(entries) == WRITERS
    assert sorted(entry["contributor"] for entry in entries) == sorted(c for _, c in files)
    assert sorted(entry["path"] for entry in entries) == sorted(r.stdout.strip() for r in results)
    for entry in entries:
        copy = home / "received" / entry["path"]
        original = tmp_path / entry["original_name"]
        assert copy.read_bytes() == original.read_bytes()
    leftovers = [p.name for p in (home / "received").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_the_same_file_registered_at_once_is_listed_once(tmp_path):
    home = tmp_path / "home"
    path = tmp_path / "shared_suppliers.csv"
    path.write_text("country,name,address\nVN,Shared Sewing Co,12 Tan Thuan District 7\n", "utf-8")
    results = _register_at_once(home, [(str(path), "Same Brand")] * WRITERS)
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results]
    assert len(_entries(home)) == 1
    assert {r.stdout.strip() for r in results} == {_entries(home)[0]["path"]}
