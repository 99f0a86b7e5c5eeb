"""Issue 16, break 2 (resolution): removed records never break resolution, in either mode. The asset's
own path (`resolve_into_warehouse`: plan, resolve or update, write in one transaction) runs on a real
DuckDB warehouse with removals only, additions only, both, and every record removed; each run is
checked against a full re-resolve of the same records."""

from __future__ import annotations

import polars as pl
import pytest

from assets.resolution import resolve_into_warehouse
from assets.resources import WarehouseResource
from data_contracts import load_contract
from entity_resolution.settings import ResolutionSettings
from tests.entity_resolution.test_update import EXISTING, NEW, incremental, previous_of, records

SETTINGS = ResolutionSettings()
WITHOUT_E7 = [row for row in EXISTING if row["record_id"] != "e7"]  # e7 is a facility on its own
SCENARIOS = {  # few enough changes that the planner stays incremental, except when nothing is left
    "removals only": WITHOUT_E7,
    "additions only": EXISTING + NEW[:3],
    "both": WITHOUT_E7 + NEW[:3],
    "everything removed": [],
}


def staged(rows: list[dict]) -> pl.DataFrame:
    """staged.facility_records rows for the test records."""
    contract = load_contract("staged.facility_records")
    frame = records(rows) if rows else records(EXISTING).clear()
    filled = {"source_file": "list.csv", "source_row": 1, "load_id": "load-1"}
    frame = frame.with_columns(
        *[pl.lit(value).alias(name) for name, value in filled.items() if name not in frame.columns],
        name_raw=pl.col("name"),
        country_raw=pl.col("country_code"),
    )
    missing = [c for c in contract.polars_schema() if c not in frame.columns]
    frame = frame.with_columns(*[pl.lit(None).alias(name) for name in missing])
    return contract.conform(frame.select(list(contract.polars_schema())))


def facilities_of(warehouse: WarehouseResource) -> dict[str, set[str]]:
    links = warehouse.read("resolved.record_links")
    grouped = links.group_by("facility_id").agg(pl.col("record_id"))
    return {facility: set(members) for facility, members in grouped.iter_rows()}


@pytest.mark.parametrize("mode", ["incremental", "full"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_resolution_applies_removals_and_additions(tmp_path, scenario, mode):
    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))
    warehouse.replace("staged.facility_records", staged(EXISTING))
    resolve_into_warehouse(warehouse, SETTINGS, full=True)
    now = SCENARIOS[scenario]
    warehouse.replace("staged.facility_records", staged(now))

    plan, _ = resolve_into_warehouse(warehouse, SETTINGS, full=mode == "full")

    links = warehouse.read("resolved.record_links")
    assert sorted(links["record_id"].to_list()) == sorted(row["record_id"] for row in now)
    facilities = warehouse.read("resolved.facilities")
    assert set(facilities["facility_id"]) == set(links["facility_id"])
    index = warehouse.read("resolved.match_index")
    assert sorted(index["record_id"].to_list()) == sorted(row["record_id"] for row in now)
    if mode == "incremental" and scenario != "everything removed":
        assert plan.mode == "incremental", plan.reason
    reference = WarehouseResource(database=str(tmp_path / "reference.duckdb"))
    reference.replace("staged.facility_records", staged(now))
    resolve_into_warehouse(reference, SETTINGS, full=True)
    assert sorted(map(sorted, facilities_of(warehouse).values())) == sorted(
        map(sorted, facilities_of(reference).values())
    )


def test_an_incremental_update_that_removes_every_record_leaves_nothing():
    existing = records(EXISTING)
    update = incremental(existing, existing.clear(), previous_of(existing)).resolution
    assert update.facilities.is_empty() and update.record_links.is_empty()
    assert update.facilities.schema["facility_id"] == pl.String


def test_an_incremental_update_that_removes_a_whole_facility_drops_it():
    existing = records(EXISTING)
    previous = previous_of(existing)
    gone = previous.record_links.filter(pl.col("record_id") == "e7")["facility_id"].item()
    update = incremental(existing, records(WITHOUT_E7), previous).resolution
    assert gone not in set(update.facilities["facility_id"])
    assert update.facilities.height == previous.facilities.height - 1
