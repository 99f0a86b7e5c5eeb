"""Loader: every contract parses, is ODCS-shaped, and its derived artefacts are usable."""

from __future__ import annotations

import copy
import subprocess
import sys

import polars as pl
import pytest
import yaml

from data_contracts import (
    Contract,
    ContractError,
    ContractViolation,
    all_contracts,
    contract_path,
    load_contract,
)
from data_contracts.odcs import parse_contract

EXPECTED_TABLES = {
    "staged.facility_records",
    "staged.audit_findings",
    "staged.worker_voice_grievances",
    "staged.worker_voice_surveys",
    "staged.reference_dol_goods",
    "staged.reference_entity_lists",
    "staged.audits",
    "staged.reference_country_risk",
    "quarantine.rejected_rows",
    "quarantine.load_summary",
    "staged.oshub_id_aliases",
    "resolved.facility_id_aliases",
    "resolved.facilities",
    "resolved.record_links",
    "resolved.review_queue",
    "resolved.match_decisions",
    "resolved.list_hit_decisions",
    "resolved.match_index",
    "resolved.match_index_keys",
    "resolved.resolution_runs",
    "published.facility_risk",
    "published.facility_risk_drivers",
    "published.facility_risk_history",
    "published.country_commodity_risk",
    "published.brand_exposure",
    "published.list_screening_hits",
    "published.worker_voice_summary",
}
ILO_CODES = {
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
CONTRACTS = all_contracts()
IDS = [c.qualified_name for c in CONTRACTS]


def test_one_contract_per_table_and_no_raw_contracts():
    assert {c.qualified_name for c in CONTRACTS} == EXPECTED_TABLES


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_contract_file_is_odcs_v3_shaped(contract: Contract):
    document = yaml.safe_load(contract.source_path.read_text(encoding="utf-8"))
    assert document["apiVersion"] == "v3.0.2"
    assert document["kind"] == "DataContract"
    assert document["version"] == contract.version  # semantic version; bumps enforced by versioning snapshots
    assert [part.isdigit() for part in contract.version.split(".")] == [True] * 3
    assert document["status"] == "active"
    assert document["dataProduct"] == "flrisk"
    assert set(document["description"]) >= {"purpose", "usage", "limitations"}
    assert document["team"]
    (table,) = document["schema"]
    assert table["physicalType"] == "table"
    assert table["description"].lower().startswith("one row per")
    assert {p["property"] for p in document["slaProperties"]} == {"latency", "frequency", "retention"}
    assert contract.source_path == contract_path(contract.qualified_name)


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_ddl_executes_and_matches_the_polars_schema(contract: Contract, con):
    con.execute(contract.ddl())
    described = con.execute(f"DESCRIBE {contract.qualified_name}").fetchall()
    assert [(row[0], row[1], row[2]) for row in described] == [
        (c.name, c.physical_type, "NO" if c.required else "YES") for c in contract.columns
    ]
    stored = con.sql(f"SELECT * FROM {contract.qualified_name}").pl()
    assert stored.schema == contract.polars_schema() == contract.empty_frame().schema


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_checks_run_cleanly_on_the_empty_table(contract: Contract, con):
    con.execute(contract.ddl())
    results = contract.run_checks(con)
    assert [r.error for r in results if r.error] == []
    failing = {r.name for r in results if not r.passed}
    assert failing <= {f"{contract.table_name}__row_count"}


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_a_row_of_the_contracts_own_examples_passes_every_check(contract, con, make_table):
    make_table(contract, {})
    results = contract.run_checks(con)
    assert [(r.name, r.message) for r in results if not r.passed] == []


def test_ilo_indicator_value_sets_are_the_eleven_codes():
    sets = [
        set(rule.valid_values)
        for contract in CONTRACTS
        for rule in contract.rules
        if rule.kind == "validValues" and rule.columns == ("ilo_indicator",)
    ]
    assert len(sets) == 4
    assert all(values == ILO_CODES for values in sets)


def test_primary_keys_follow_primary_key_position():
    assert load_contract("published.facility_risk").primary_key == ("facility_id",)
    assert load_contract("published.country_commodity_risk").primary_key == ("country_code", "good")
    assert load_contract("published.worker_voice_summary").primary_key == (
        "facility_id",
        "period",
        "ilo_indicator",
    )
    assert load_contract("quarantine.rejected_rows").primary_key == ()


def test_load_contract_is_cached_and_exposes_its_identity():
    contract = load_contract("published.facility_risk")
    assert contract is load_contract("published.facility_risk")
    assert (contract.schema_name, contract.table_name) == ("published", "facility_risk")
    assert contract.qualified_name == "published.facility_risk"
    assert "one row per resolved facility" in contract.description.lower()
    assert contract.columns[0].name == "facility_id"


@pytest.mark.parametrize("key", ["published.no_such_table", "raw.supplier_list", "facility_risk"])
def test_unknown_or_uncontracted_keys_are_refused(key):
    with pytest.raises(ContractError):
        load_contract(key)


def test_polars_schema_uses_contract_types():
    schema = load_contract("published.facility_risk").polars_schema()
    assert schema["contributors"] == pl.List(pl.String)
    assert schema["as_of_date"] == pl.Date
    assert schema["evidence_count"] == pl.Int64
    assert load_contract("resolved.match_decisions").polars_schema()["decided_at"] == pl.Datetime("us")


def test_column_metadata_is_plain_dicts_for_dagster():
    metadata = load_contract("published.facility_risk").column_metadata()
    first = metadata[0]
    assert first == {
        "name": "facility_id",
        "type": "VARCHAR",
        "description": first["description"],
        "classification": "internal",
        "nullable": False,
        "unique": True,
        "primary_key": True,
    }
    assert all(isinstance(value, str | bool) for item in metadata for value in item.values())
    by_name = {item["name"]: item for item in metadata}
    assert by_name["os_id"]["nullable"] is True


def test_package_imports_neither_dagster_nor_great_expectations():
    code = (
        "import sys, data_contracts; data_contracts.load_contract('published.facility_risk');"
        "bad = [m for m in ('dagster', 'great_expectations', 'assets', 'pipelines') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


# ---------------------------------------------------------------- conform


def test_conform_orders_and_casts_columns(example, to_frame):
    contract = load_contract("published.country_commodity_risk")
    frame = to_frame(contract, [example(contract)])
    shuffled = frame.select(reversed(frame.columns)).with_columns(pl.col("facility_count").cast(pl.Int32))
    conformed = contract.conform(shuffled)
    assert conformed.schema == contract.polars_schema()
    assert conformed.row(0) == frame.row(0)


def test_conform_names_missing_and_unexpected_columns(example, to_frame):
    contract = load_contract("published.facility_risk")
    frame = to_frame(contract, [example(contract)]).drop("risk_band", "confidence")
    frame = frame.with_columns(pl.lit("x").alias("reporter_phone"))
    with pytest.raises(ContractViolation) as caught:
        contract.conform(frame)
    assert caught.value.missing == ("risk_band", "confidence")
    assert caught.value.unexpected == ("reporter_phone",)
    assert "risk_band" in str(caught.value) and "reporter_phone" in str(caught.value)


def test_conform_refuses_lossy_casts(example, to_frame):
    contract = load_contract("published.facility_risk")
    frame = to_frame(contract, [example(contract)])
    with pytest.raises(ContractViolation, match="evidence_count is Float64"):
        contract.conform(frame.with_columns(pl.col("evidence_count").cast(pl.Float64)))
    with pytest.raises(ContractViolation, match="as_of_date is String"):
        contract.conform(frame.with_columns(pl.lit("2026-11-23").alias("as_of_date")))


def test_empty_frame_conforms_to_itself():
    contract = load_contract("staged.facility_records")
    assert contract.conform(contract.empty_frame()).schema == contract.polars_schema()


# ---------------------------------------------------------------- strict parsing


def _document(key: str) -> dict:
    return yaml.safe_load(contract_path(key).read_text(encoding="utf-8"))


def _mutated(mutate) -> dict:
    document = copy.deepcopy(_document("published.facility_risk"))
    mutate(document)
    return document


def _props(document: dict) -> list[dict]:
    return document["schema"][0]["properties"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(owner="someone"), "not in ODCS"),
        (lambda d: d.update(apiVersion="v2.2.2"), "apiVersion"),
        (lambda d: _props(d)[0].update(primarykey=True), "not in ODCS"),
        (lambda d: _props(d)[0].update(physicalType="TEXT"), "physicalType"),
        (lambda d: _props(d)[0].update(logicalType="integer"), "logicalType"),
        (lambda d: _props(d)[0].update(classification="secret"), "classification"),
        (lambda d: _props(d)[0].update(required=False), "must be required"),
        (lambda d: _props(d)[4]["quality"][0].update(severity="fatal"), "severity"),
        (lambda d: _props(d)[4]["quality"][0].update(mustbe=0), "not in ODCS"),
        (lambda d: _props(d)[5]["quality"][0].update(mustBe=3), "only takes mustBe: 0"),
        (lambda d: d["schema"][0].update(description="Facilities."), "grain"),
        (lambda d: d["schema"][0].update(physicalName="facility_risk"), "physicalName"),
    ],
)
def test_invalid_contracts_are_rejected(mutate, message):
    with pytest.raises(ContractError, match=message):
        parse_contract(_mutated(mutate), contract_path("published.facility_risk"), "published.facility_risk")


def test_rules_must_name_existing_properties_and_unique_checks():
    def add_rule(document):
        document["schema"][0]["quality"].append(
            {"rule": "duplicateCount", "arguments": {"properties": ["nope"]}}
        )

    path = contract_path("published.facility_risk")
    with pytest.raises(ContractError, match="unknown properties"):
        parse_contract(_mutated(add_rule), path, "published.facility_risk")

    def duplicate_name(document):
        document["schema"][0]["quality"].append(
            {"rule": "rowCount", "mustBeGreaterThan": 1, "severity": "warning"}
        )

    with pytest.raises(ContractError, match="duplicate check names"):
        parse_contract(_mutated(duplicate_name), path, "published.facility_risk").checks()
