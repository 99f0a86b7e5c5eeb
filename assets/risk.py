"""Risk: score every resolved facility and publish the risk tables under their contracts."""

from datetime import date

import dagster as dg

from assets.disclosure import audit_before_publish
from assets.metadata import key_of, timed
from assets.resolution_delta import TOUCHED
from assets.resources import WarehouseResource
from assets.risk_delta import publish_touched
from assets.risk_scope import FINGERPRINT, SCOPE, risk_fingerprint, touched_scope
from assets.worker_voice import summary_of
from data_contracts import load_contract
from risk_model.aggregates import brand_exposure, country_commodity_risk
from risk_model.inputs import RiskInputs, scoring_date
from risk_model.parameters import load_parameters
from risk_model.score import score_facilities

EVIDENCE = [
    "resolved.facilities",
    "resolved.record_links",
    "staged.audit_findings",
    "staged.worker_voice_grievances",
    "staged.worker_voice_surveys",
    "staged.reference_dol_goods",
    "staged.reference_entity_lists",
    "staged.reference_country_risk",
    "staged.audits",
    "staged.facility_records",
]
REVIEW = ["resolved.list_hit_decisions", "resolved.facility_id_aliases"]  # read beside the evidence
RECORD_COLUMNS = (
    "SELECT record_id, source_type, contributor, name, parent_company, address, processing_types "
    "FROM staged.facility_records"
)
PUBLISHED_TABLES = {
    "published.facility_risk": "one row per resolved facility with score, band, confidence, top drivers",
    "published.facility_risk_drivers": "one row per facility and piece of evidence behind its score",
    "published.list_screening_hits": "one row per facility x trade-restriction list entry it resembles",
    "published.brand_exposure": "one row per contributor (brand or source) with its risk profile",
    "published.country_commodity_risk": "one row per country x good on the US DOL list",
}


list_hit_decisions = dg.AssetSpec(
    key_of("resolved.list_hit_decisions"),
    group_name="risk",
    description="resolved.list_hit_decisions: one row per human confirm/reject decision on a list "
    "screening hit; written by `flrisk review-hit`, read (never overwritten) by the pipeline.",
    kinds={"duckdb"},
)


class RiskConfig(dg.Config):
    """`as_of` (YYYY-MM-DD) fixes the date scores are computed for; default: today."""

    as_of: str = ""


def read_inputs(warehouse: WarehouseResource, as_of: date) -> RiskInputs:
    """Every evidence table the risk model reads, from the warehouse (source records: only the
    columns screening and brand sharing need)."""
    *tables, country_risk, audits = [warehouse.read(table) for table in EVIDENCE[:-1]]
    warehouse.ensure("staged.facility_records")
    records = warehouse.query(RECORD_COLUMNS)
    decisions, aliases = [warehouse.read(table) for table in REVIEW]  # created empty, never written here
    return RiskInputs(
        *tables,
        as_of=as_of,
        country_risk=country_risk,
        audits=audits,
        facility_records=records,
        list_hit_decisions=decisions,
        facility_id_aliases=aliases,
    )


def brands_of(inputs: RiskInputs) -> list[str]:
    """Contributors that sent a supplier list: the brands whose shared facilities are counted."""
    records = inputs.facility_records
    return sorted(records.filter(records["source_type"] == "supplier_list")["contributor"].unique().to_list())


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key_of(table),
            group_name="risk",
            kinds={"duckdb", "polars"},
            description=f"{table}: {grain}.",
            deps=[key_of(t) for t in EVIDENCE + REVIEW],
        )
        for table, grain in PUBLISHED_TABLES.items()
    ],
    can_subset=False,
)
def published_risk_tables(
    context: dg.AssetExecutionContext, config: RiskConfig, warehouse: WarehouseResource
):
    """Score facilities and publish each risk table atomically (blocking contract rules first): only
    the facilities a load touched when nothing else changed (assets/risk_scope.py), else every one."""
    params = load_parameters()
    try:
        as_of = scoring_date(config.as_of)
    except ValueError as error:
        raise dg.Failure(description=str(error)) from error
    with timed() as clock:
        fingerprint = risk_fingerprint(warehouse, params, as_of)
        touched, reason = touched_scope(context.instance, warehouse, fingerprint)
        rows = publish_touched(warehouse, touched, as_of, params) if touched is not None else None
        if touched is not None and rows is None:
            touched, reason = None, "the worker-voice drivers of a touched facility changed"
        if rows is None:
            rows = publish_everything(warehouse, as_of, params)
    bands = warehouse.query("SELECT risk_band, count(*) AS count FROM published.facility_risk GROUP BY ALL")
    for table in PUBLISHED_TABLES:
        yield dg.MaterializeResult(
            asset_key=key_of(table),
            metadata={
                "dagster/row_count": rows[table],
                "seconds": clock["seconds"],
                "as_of": as_of.isoformat(),
                "methodology_version": params.methodology_version,
                "bands": {row["risk_band"]: row["count"] for row in bands.sort("risk_band").to_dicts()},
                SCOPE: "touched" if touched is not None else "all",
                "scope_reason": reason,
                "scored_facilities": len(touched) if touched is not None else rows["published.facility_risk"],
                FINGERPRINT: fingerprint,
                **({TOUCHED: dg.MetadataValue.json(touched)} if touched is not None else {}),
            },
        )


def publish_everything(warehouse: WarehouseResource, as_of: date, params) -> dict[str, int]:
    """Score every facility and publish every risk table; returns the rows published per table."""
    inputs = read_inputs(warehouse, as_of)
    scored = score_facilities(inputs, params)
    frames = {
        "published.facility_risk": scored["facility_risk"],
        "published.facility_risk_drivers": scored["facility_risk_drivers"],
        "published.list_screening_hits": scored["list_screening_hits"],
        "published.brand_exposure": brand_exposure(scored["facility_risk"], brands_of(inputs)),
        "published.country_commodity_risk": country_commodity_risk(
            inputs.current().dol_goods, scored["facility_risk_drivers"], params
        ),
    }
    frames = {table: frame.select(load_contract(table).column_names) for table, frame in frames.items()}
    audit_before_publish(
        warehouse, params, summary_of(warehouse, params), frames["published.facility_risk_drivers"]
    )
    for table, frame in frames.items():
        warehouse.publish(table, frame)
    return {table: frame.height for table, frame in frames.items()}
