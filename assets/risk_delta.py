"""Scoring only the facilities a load touched and carrying every other published row over (issue 19).

`assets/risk_scope.py` decides when that gives what scoring everything gives. Here: the evidence of
the touched facilities is read (their resolved rows and links, the records linked to them and those
records' audits; the shared reference tables whole), scored by the same `score_facilities`, and their
rows in the three per-facility tables replaced in one transaction whose contract checks look at the
rows written (`Warehouse.publish_rows`). The two aggregates are small and are rebuilt from the
published tables as they then stand, by the same functions as a full run.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.resources import WarehouseResource
from data_contracts import load_contract
from risk_model.aggregates import brand_exposure, country_commodity_risk
from risk_model.inputs import RiskInputs
from risk_model.parameters import RiskParameters
from risk_model.score import score_facilities
from warehouse.sql import quoted

PER_FACILITY = {
    "published.facility_risk": "facility_risk",
    "published.facility_risk_drivers": "facility_risk_drivers",
    "published.list_screening_hits": "list_screening_hits",
}
TOUCHED_FACILITIES = "SELECT facility_id FROM touched"
TOUCHED_RECORDS = f"SELECT record_id FROM resolved.record_links WHERE facility_id IN ({TOUCHED_FACILITIES})"
BY_FACILITY = ("resolved.facilities", "resolved.record_links")
BY_RECORD = (
    "staged.audit_findings",
    "staged.worker_voice_grievances",
    "staged.worker_voice_surveys",
    "staged.audits",
)
WHOLE = (
    "staged.reference_dol_goods",
    "staged.reference_entity_lists",
    "staged.reference_country_risk",
    "resolved.list_hit_decisions",
    "resolved.facility_id_aliases",
)
RECORD_COLUMNS = "record_id, source_type, contributor, name, parent_company, address, processing_types"
BRANDS_SQL = "SELECT DISTINCT contributor FROM staged.facility_records WHERE source_type = 'supplier_list'"
EXPOSURE_SQL = (
    "SELECT facility_id, facility_name, risk_score, risk_band, contributors FROM published.facility_risk"
)
# what a worker-voice driver tells a reader (its rank among the facility's drivers is no number)
VOICE_NUMBERS = ["driver_id", "facility_id", "points", "description", "evidence_source", "evidence_date"]
VOICE_DRIVERS_SQL = "SELECT * FROM published.facility_risk_drivers WHERE component = 'worker_voice'"
SECTOR_DRIVERS_SQL = (
    "SELECT facility_id, component, evidence_list_entry FROM published.facility_risk_drivers "
    "WHERE component = 'sector'"
)


def touched_inputs(warehouse: WarehouseResource, touched: list[str], as_of: date) -> RiskInputs:
    """The evidence of the `touched` facilities (shared tables whole), as `risk.read_inputs` gives it
    for every facility."""
    for table in (*BY_FACILITY, *BY_RECORD, *WHOLE, "staged.facility_records"):
        warehouse.ensure(table)
    frames: dict[str, pl.DataFrame] = {}
    with warehouse.connect() as con:
        con.register("touched", pl.DataFrame({"facility_id": touched}, schema={"facility_id": pl.String}))
        for table in BY_FACILITY:
            frames[table] = con.sql(
                f"SELECT * FROM {quoted(table)} WHERE facility_id IN ({TOUCHED_FACILITIES})"
            ).pl()
        for table in BY_RECORD:
            frames[table] = con.sql(
                f"SELECT * FROM {quoted(table)} WHERE record_id IN ({TOUCHED_RECORDS})"
            ).pl()
        records = con.sql(
            f"SELECT {RECORD_COLUMNS} FROM staged.facility_records WHERE record_id IN ({TOUCHED_RECORDS})"
        ).pl()
        for table in WHOLE:
            frames[table] = con.sql(f"SELECT * FROM {quoted(table)}").pl()
        con.unregister("touched")
    return RiskInputs(
        frames["resolved.facilities"],
        frames["resolved.record_links"],
        frames["staged.audit_findings"],
        frames["staged.worker_voice_grievances"],
        frames["staged.worker_voice_surveys"],
        frames["staged.reference_dol_goods"],
        frames["staged.reference_entity_lists"],
        as_of=as_of,
        country_risk=frames["staged.reference_country_risk"],
        audits=frames["staged.audits"],
        facility_records=records,
        list_hit_decisions=frames["resolved.list_hit_decisions"],
        facility_id_aliases=frames["resolved.facility_id_aliases"],
    )


def publish_touched(
    warehouse: WarehouseResource, touched: list[str], as_of: date, params: RiskParameters
) -> dict[str, int] | None:
    """Score the touched facilities, replace their published rows, rebuild the aggregates; returns the
    rows now in each published table, or None (nothing written) when the touched facilities'
    worker-voice drivers changed: the disclosure audit then needs the full path."""
    inputs = touched_inputs(warehouse, touched, as_of)
    scored = score_facilities(inputs, params)
    frames = {
        table: scored[name].select(load_contract(table).column_names) for table, name in PER_FACILITY.items()
    }
    if voice_changed(warehouse, touched, frames["published.facility_risk_drivers"]):
        return None
    warehouse.publish_rows(frames, "facility_id", touched)
    brands = sorted(warehouse.query(BRANDS_SQL)["contributor"].to_list())
    aggregates = {
        "published.brand_exposure": brand_exposure(warehouse.query(EXPOSURE_SQL), brands),
        "published.country_commodity_risk": country_commodity_risk(
            inputs.current().dol_goods, warehouse.query(SECTOR_DRIVERS_SQL), params
        ),
    }
    for table, frame in aggregates.items():
        warehouse.publish(table, frame.select(load_contract(table).column_names))
    return {table: warehouse.row_count(table) for table in (*PER_FACILITY, *aggregates)}


def voice_changed(warehouse: WarehouseResource, touched: list[str], drivers: pl.DataFrame) -> bool:
    """Do the touched facilities' new worker-voice drivers differ from the published ones?"""
    contract = load_contract("published.facility_risk_drivers")
    with warehouse.connect() as con:
        con.register("touched", pl.DataFrame({"facility_id": touched}, schema={"facility_id": pl.String}))
        published = con.sql(f"{VOICE_DRIVERS_SQL} AND facility_id IN ({TOUCHED_FACILITIES})").pl()
        con.unregister("touched")
    new = contract.conform(drivers.filter(pl.col("component") == "worker_voice")).select(VOICE_NUMBERS)
    old = contract.conform(published).select(VOICE_NUMBERS)
    return not new.sort(new.columns, nulls_last=True).equals(old.sort(old.columns, nulls_last=True))
