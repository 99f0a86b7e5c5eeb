"""A new supplier list loaded with `flrisk load` is staged by itself (with its contributor's earlier
lists) instead of restaging every file, and the warehouse ends exactly as a `flrisk refresh` that
restages everything leaves it: every staged, quarantine, resolved and published table, row for row
(issue 19, fast small loads)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import date

import dagster as dg
import duckdb
import polars as pl
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


def latest_metadata(home, table: str) -> dict:
    """The metadata of the latest materialization of `table` in `home`."""
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(table.split(".")))
    return {key: value.value for key, value in event.asset_materialization.metadata.items()}


@pytest.fixture(scope="module")
def loaded_and_refreshed(tmp_path_factory):
    """Two copies of a demo home scored as of today (as a load scores) given the same new list: one
    by `flrisk load`, one registered and then `flrisk refresh` (everything restaged and re-scored)."""
    root = tmp_path_factory.mktemp("fast_loads")
    listed = root / "northwind_update.csv"
    northwind_update(listed)
    today = copy_home(root / "today")
    rescored = run_flrisk(today, "refresh", "--as-of", date.today().isoformat())
    assert rescored.returncode == 0, rescored.stdout + rescored.stderr
    fast, full = shutil.copytree(today, root / "fast"), shutil.copytree(today, root / "full")
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
    return {"fast": fast, "full": full, "before": today, "load_output": loaded.stdout}


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


def test_the_load_scores_only_the_facilities_it_touched(loaded_and_refreshed):
    fast = latest_metadata(loaded_and_refreshed["fast"], "published.facility_risk")
    full = latest_metadata(loaded_and_refreshed["full"], "published.facility_risk")
    assert fast["scope"] == "touched", fast["scope_reason"]
    assert full["scope"] == "all"  # a refresh restages everything: every facility is scored
    touched = latest_metadata(loaded_and_refreshed["fast"], "resolved.facilities")["touched_facilities"]
    assert fast["touched_facilities"] == touched
    assert 0 < fast["scored_facilities"] == len(touched) < fast["dagster/row_count"]
    history = latest_metadata(loaded_and_refreshed["fast"], "published.facility_risk_history")
    assert history["compared"] == f"{len(touched)} touched facilities"


def test_a_new_record_of_an_existing_facility_joins_it_and_the_facility_is_rescored(loaded_and_refreshed):
    # the list spells a facility of Northwind's first list in capitals: a new record, the same facility
    before = _links(loaded_and_refreshed["before"])
    after = _links(loaded_and_refreshed["fast"])
    new = after.join(before, on="record_id", how="anti")
    joined = new.filter(pl.col("facility_id").is_in(before["facility_id"].implode()))
    assert joined.height >= 1
    touched = latest_metadata(loaded_and_refreshed["fast"], "published.facility_risk")["touched_facilities"]
    assert set(joined["facility_id"]) <= set(touched)
    assert set(new["facility_id"]) <= set(touched)


def test_the_resolved_layer_is_checked_on_the_rows_the_load_wrote(loaded_and_refreshed):
    with dg.DagsterInstance.from_config(str(loaded_and_refreshed["fast"] / "dagster")) as instance:
        for table in ("match_index_keys", "match_index", "facilities", "record_links"):
            key = dg.AssetCheckKey(dg.AssetKey(["resolved", table]), "contract_rules")
            evaluation = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)[0]
            data = evaluation.event.dagster_event.event_specific_data
            assert data.passed, table
            assert data.metadata["checked"].value.endswith("rows written by this run"), table


def _links(home) -> pl.DataFrame:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql("SELECT record_id, facility_id FROM resolved.record_links").pl()


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
    # and so every facility is scored again (the demo was also scored as of another day)
    assert latest_metadata(home, "published.facility_risk")["scope"] == "all"


def test_a_duplicate_key_planted_in_the_match_index_still_fails_the_load(loaded_and_refreshed, tmp_path):
    # a row added outside a run: the index no longer holds what its last check saw, so the load's
    # check looks at the whole table again and finds the duplicate primary key
    home = shutil.copytree(loaded_and_refreshed["before"], tmp_path / "home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("INSERT INTO resolved.match_index_keys SELECT * FROM resolved.match_index_keys LIMIT 1")
    listed = tmp_path / "northwind_update.csv"
    northwind_update(listed)
    loaded = run_flrisk(home, "load", "supplier-list", str(listed), "--contributor", "Northwind Apparel")
    assert loaded.returncode != 0
    assert "resolved/match_index_keys" in loaded.stdout + loaded.stderr
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        key = dg.AssetCheckKey(dg.AssetKey(["resolved", "match_index_keys"]), "contract_rules")
        data = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)[0]
    evaluation = data.event.dagster_event.event_specific_data
    assert not evaluation.passed
    assert evaluation.metadata["checked"].value == "whole table"
    assert "match_index_keys__primary_key__unique" in evaluation.metadata["failures"].value
