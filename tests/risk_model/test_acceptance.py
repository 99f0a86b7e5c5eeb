"""Issue 6's acceptance cases for the risk model, each on a small world built for it.

Two facilities that differ in exactly one respect are scored together, so every assertion compares like
with like: a list hit on the name or the parent company, the age and status of a finding, a DOL listing,
and the removal of all facility-level data.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from risk_model.inputs import RiskInputs
from risk_model.parameters import load_parameters
from risk_model.score import score_facilities

AS_OF = date(2026, 11, 1)
PARAMS = load_parameters()
FINDING_COLUMNS = {
    "finding_id": pl.String,
    "audit_id": pl.String,
    "record_id": pl.String,
    "scheme": pl.String,
    "scheme_version": pl.String,
    "audit_date": pl.Date,
    "audit_expiry_date": pl.Date,
    "ilo_indicator": pl.String,
    "severity": pl.String,
    "corrective_action_status": pl.String,
}


def facility(facility_id: str, name: str, **extra) -> dict:
    row = {
        "facility_id": facility_id,
        "name": name,
        "country_code": "CN",
        "lat": 30.0,
        "lng": 120.0,
        "os_id": None,
        "sectors": ["Apparel"],
        "product_types": [],
        "parent_company": None,
        "workers_min": 500,
        "workers_max": 500,
        "contributors": ["Brand A"],
    }
    return row | extra


def finding(finding_id: str, record_id: str, audit_date: date, status: str, **extra) -> dict:
    row = {
        "finding_id": finding_id,
        "audit_id": f"A-{finding_id}",
        "record_id": record_id,
        "scheme": "SMETA",
        "scheme_version": "7.0",
        "audit_date": audit_date,
        "audit_expiry_date": date(audit_date.year + 1, audit_date.month, audit_date.day),
        "ilo_indicator": "debt_bondage",
        "severity": "critical",
        "corrective_action_status": status,
    }
    return row | extra


def world(facility_rows: list[dict], findings: list[dict] = (), **overrides) -> RiskInputs:
    """Facilities with one record each (record id = r-<facility id>) and the given evidence."""
    facilities = pl.DataFrame(
        facility_rows,
        schema_overrides={
            "os_id": pl.String,
            "parent_company": pl.String,
            "product_types": pl.List(pl.String),
        },
    )
    links = pl.DataFrame(
        {"record_id": [f"r-{f}" for f in facilities["facility_id"]], "facility_id": facilities["facility_id"]}
    )
    base = dict(
        facilities=facilities,
        record_links=links,
        audit_findings=pl.DataFrame(list(findings), schema=FINDING_COLUMNS),
        grievances=pl.DataFrame(
            schema={"record_id": pl.String, "received_date": pl.Date, "ilo_indicator": pl.String}
        ),
        surveys=pl.DataFrame(
            schema={
                "record_id": pl.String,
                "survey_period": pl.String,
                "ilo_indicator": pl.String,
                "respondents": pl.Int64,
                "respondents_reporting": pl.Int64,
            }
        ),
        dol_goods=pl.DataFrame(
            {
                "entry_id": ["dol-garments-cn"],
                "good": ["Garments"],
                "country_code": ["CN"],
                "child_labor": [False],
                "forced_labor": [False],
                "forced_child_labor": [False],
            }
        ),
        entity_lists=pl.DataFrame(
            {
                "entry_id": ["uflpa-1"],
                "list_name": ["uflpa_entity_list"],
                "entity_name": ["Xinjiang Lucky Textile Co., Ltd."],
                "aliases": [["Lucky Textile Group"]],
                "country_code": ["CN"],
            }
        ),
        as_of=AS_OF,
    )
    return RiskInputs(**(base | overrides))


def rows(inputs: RiskInputs) -> dict[str, dict]:
    scored = score_facilities(inputs, PARAMS)
    return {row["facility_id"]: row for row in scored["facility_risk"].iter_rows(named=True)} | {
        "_drivers": scored["facility_risk_drivers"],
        "_hits": scored["list_screening_hits"],
    }


@pytest.mark.parametrize(
    "listed",
    [
        {"name": "Xinjiang Lucky Textile Company Limited"},  # the entity's name, another legal form
        {"name": "Kashgar Weaving Mill", "parent_company": "Lucky Textile Group"},  # the parent, an alias
    ],
    ids=["name", "parent"],
)
def test_uflpa_name_or_parent_match_is_critical_with_the_list_entry_as_evidence(listed):
    clean_audit = [finding("f-ok", "r-F-LISTED", date(2026, 6, 1), "closed", ilo_indicator=None)]
    result = rows(
        world(
            [facility("F-LISTED", **({"name": ""} | listed)), facility("F-OTHER", "Hangzhou Knit Mill")],
            findings=clean_audit,
        )
    )
    assert result["F-LISTED"]["risk_band"] == "critical"
    assert result["F-LISTED"]["list_exposure_score"] == 100
    hit = result["_hits"].row(0, named=True)
    assert (hit["facility_id"], hit["list_entry_id"], hit["status"]) == ("F-LISTED", "uflpa-1", "confirmed")
    evidence = result["_drivers"].filter(pl.col("component") == "list_exposure").row(0, named=True)
    assert evidence["evidence_list_entry"] == "uflpa-1"
    assert evidence["evidence_source"] == "uflpa_entity_list"
    assert "Xinjiang Lucky Textile Co., Ltd." in evidence["description"]
    assert result["F-OTHER"]["risk_band"] != "critical"


def test_a_fuzzy_list_match_is_a_pending_lead_not_a_confirmed_hit():
    result = rows(world([facility("F-NEAR", "Xinjiang Luky Textiles Co Ltd")]))
    hit = result["_hits"].row(0, named=True)
    assert hit["status"] == "candidate" and 0.88 <= hit["match_score"] < 1
    assert 0 < result["F-NEAR"]["list_exposure_score"] < 100


def test_aliases_from_source_records_are_screened_too():
    records = pl.DataFrame(
        {"record_id": ["r-F-ALIAS"], "name": ["Lucky Textile Group"], "parent_company": [None]}
    )
    result = rows(world([facility("F-ALIAS", "Kashgar Weaving Mill")], facility_records=records))
    assert result["_hits"]["screened_name"].to_list() == ["Lucky Textile Group"]


def test_recent_open_critical_debt_bondage_scores_above_an_old_closed_one():
    findings = [
        finding("f-new", "r-F-NEW", date(2026, 9, 1), "open"),
        finding("f-old", "r-F-OLD", date(2023, 9, 1), "closed"),
    ]
    result = rows(world([facility("F-NEW", "Alpha Knit"), facility("F-OLD", "Beta Knit")], findings))
    new, old = result["F-NEW"], result["F-OLD"]
    assert new["audit_score"] > old["audit_score"] > 0
    assert new["risk_score"] > old["risk_score"]
    assert "debt bondage" in new["driver_1"] and new["driver_1"].startswith("Open critical")


def test_an_expired_audit_is_noted_as_a_driver():
    findings = [finding("f-old", "r-F-OLD", date(2023, 9, 1), "closed")]
    drivers = rows(world([facility("F-OLD", "Beta Knit")], findings))["_drivers"]
    notes = drivers.filter(pl.col("description").str.starts_with("Latest audit expired on 2024-09-01"))
    assert (
        notes.height == 1
        and notes["points"][0] == 0
        and notes["evidence_source"][0] == "social audit A-f-old"
    )


def test_a_dol_forced_labour_country_good_raises_the_sector_component():
    plain = world([facility("F-1", "Alpha Knit")])
    forced = world(
        [facility("F-1", "Alpha Knit")],
        dol_goods=plain.dol_goods.with_columns(forced_labor=pl.lit(True)),
    )
    child = world(
        [facility("F-1", "Alpha Knit")],
        dol_goods=plain.dol_goods.with_columns(child_labor=pl.lit(True)),
    )
    before, after, child_only = rows(plain)["F-1"], rows(forced)["F-1"], rows(child)["F-1"]
    assert before["sector_score"] == 0
    assert after["sector_score"] > child_only["sector_score"] > 0  # forced labour weighs more
    assert after["risk_score"] > before["risk_score"]
    sector = rows(forced)["_drivers"].filter(pl.col("component") == "sector")
    assert sector["evidence_list_entry"].to_list() == ["dol-garments-cn"]


def test_removing_all_facility_level_data_lowers_confidence_and_never_yields_low():
    findings = [finding("f-1", "r-F-1", date(2026, 9, 1), "closed", severity="observation")]
    grievances = pl.DataFrame(
        {
            "record_id": ["r-F-1"] * 12,
            "received_date": [date(2026, 8, 1)] * 12,
            "ilo_indicator": [None] * 12,
        },
        schema={"record_id": pl.String, "received_date": pl.Date, "ilo_indicator": pl.String},
    )
    full = rows(
        world([facility("F-1", "Gamma Garments", sectors=["Furniture"])], findings, grievances=grievances)
    )
    bare_world = world([facility("F-1", "Gamma Garments", sectors=["Furniture"], lat=None, lng=None)])
    bare = rows(bare_world)["F-1"]
    assert full["F-1"]["risk_band"] == "low"  # a recent, clean audit and a quiet grievance channel
    assert bare["confidence"] < full["F-1"]["confidence"]
    assert bare["risk_band"] == "unknown"


def test_stale_evidence_alone_cannot_make_a_facility_low():
    findings = [finding("f-1", "r-F-1", date(2020, 1, 1), "closed", severity="observation")]
    result = rows(world([facility("F-1", "Gamma Garments", sectors=["Furniture"])], findings))["F-1"]
    assert result["confidence"] < PARAMS["low_band_min_confidence"]
    assert result["risk_band"] == "unknown"


def test_grievances_are_normalised_by_workforce_size():
    grievances = pl.DataFrame(
        {
            "record_id": ["r-F-SMALL"] * 12 + ["r-F-LARGE"] * 12,
            "received_date": [date(2026, 8, 1)] * 24,
            "ilo_indicator": ["withholding_of_wages"] * 24,
        }
    )
    result = rows(
        world(
            [
                facility("F-SMALL", "Small Mill", workers_min=100, workers_max=100),
                facility("F-LARGE", "Large Mill", workers_min=5000, workers_max=5000),
            ],
            grievances=grievances,
        )
    )
    assert result["F-SMALL"]["worker_voice_score"] > result["F-LARGE"]["worker_voice_score"] > 0


def test_scores_are_reproducible():
    inputs = world(
        [facility("F-1", "Alpha Knit"), facility("F-2", "Xinjiang Lucky Textile Co")],
        [finding("f-1", "r-F-1", date(2026, 9, 1), "open")],
    )
    first, second = score_facilities(inputs, PARAMS), score_facilities(inputs, PARAMS)
    for table in first:
        assert first[table].equals(second[table]), table
