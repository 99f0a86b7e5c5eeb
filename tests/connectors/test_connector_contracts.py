"""Every connector: exact SPEC columns, read = staged + quarantined, every reason code used."""

from __future__ import annotations

import polars as pl
import pytest

from connectors.reason_codes import quarantine_codes
from connectors.schemas import REJECTED_SCHEMA
from connectors.sources import (
    dol_goods,
    entity_lists,
    oshub_download,
    social_audit,
    supplier_list,
    worker_voice_grievances,
    worker_voice_surveys,
)
from connectors.staging import Standardised, reconcile
from connectors.vocabulary import ilo_indicators, lookup_category, map_severity, reason_codes

S, INT, F, B, D, L = pl.String, pl.Int64, pl.Float64, pl.Boolean, pl.Date, pl.List(pl.String)
PROVENANCE = {"load_id": S, "source_file": S, "source_row": INT}
# Written out from SPEC.md independently of connectors/schemas.py.
SPEC_COLUMNS = {
    "facility_records": {
        "record_id": S,
        "source_type": S,
        "contributor": S,
        **PROVENANCE,
        "os_id": S,
        "name_raw": S,
        "name": S,
        "address_raw": S,
        "address": S,
        "country_raw": S,
        "country_code": S,
        "lat": F,
        "lng": F,
        "coordinate_flag": S,
        "sectors": L,
        "product_types": L,
        "facility_types": L,
        "processing_types": L,
        "number_of_workers_raw": S,
        "workers_min": INT,
        "workers_max": INT,
        "parent_company": S,
        "is_closed": B,
        "extra_fields": S,
        "claim_status": S,  # Open Supply Hub production locations only (issue 15)
        "spelling_of": S,  # a name spelling's mention (OS Hub local_name)
    },
    "audit_findings": {
        "finding_id": S,
        "audit_id": S,
        "record_id": S,
        "scheme": S,
        "scheme_version": S,
        "audit_date": D,
        "audit_expiry_date": D,
        "auditor": S,
        "category_raw": S,
        "ilo_indicator": S,
        "severity_raw": S,
        "severity": S,
        "corrective_action_status": S,
        "corrective_action_closed_date": D,
        "export_shape": S,
        **PROVENANCE,
    },
    "worker_voice_grievances": {
        "case_key": S,
        "record_id": S,
        "received_date": D,
        "channel": S,
        "category_raw": S,
        "ilo_indicator": S,
        "htcds_method_of_control": S,
        "status": S,
        "htcds_case_status": S,
        **PROVENANCE,
    },
    "worker_voice_surveys": {
        "survey_id": S,
        "record_id": S,
        "survey_period": S,
        "ilo_indicator": S,
        "respondents": INT,
        "respondents_reporting": INT,
        "share_raw": S,
        "reporting_derived": B,
        **PROVENANCE,
    },
    "reference_dol_goods": {
        "entry_id": S,
        "good": S,
        "sector": S,
        "country_raw": S,
        "country_code": S,
        "child_labor": B,
        "forced_labor": B,
        "forced_child_labor": B,
        "edition": INT,
    },
    "reference_entity_lists": {
        "entry_id": S,
        "list_name": S,
        "entity_name": S,
        "aliases": L,
        "country_code": S,
        "listed_date": D,
        "reference_url": S,
        "list_section": S,
        "merchandise": S,
        "status": S,
        "notice": S,
    },
}
REJECTED_COLUMNS = {
    "load_id": S,
    "source_type": S,
    "source_file": S,
    "source_row": INT,
    "column_name": S,
    "reason_code": S,
    "message": S,
    "payload": S,
}
PRIMARY_KEYS = {
    "facility_records": "record_id",
    "audit_findings": "finding_id",
    "worker_voice_grievances": "case_key",
    "worker_voice_surveys": "survey_id",
    "reference_dol_goods": "entry_id",
    "reference_entity_lists": "entry_id",
}
SOURCES = {
    "oshub_download": ("oshub_download/os_hub_sample.csv", oshub_download.standardise),
    "supplier_list": ("supplier_list/northwind_sample.csv", supplier_list.standardise),
    "social_audit": ("social_audit/audit_findings_sample.csv", social_audit.standardise),
    "worker_voice_grievance": (
        "worker_voice/grievance_cases_sample.csv",
        lambda raw: worker_voice_grievances.standardise_grievances(raw, b"key"),
    ),
    "worker_voice_survey": (
        "worker_voice/survey_aggregates_sample.csv",
        worker_voice_surveys.standardise_surveys,
    ),
    "reference_dol_goods": ("reference/dol_tvpra_goods_2022.csv", dol_goods.standardise_dol_goods),
    "reference_entity_list": (
        "reference/trade_restriction_entities_sample.csv",
        entity_lists.standardise_entity_lists,
    ),
}


def run(fixtures, raw_of, source_type) -> tuple[pl.DataFrame, Standardised]:
    path, standardise = SOURCES[source_type]
    raw = raw_of(fixtures / path)
    return raw, standardise(raw)


@pytest.mark.parametrize("source_type", SOURCES)
def test_output_frames_have_exactly_the_spec_columns(fixtures, raw_of, source_type):
    _, result = run(fixtures, raw_of, source_type)
    for name, frame in result.tables.items():
        assert dict(frame.schema) == SPEC_COLUMNS[name], name
        assert frame[PRIMARY_KEYS[name]].null_count() == 0
        assert frame[PRIMARY_KEYS[name]].is_unique().all(), name
    assert dict(result.rejected.schema) == REJECTED_COLUMNS == dict(REJECTED_SCHEMA)
    assert set(result.rejected["source_type"]) <= {source_type}


@pytest.mark.parametrize("source_type", SOURCES)
def test_read_equals_staged_plus_quarantined(fixtures, raw_of, source_type):
    raw, result = run(fixtures, raw_of, source_type)
    figures = reconcile(raw, result)
    assert figures["balanced"], figures
    assert figures["overlap"] == 0
    for entry in figures["by_file"].values():
        assert entry["read"] == entry["staged"] + entry["quarantined"]


def test_every_reason_code_is_exercised(fixtures, raw_of):
    """Every row-level reject code comes out of some fixture; file-level and flag codes are
    exercised in test_connector_reason_codes.py and test_connector_row_checks.py."""
    used: set[str] = set()
    for source_type in SOURCES:
        used |= set(run(fixtures, raw_of, source_type)[1].rejected["reason_code"])
    row_checks = raw_of(fixtures / "supplier_list" / "row_checks_sample.csv")
    used |= set(supplier_list.standardise(row_checks).rejected["reason_code"])
    oshub_rules = raw_of(fixtures / "supplier_list" / "oshub_rules_sample.csv")  # issue 15
    used |= set(supplier_list.standardise(oshub_rules).rejected["reason_code"])
    hostile = raw_of(fixtures / "privacy" / "hostile_worker_voice_vn.csv")  # issue 17: suspected_identity
    used |= set(worker_voice_grievances.standardise_grievances(hostile, b"k" * 32).rejected["reason_code"])
    assert used == set(quarantine_codes()) and used <= set(reason_codes())


def test_reconcile_per_file_over_several_loads(fixtures, raw_of):
    first = raw_of(fixtures / "supplier_list" / "northwind_sample.csv", load_id="load-a")
    second = raw_of(
        fixtures / "oshub_download" / "os_hub_sample.csv", load_id="load-b", contributor="Northwind"
    )
    raw = pl.concat([first, second])
    figures = reconcile(raw, supplier_list.standardise(raw))
    assert figures["balanced"] and set(figures["by_file"]) == set(raw["source_file"])


def test_same_file_loaded_twice_rejects_the_second_copy_as_duplicates(fixtures, raw_of):
    path = fixtures / "supplier_list" / "northwind_sample.csv"
    raw = pl.concat([raw_of(path, load_id="load-a"), raw_of(path, load_id="load-b")])
    result = supplier_list.standardise(raw)
    figures = reconcile(raw, result)
    assert figures["balanced"] and figures["read"] == 36
    second = result.rejected.filter(pl.col("load_id") == "load-b")
    assert "in load load-a" in second.filter(pl.col("reason_code") == "duplicate_row")["message"][0]


def test_reconcile_notices_lost_rows(fixtures, raw_of):
    raw, result = run(fixtures, raw_of, "supplier_list")
    lossy = Standardised(
        tables={"facility_records": result.tables["facility_records"].head(3)}, rejected=result.rejected
    )
    assert not reconcile(raw, lossy)["balanced"]


def test_raw_frame_without_raw_columns_is_refused():
    with pytest.raises(ValueError, match="lacks columns"):
        supplier_list.standardise(pl.DataFrame({"payload": ["{}"]}))


def test_vocabularies_match_the_spec():
    assert set(ilo_indicators()) == {
        "abuse_of_vulnerability",
        "deception",
        "restriction_of_movement",
        "isolation",
        "physical_and_sexual_violence",
        "intimidation_and_threats",
        "retention_of_identity_documents",
        "withholding_of_wages",
        "debt_bondage",
        "abusive_working_and_living_conditions",
        "excessive_overtime",
    }
    assert lookup_category("Passport retention") == ("Passport retention", "retention_of_identity_documents")
    assert lookup_category("Fire safety") == ("Fire safety", None)
    assert lookup_category("Child labour") is None
    assert map_severity("amfori BSCI", "Zero Tolerance") == "critical"
    assert map_severity("RBA VAP", "Risk of Nonconformance") == "observation"
    assert map_severity("SA8000", "Observation") is None
    assert map_severity("WRAP", "Major") is None
