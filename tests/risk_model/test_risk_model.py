"""The risk model on a tiny, hand-checked world: components, bands, drivers and k-anonymity."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from risk_model.aggregates import brand_exposure
from risk_model.inputs import RiskInputs
from risk_model.parameters import load_parameters
from risk_model.score import score_facilities
from risk_model.worker_voice_summary import summarise

AS_OF = date(2026, 11, 1)


def facilities() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "facility_id": ["F-RISKY", "F-QUIET", "F-CLEAN"],
            "name": ["Hotan Taida Apparel Company Limited", "Quiet Knit Mill", "Nordic Wool AB"],
            "address": [None, None, None],
            "country_code": ["CN", "CN", "SE"],
            "lat": [37.1, None, 59.3],
            "lng": [79.9, None, 18.0],
            "os_id": [None, None, None],
            "os_ids": [[], [], []],
            "sectors": [["Apparel"], ["Apparel"], ["Apparel"]],
            "product_types": [["Cotton garments"], [], []],
            "parent_company": [None, None, None],
            "workers_min": [400, None, 50],
            "workers_max": [400, None, 50],
            "record_count": [3, 1, 1],
            "source_types": [["supplier_list"]] * 3,
            "contributors": [["Brand A"], ["Brand A", "Brand B"], ["Brand B"]],
        },
        schema_overrides={
            "address": pl.String,
            "os_id": pl.String,
            "parent_company": pl.String,
            "os_ids": pl.List(pl.String),
        },
    )


def inputs(**overrides) -> RiskInputs:
    links = pl.DataFrame({"record_id": ["r1", "r2", "r3"], "facility_id": ["F-RISKY", "F-QUIET", "F-CLEAN"]})
    findings = pl.DataFrame(
        {
            "finding_id": ["f1", "f2", "f3"],
            "audit_id": ["a1"] * 3,
            "record_id": ["r1"] * 3,
            "scheme": ["SMETA"] * 3,
            "scheme_version": ["7.0"] * 3,
            "audit_date": [date(2026, 5, 1)] * 3,
            "audit_expiry_date": [date(2027, 5, 1)] * 3,
            "ilo_indicator": ["retention_of_identity_documents", "debt_bondage", None],
            "severity": ["critical", "major", "minor"],
            "corrective_action_status": ["open", "closed", "open"],
        }
    )
    grievances = pl.DataFrame(
        {
            "case_key": [f"c{i}" for i in range(14)],
            "record_id": ["r1"] * 14,
            "received_date": [date(2026, 4, 1)] * 14,
            "ilo_indicator": ["withholding_of_wages"] * 14,
        }
    )
    surveys = pl.DataFrame(
        {
            "record_id": ["r1"],
            "survey_period": ["2026-Q2"],
            "ilo_indicator": ["restriction_of_movement"],
            "respondents": [120],
            "respondents_reporting": [30],
        }
    )
    dol = pl.DataFrame(
        {
            "entry_id": ["d1", "d2"],
            "good": ["Garments", "Cotton"],
            "country_code": ["CN", "CN"],
            "child_labor": [False, True],
            "forced_labor": [True, True],
            "forced_child_labor": [False, False],
        }
    )
    entities = pl.DataFrame(
        {
            "entry_id": ["e1"],
            "list_name": ["uflpa_entity_list"],
            "entity_name": ["Hetian Taida Apparel Co., Ltd."],
            "aliases": [["Hotan Taida Apparel"]],
            "country_code": ["CN"],
        }
    )
    base = dict(
        facilities=facilities(),
        record_links=links,
        audit_findings=findings,
        grievances=grievances,
        surveys=surveys,
        dol_goods=dol,
        entity_lists=entities,
        as_of=AS_OF,
    )
    return RiskInputs(**(base | overrides))


@pytest.fixture(scope="module")
def scored():
    return score_facilities(inputs(), load_parameters())


def test_facility_with_evidence_scores_critical_with_plain_language_drivers(scored):
    risky = scored["facility_risk"].filter(pl.col("facility_id") == "F-RISKY").row(0, named=True)
    assert risky["risk_band"] in {"high", "critical"}
    assert scored["facility_risk"]["facility_id"][0] == "F-RISKY"
    assert risky["audit_score"] > 0 and risky["worker_voice_score"] > 0 and risky["list_exposure_score"] > 80
    assert risky["driver_1"].startswith("Name 'Hotan Taida Apparel")  # forcing evidence is the headline
    drivers = scored["facility_risk_drivers"].filter(pl.col("facility_id") == "F-RISKY")
    assert drivers["description"].str.contains("identity documents").any()


def test_no_evidence_means_unknown_not_low(scored):
    risk = {row["facility_id"]: row for row in scored["facility_risk"].iter_rows(named=True)}
    assert risk["F-QUIET"]["risk_band"] == "unknown"
    assert risk["F-QUIET"]["confidence"] < risk["F-RISKY"]["confidence"]
    assert risk["F-CLEAN"]["risk_score"] < risk["F-QUIET"]["risk_score"]


def test_list_screening_hit_keeps_entry_and_score_as_evidence(scored):
    hits = scored["list_screening_hits"]
    assert hits["facility_id"].to_list() == ["F-RISKY"]
    # "Hotan Taida Apparel Company Limited" is the list alias "Hotan Taida Apparel" once the legal form
    # is removed: an exact normalised match is confirmed
    assert hits["list_entry_id"][0] == "e1" and hits["status"][0] == "confirmed"


def test_drivers_carry_evidence_references(scored):
    audit = scored["facility_risk_drivers"].filter(pl.col("component") == "audit")
    assert set(audit["evidence_finding_id"]) == {"f1", "f2"}  # the non-forced-labour finding is not a driver
    assert audit["driver_id"].n_unique() == audit.height


def test_grievances_below_k_are_not_used():
    few = inputs(grievances=inputs().grievances.head(5), surveys=inputs().surveys.head(0))
    risky = score_facilities(few, load_parameters())["facility_risk"].filter(
        pl.col("facility_id") == "F-RISKY"
    )
    assert risky["worker_voice_score"][0] == 0


def test_brand_exposure_shares_sum_to_one(scored):
    exposure = brand_exposure(scored["facility_risk"])
    shares = exposure.select(pl.sum_horizontal(pl.col("^share_.*$")).alias("total"))["total"]
    assert all(abs(total - 1) < 1e-3 for total in shares)
    assert exposure.filter(pl.col("contributor") == "Brand A")["facility_count"][0] == 2


def test_worker_voice_summary_suppresses_below_k_and_a_complement():
    links = pl.DataFrame({"record_id": ["r1"], "facility_id": ["F"]})
    grievances = pl.DataFrame(
        {
            "record_id": ["r1"] * 40,
            "received_date": [date(2026, 4, 1)] * 40,
            "ilo_indicator": ["withholding_of_wages"] * 25 + ["debt_bondage"] * 12 + ["isolation"] * 3,
        }
    )
    surveys = pl.DataFrame(
        schema={
            "record_id": pl.String,
            "survey_period": pl.String,
            "ilo_indicator": pl.String,
            "respondents": pl.Int64,
            "respondents_reporting": pl.Int64,
        }
    )
    summary = summarise(grievances, surveys, links, k=11)
    reasons = dict(summary.select("ilo_indicator", "suppression_reason").iter_rows())
    assert reasons == {"isolation": "below_k", "debt_bondage": "complementary", "withholding_of_wages": None}
    assert summary.filter(pl.col("suppressed"))["grievance_cases"].null_count() == 2


def test_gsi_file_replaces_the_dol_fallback_for_its_countries():
    gsi = pl.DataFrame(
        {
            "entry_id": ["g1"],
            "edition": [2023],
            "country_code": ["CN"],
            "prevalence_per_1000": [4.0],
            "vulnerability_score": [50.0],
        }
    )
    scored = score_facilities(inputs(country_risk=gsi), load_parameters())
    country = scored["facility_risk_drivers"].filter(pl.col("component") == "country")
    chinese = country.filter(pl.col("facility_id") == "F-RISKY")
    assert chinese["description"][0].startswith("CN: Global Slavery Index 2023")
    assert chinese["points"][0] == pytest.approx(0.5 * 40 + 0.5 * 50)


def test_revoked_list_entries_and_older_dol_editions_are_not_exposure():
    revoked = inputs().entity_lists.with_columns(status=pl.lit("revoked"))
    assert score_facilities(inputs(entity_lists=revoked), load_parameters())["list_screening_hits"].is_empty()
    dol = inputs().dol_goods.with_columns(edition=pl.lit(2022))
    newer = dol.filter(pl.col("good") == "Garments").with_columns(
        edition=pl.lit(2024), forced_labor=pl.lit(False), child_labor=pl.lit(True), entry_id=pl.lit("d9")
    )
    scored = score_facilities(inputs(dol_goods=pl.concat([dol, newer])), load_parameters())
    garments = scored["facility_risk_drivers"].filter(pl.col("evidence_list_entry") == "d9")
    assert garments["points"].to_list() == [50.0, 50.0]  # child labour only in the 2024 edition
