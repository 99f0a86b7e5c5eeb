"""Combine the components into the published risk tables.

risk_score = sum(weight_c x score_c) over the five components (weights in parameters.yaml), 0-100.
Band, score floor and band reason: risk_model/bands.py (a confirmed list hit forces critical, a facility
in a risk region such as the XUAR gets at least high, a facility without facility-level evidence is
unknown, never low; a forced band floors the score into its range). List-hit states:
risk_model/screening_states.py. Risk regions: risk_model/regions.py. Drivers, their one order and
driver_1..3: risk_model/drivers.py. Confidence: risk_model/confidence.py.
"""

from __future__ import annotations

import polars as pl

from risk_model.bands import severity_order, with_band
from risk_model.components import audit_component, country_component, sector_component
from risk_model.confidence import with_confidence
from risk_model.drivers import location_drivers, ranked, top_three
from risk_model.inputs import RiskInputs
from risk_model.list_decisions import apply_decisions
from risk_model.parameters import RiskParameters
from risk_model.regions import LOCATION_SCHEMA, locate
from risk_model.screening import list_component, screen
from risk_model.screening_states import CONFIRMED
from risk_model.worker_voice import worker_voice_component

COMPONENTS = ("country", "sector", "list_exposure", "audit", "worker_voice")


def locations(inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    """Facilities located in a risk region or flagged for a location check (risk_model.regions)."""
    if (
        not params.raw.get("risk_regions", {}).get("apply", True)
        or "address" not in inputs.facilities.columns
    ):
        return pl.DataFrame(schema=LOCATION_SCHEMA)
    records = inputs.facility_records
    addresses = None
    if records is not None and "address" in records.columns:
        addresses = records.join(
            inputs.record_links.select("record_id", "facility_id"), on="record_id"
        ).select("facility_id", "address")
    facilities = inputs.facilities
    if "lng" not in facilities.columns:
        facilities = facilities.with_columns(lng=pl.lit(None, pl.Float64))
    minimum = params["risk_regions"].get("minimum_band") or {}
    return locate(facilities, addresses).with_columns(
        minimum_band=pl.col("region_id").replace_strict(
            minimum, default=pl.col("minimum_band"), return_dtype=pl.String
        )
    )


def score_facilities(inputs: RiskInputs, params: RiskParameters) -> dict[str, pl.DataFrame]:
    """`facility_risk`, `facility_risk_drivers` and `list_screening_hits` frames."""
    inputs = inputs.current()
    hits = apply_decisions(screen(inputs, params), inputs.list_hit_decisions, inputs.facility_id_aliases)
    located = locations(inputs, params)
    parts = [
        country_component(inputs, params),
        sector_component(inputs, params),
        list_component(hits, params),
        audit_component(inputs, params),
        worker_voice_component(inputs, params),
    ]
    weights = params["component_weights"]
    drivers = ranked(pl.concat([location_drivers(located), *[d for d, _ in parts]]), weights)
    risk = inputs.facilities.select("facility_id", "name", "country_code", "os_id", "contributors", "lat")
    for _, scores in parts:
        risk = risk.join(scores, on="facility_id", how="left")
    risk = risk.with_columns(pl.col(f"{c}_score").fill_null(0.0).round(2) for c in COMPONENTS)
    risk = risk.with_columns(
        risk_score=pl.sum_horizontal(weights[c] * pl.col(f"{c}_score") for c in COMPONENTS).round(2)
    )
    risk = with_confidence(risk, inputs, params).join(
        located.select("facility_id", "minimum_band", "region_driver", "location_check"),
        on="facility_id",
        how="left",
    )
    risk = with_band(risk, _confirmed_hits(hits), params).join(
        top_three(drivers), on="facility_id", how="left"
    )
    risk = risk.with_columns(
        facility_name=pl.col("name"),
        as_of_date=pl.lit(inputs.as_of),
        methodology_version=pl.lit(params.methodology_version),
        evidence_count=pl.col("evidence_count").fill_null(0).cast(pl.Int64),
    )
    return {
        "facility_risk": severity_order(risk),
        "facility_risk_drivers": drivers,
        "list_screening_hits": hits,
    }


def _confirmed_hits(hits: pl.DataFrame) -> pl.DataFrame:
    """(facility_id, confirmed_hit): the first confirmed hit of each facility, in words."""
    return (
        hits.filter(pl.col("status") == CONFIRMED)
        .sort("facility_id", "list_name", "list_entity_name")
        .group_by("facility_id", maintain_order=True)
        .agg(
            pl.format(
                "confirmed {} hit '{}'", pl.col("list_name").str.replace_all("_", " "), "list_entity_name"
            )
            .first()
            .alias("confirmed_hit")
        )
    )
