"""A new supplier list loaded with `flrisk load` is staged by itself (with its contributor's earlier
lists) instead of restaging every file, and the warehouse ends exactly as a `flrisk refresh` that
restages everything leaves it: every staged, quarantine, resolved and published table, row for row
(issue 19, fast small loads)."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date

import dagster as dg
import duckdb
import pytest

from tests.pipelines.operations_support import ROOT, copy_home, flrisk_env, run_flrisk, tables

NORTHWIND = ROOT / "demo" / "bundle" / "supplier_lists" / "northwind_apparel_2026.csv"
COMPARED = ("staged", "quarantine", "resolved", "published")
REGISTER = (
    "import sys; from warehouse.received import register_file; "
    "register_file(__import__('pathlib').Path(sys.argv[1]), 'supplier-list', sys.argv[2])"
)


def northwind_update(path) -> None:
    """A second Northwind list: a row of its first list again (same raw values, so the same record_id:
    a full restage keeps one of the two, in file order), a new facility, a row with an unknown
    country (quarantined) and a facility of the first list spelt in capitals."""
    with NORTHWIND.open(encoding="utf-8", newline="") as handle:
        header, first, second, *_ = csv.reader(handle)
    blank = [""] * (len(header) - 4)
    rows = [
        first,
        [
            "Viet Nam",
            "Song Lam Sewing Cooperative",
            "Lot 12, Nam Cam Industrial Park, Nghe An",
            "Apparel",
            *blank,
        ],
        ["Atlantis", "Lost City Garments", "1 Ocean Road", "Apparel", *blank],
        [second[0], second[1].upper(), second[2], "Apparel", *blank],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def staging_mode(home) -> str:
    """How the last run staged: `append` or `full` (the staged tables' materialization metadata)."""
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["staged", "facility_records"]))
    return event.asset_materialization.metadata["mode"].value


@pytest.fixture(scope="module")
def loaded_and_refreshed(tmp_path_factory):
    """Two copies of the demo home given the same new list: one by `flrisk load`, one registered and
    then `flrisk refresh` (scored as of today, as the load is)."""
    root = tmp_path_factory.mktemp("fast_loads")
    listed = root / "northwind_update.csv"
    northwind_update(listed)
    fast, full = copy_home(root / "fast"), copy_home(root / "full")
    loaded = run_flrisk(fast, "load", "supplier-list", str(listed), "--contributor", "Northwind Apparel")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    registered = subprocess.run(
        [sys.executable, "-c", REGISTER, str(listed), "Northwind Apparel"],
        cwd=ROOT,
        env=flrisk_env(full),
        capture_output=True,
        text=True,
    )
    assert registered.returncode == 0, registered.stderr
    refreshed = run_flrisk(full, "refresh", "--as-of", date.today().isoformat())
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    return {"fast": fast, "full": full, "load_output": loaded.stdout}


def test_a_new_list_is_staged_by_itself_and_a_refresh_restages_everything(loaded_and_refreshed):
    assert staging_mode(loaded_and_refreshed["fast"]) == "append"
    assert staging_mode(loaded_and_refreshed["full"]) == "full"
    assert (
        "northwind_update.csv: 4 rows read, 3 staged, 1 quarantined." in loaded_and_refreshed["load_output"]
    )


def test_the_contributors_earlier_list_is_restaged_with_the_new_one(loaded_and_refreshed):
    # the new file sorts first, so its copy of the earlier list's row 2 is kept and the earlier one goes
    with duckdb.connect(str(loaded_and_refreshed["fast"] / "warehouse.duckdb"), read_only=True) as con:
        reasons = con.sql(
            "SELECT reason_code FROM quarantine.rejected_rows WHERE source_file = ? AND source_row = 2",
            params=["supplier_lists/northwind_apparel_2026.csv"],
        ).fetchall()
    assert reasons == [("duplicate_row",)]


def test_the_fast_load_leaves_every_table_as_a_full_refresh_does(loaded_and_refreshed):
    fast = tables(loaded_and_refreshed["fast"] / "warehouse.duckdb", COMPARED)
    full = tables(loaded_and_refreshed["full"] / "warehouse.duckdb", COMPARED)
    assert sorted(fast) == sorted(full)
    for name in fast:
        left, right = _comparable(name, fast[name]), _comparable(name, full[name])
        assert left.height == right.height, (
            f"{name}: {left.height} rows after the load, {right.height} after refresh"
        )
        assert left.equals(right), f"{name} differs"


# Columns that say when or by which run a row was written (two runs over the same data differ there).
RUN_COLUMNS = ("run_id", "recorded_at", "resolved_at", "seconds", "published_at", "generated_at")


def _comparable(name, frame):
    kept = frame.drop([c for c in RUN_COLUMNS if c in frame.columns])
    if name == "resolved.resolution_runs":
        kept = kept.drop([c for c in kept.columns if c.endswith("_seconds")])
    return kept.sort(kept.columns, nulls_last=True)


def test_a_new_pseudonymisation_key_restages_everything(tmp_path):
    # worker-voice pseudonyms depend on the key: rows staged under the old one cannot be kept
    home = copy_home(tmp_path / "home")
    listed = tmp_path / "northwind_update.csv"
    northwind_update(listed)
    loaded = run_flrisk(
        home,
        "load",
        "supplier-list",
        str(listed),
        "--contributor",
        "Northwind Apparel",
        FLRISK_PSEUDONYMISATION_KEY="another-operations-test-key",
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert staging_mode(home) == "full"
