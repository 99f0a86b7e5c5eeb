"""Issue 16, break 8: known failures end as one line naming the cause and the fix (exit 2), never a
traceback (unless --debug): a read-only home, a full disk, a truncated reader copy, impossible or absurd
--as-of dates; control characters in data never reach the terminal raw; `query` has a row limit and a
memory limit; reading refuses non-regular files. Real subprocesses, real files, real mounts (the
read-only and disk-full tests need root to mount, and are skipped without it)."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager

import duckdb
import pytest

from tests.pipelines.operations_support import AS_OF, copy_home, run_flrisk

ONE_LINE_ERROR = "error: "


def _assert_one_clear_line(done, *needles: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    last = done.stderr.strip().splitlines()[-1]
    for needle in needles:
        assert needle in last, last


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def _read_only_view(home, mount_point):
    """`home` seen read-only at `mount_point` (a read-only bind mount; root only)."""
    mount_point.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(home), str(mount_point)):
        pytest.skip("needs root to bind-mount a read-only view of the home")
    try:
        assert _mount("-o", "remount,bind,ro", str(mount_point))
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.parametrize("as_of", ["2026-13-45", "1900-01-01", "2999-01-01", "yesterday"])
def test_as_of_is_checked_before_any_work(tmp_path, as_of):
    done = run_flrisk(tmp_path / "home", "refresh", "--as-of", as_of)
    assert done.returncode == 2 and "Invalid value for '--as-of'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "home").exists()  # refused before anything was created


def test_non_regular_files_are_refused_at_once(tmp_path):
    zero = tmp_path / "suppliers.csv"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for args in (("check-list", str(zero)), ("check-list", str(fifo)), ("load", "supplier-list", str(zero))):
        done = run_flrisk(tmp_path / "home", *args, timeout=120)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "not_a_regular_file" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    return copy_home(tmp_path_factory.mktemp("errors") / "home")


def test_control_characters_never_reach_the_terminal(shared_home):
    with duckdb.connect(str(shared_home / "warehouse.duckdb"), read_only=True) as con:
        hit_id, facility_id = con.sql(
            "SELECT hit_id, facility_id FROM published.list_screening_hits ORDER BY hit_id LIMIT 1"
        ).fetchall()[0]
    note = "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b[2J"
    reviewed = run_flrisk(shared_home, "review-hit", hit_id, "--reject", "--by", "Q\x07A", "--note", note)
    assert reviewed.returncode == 0, reviewed.stderr
    profile = run_flrisk(shared_home, "facility", facility_id)
    assert profile.returncode == 0, profile.stderr
    assert "\\x1b" in profile.stdout and "\\x07" in profile.stdout
    query = run_flrisk(shared_home, "query", "SELECT chr(27) || '[2J' || chr(7) AS trap")
    for output in (reviewed.stdout, profile.stdout, query.stdout, query.stderr):
        assert "\x1b" not in output and "\x07" not in output


def test_query_has_a_row_limit_and_a_memory_limit(shared_home):
    many = run_flrisk(shared_home, "query", "SELECT * FROM range(100000)")
    assert many.returncode == 0 and "showing the first 10000 rows" in many.stdout
    few = run_flrisk(shared_home, "query", "SELECT * FROM range(100000)", "--limit", "5")
    assert few.returncode == 0 and "showing the first 5 rows" in few.stdout
    pairs = "count(DISTINCT a.range::VARCHAR || '-' || b.range::VARCHAR)"
    cross = f"SELECT {pairs} FROM range(20000) a, range(2000) b"
    capped = run_flrisk(shared_home, "query", cross, FLRISK_QUERY_MEMORY_LIMIT="64MB")
    assert capped.returncode == 2 and "memory limit of 64MB" in capped.stderr


def test_a_truncated_reader_copy_is_named_and_the_next_run_replaces_it(tmp_path):
    home = copy_home(tmp_path / "home")
    snapshot = home / "warehouse.snapshot.duckdb"
    with open(snapshot, "r+b") as handle:
        handle.truncate(100_000)
    for args in (("facility", "Hetian Taida Apparel"), ("brand", "Northwind Apparel")):
        _assert_one_clear_line(run_flrisk(home, *args), "damaged", "flrisk refresh")
    assert run_flrisk(home, "--debug", "brand", "Northwind Apparel").stderr.count("Traceback") == 1
    assert run_flrisk(home, "refresh", "--as-of", AS_OF).returncode == 0
    assert run_flrisk(home, "brand", "Northwind Apparel").returncode == 0


def test_a_read_only_home_gets_one_line_per_command(shared_home, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("country,name,address\nBD,Read Only Knit Ltd,Savar\n", encoding="utf-8")
    with _read_only_view(shared_home, tmp_path / "read-only") as home:
        for args in (
            ("status",),
            ("refresh", "--as-of", AS_OF),
            ("report",),
            ("load", "supplier-list", str(good)),
            ("review-hit", "FLR-000000000000", "X", "--reject", "--by", "QA"),
        ):
            done = run_flrisk(home, *args)
            _assert_one_clear_line(done, "FLRISK_HOME")
        assert run_flrisk(home, "query", "SELECT count(*) FROM published.facility_risk").returncode == 0


def test_a_full_disk_gets_one_line_and_the_next_run_recovers(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    base = copy_home(tmp_path / "home")
    size_mb = sum(f.stat().st_size for f in base.rglob("*") if f.is_file()) // 2**20 + 6
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount_point)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        home = mount_point / "home"
        subprocess.run(["cp", "-a", str(base), str(home)], check=True)
        full = run_flrisk(home, "refresh", "--full-resolve", "--as-of", AS_OF)
        _assert_one_clear_line(full, "disk", "full")
        assert _mount("-o", f"remount,size={size_mb + 80}m", str(mount_point))
        again = run_flrisk(home, "refresh", "--full-resolve", "--as-of", AS_OF)
        assert again.returncode == 0, again.stdout + again.stderr
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            assert con.sql("SELECT count(*) FROM published.facility_risk").fetchall()[0][0] > 0
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)
