"""connectors.sources.oshub_api.standardise: raw.oshub_api records (both endpoints) -> facility_records."""

from __future__ import annotations

import json

import polars as pl
import pytest

from connectors.ids import facility_record_id
from connectors.sources import oshub_api
from connectors.sources.oshub_api import FACILITIES, PRODUCTION_LOCATIONS, raw_frame
from connectors.staging import reconcile
from data_contracts import load_contract
from tests.fakes.oshub_server import recorded

LOCATIONS_FILE = "api:/api/v1/production-locations/"


def by_os_id(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["os_id"]: row for row in frame.iter_rows(named=True)}


def reasons(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for row in result.rejected.iter_rows(named=True):
        found.setdefault(row["source_row"], []).append(row["reason_code"])
    return found


@pytest.fixture
def locations():
    raw = raw_frame(recorded("production_locations.json"), PRODUCTION_LOCATIONS, 1, "load-1")
    return raw, oshub_api.standardise(raw)


@pytest.fixture
def features():
    records = [feature for country in recorded("facilities_geojson.json").values() for feature in country]
    raw = raw_frame(records, FACILITIES, 1, "load-2")
    return raw, oshub_api.standardise(raw)


def test_a_production_location_becomes_a_facility_record(locations):
    raw, result = locations
    records = by_os_id(result.tables["facility_records"])
    first = records["BD2020021QK28YZ"]
    assert (first["source_type"], first["contributor"]) == ("oshub_api", "Open Supply Hub")
    assert (first["load_id"], first["source_file"], first["source_row"]) == ("load-1", LOCATIONS_FILE, 1)
    assert (first["name"], first["country_raw"], first["country_code"]) == (
        "Example Knit Garments Ltd.",
        "BD",
        "BD",
    )
    assert (first["lat"], first["lng"], first["coordinate_flag"]) == (24.2206888, 90.41227169999999, None)
    assert first["sectors"] == ["Apparel"] and first["product_types"] == ["Woven Bottoms"]
    assert first["facility_types"] == ["Final Product Assembly", "Textile or Material Production"]
    assert first["processing_types"] == ["Cut & Sew", "Embroidery", "Finishing"]
    assert (first["workers_min"], first["workers_max"], first["number_of_workers_raw"]) == (
        5300,
        5300,
        "5300",
    )
    assert first["parent_company"] == "Example Group" and first["is_closed"] is False
    assert first["extra_fields"] is None
    assert first["record_id"] == facility_record_id(
        "oshub_api",
        "Open Supply Hub",
        "Example Knit Garments Ltd.",
        "Plot 7, Example Road, Sreepur, Gazipur",
        "BD",
        "BD2020021QK28YZ",
    )
    denim = records["BD2021113R7R87P"]
    assert (denim["workers_min"], denim["workers_max"], denim["sectors"]) == (
        1001,
        5000,
        ["Apparel", "Textiles"],
    )
    assert records["CN2019303BQ3FZP"]["is_closed"] is True
    assert records["TR2022209HY45S8"]["lat"] is None  # no coordinates given


def test_invalid_os_ids_and_missing_names_are_quarantined(locations):
    raw, result = locations
    assert reasons(result) == {12: ["invalid_os_id"], 13: ["missing_required"]}
    rejected = {row["source_row"]: row for row in result.rejected.iter_rows(named=True)}
    assert "check character 'X'" in rejected[12]["message"]
    assert rejected[13]["column_name"] == "name" and "(file column" not in rejected[13]["message"]
    assert json.loads(rejected[12]["payload"]) == recorded("production_locations.json")[11]  # as received
    assert reconcile(raw, result)["balanced"]


def test_unknown_keys_are_reported_and_kept(locations):
    _, result = locations
    assert result.unknown_columns == {LOCATIONS_FILE: ("new_partner_field",)}
    bursa = by_os_id(result.tables["facility_records"])["TR2023120P10AZG"]
    assert json.loads(bursa["extra_fields"]) == {"new_partner_field": '{"status": "Active"}'}


def test_the_staged_frame_has_the_contract_columns(locations):
    _, result = locations
    contract = load_contract("staged.facility_records")
    assert contract.conform(result.tables["facility_records"]).height == 11


def test_geojson_features_become_facility_records(features):
    raw, result = features
    records = by_os_id(result.tables["facility_records"])
    hai_phong = records["VN2020015A1B2CJ"]
    assert (hai_phong["lat"], hai_phong["lng"]) == (20.84, 106.71)  # GeoJSON is [lng, lat]
    assert hai_phong["is_closed"] is True and hai_phong["source_file"] == "api:/api/facilities/"
    assert records["BD2021120XK9P1Y"]["coordinate_flag"] == "null_island"
    assert records["BD2021113R7R87P"]["is_closed"] is None
    assert result.unknown_columns == {} and result.rejected.height == 0
    assert reconcile(raw, result)["balanced"]


def test_values_of_the_wrong_type_are_quarantined():
    record = recorded("production_locations.json")[1]
    odd = [
        {**record, "name": ["Ashulia", "Denim"]},
        {**record, "coordinates": {"lat": "north", "lng": 90.3}},
        {**record, "is_closed": "sometimes"},
        {**record, "country": {"alpha_2": "XX", "name": "Nowhere"}},
        record,
        record,
    ]
    result = oshub_api.standardise(raw_frame(odd, PRODUCTION_LOCATIONS, 1, "load-3"))
    assert reasons(result) == {
        1: ["unknown_value"],
        2: ["invalid_coordinates"],
        3: ["unknown_value"],
        4: ["unknown_country"],
        6: ["duplicate_row"],
    }
    message = result.rejected.filter(pl.col("source_row") == 4)["message"][0]
    assert "(file column 'country.alpha_2')" in message


def test_rows_from_an_unknown_endpoint_are_refused():
    raw = raw_frame([{"x": 1}], "/api/v1/something-else/", 1, "load-4")
    with pytest.raises(ValueError, match="unknown endpoint"):
        oshub_api.standardise(raw)
