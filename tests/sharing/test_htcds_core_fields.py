"""HTCDS v2 Core-field coverage of `flrisk export-htcds`, and which grievances count as trafficking cases
(only those with a forced-labour indicator). IOM's field list: sharing/reference/htcds_fields.csv."""

from __future__ import annotations

import csv
import json
from datetime import date

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from cli.main import main
from data_contracts import load_contract
from sharing import htcds

K = 3
MAPPED_CORE = {
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_TraffickingStatus",
    "vic_ForcedLabourIndustry",
    "vic_LocationOfExploitation",
    "cas_Status",
    "cas_IncomingReferralDate",
}


def case(
    facility: str, country: str, month: str, category: str, indicator: str | None, sectors: list[str]
) -> dict:
    return {
        "facility_id": facility,
        "country_code": country,
        "received_month": month,
        "channel": "hotline",
        "category": category,
        "ilo_indicator": indicator,
        "htcds_method_of_control": "WithholdsDocuments"
        if indicator == "retention_of_identity_documents"
        else None,
        "htcds_case_status": "Active",
        "facility_sectors": sectors,
    }


def cases() -> pl.DataFrame:
    rows = [
        case("FLR-A", "CN", "2026-04", "passport retention", "retention_of_identity_documents", ["Apparel"])
    ] * 3
    rows += [case("FLR-B", "CN", "2026-05", "forced overtime", "excessive_overtime", ["Textiles", "Apparel"])]
    rows += [
        case("FLR-C", "BD", "2026-05", "recruitment fees", "debt_bondage", ["Apparel", "Agriculture"])
    ] * 3
    rows += [case("FLR-A", "CN", "2026-06", "fire safety", None, ["Apparel"])] * 2
    rows += [case("FLR-C", "BD", "2026-06", "health and safety", None, ["Apparel"])]
    return pl.DataFrame(rows)


def test_every_core_field_is_mapped_or_has_its_own_reason():
    exported = htcds.to_htcds(cases(), K)
    report = htcds.export_report(exported, K, left_out=3)
    core = report["core_fields"]
    assert core["total"] == 40 == len(htcds.core_fields())
    assert set(core["mapped"]) == MAPPED_CORE
    assert set(core["unmapped"]) == set(htcds.core_fields()) - MAPPED_CORE
    for field in ("prs_Gender", "prs_Birthdate", "vic_MethodOfRecruitment", "con_Consent", "cas_CaseOwner"):
        assert core["unmapped"][field] != "not collected" and len(core["unmapped"][field]) > 20
    assert "never exported" in core["unmapped"]["prs_MobilePhone"]
    assert report["invalid_picklist_values"] == {}
    assert set(report["mapped_fields"]) <= set(htcds.htcds_fields())


def test_only_cases_with_a_forced_labour_indicator_are_exported():
    exported = htcds.to_htcds(cases(), K)
    assert exported.height == 7  # the two fire-safety and one health-and-safety grievances are left out
    assert set(exported["x_flrisk_ilo_indicator"]) == {
        "retention_of_identity_documents",
        "excessive_overtime",
        "debt_bondage",
    }
    assert set(exported["vic_TypeOfExploitation"]) == {"ForcedLabour"}
    assert set(exported["vic_TraffickingStatus"]) == {"PossibleVictimOfTrafficking"}
    assert htcds.to_htcds(cases().filter(pl.col("ilo_indicator").is_null()), K).is_empty()


def test_industry_and_dates():
    exported = htcds.to_htcds(cases(), K)
    by_country = exported.group_by("hte_Country").agg(pl.col("vic_ForcedLabourIndustry").unique())
    industries = {country: set(values) for country, values in by_country.iter_rows()}
    assert industries["CN"] == {"C_Manufacturing"}  # 4 CN cases in manufacturing: at least k
    assert industries["BD"] == {None}  # Apparel + Agriculture: two ISIC sections, none is claimed
    assert exported["cas_IncomingReferralDate"].dtype == pl.Date
    assert date(2026, 4, 1) in exported["cas_IncomingReferralDate"].to_list()
    assert htcds.picklist("vic_ForcedLabourIndustry") >= set(htcds.industry_by_sector().values())


def test_an_industry_shared_by_fewer_than_k_cases_is_not_given():
    few = cases().filter(pl.col("facility_id") == "FLR-B")
    exported = htcds.to_htcds(few, K)
    assert exported["vic_ForcedLabourIndustry"].to_list() == [None]
    assert exported["vic_LocationOfExploitation"].to_list() == [None]


def contract_frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """Rows with the given values and a neutral value of the column's type in other required columns."""
    contract = load_contract(table)
    neutral = {pl.String: "x", pl.Int64: 2, pl.Float64: 0.5, pl.Boolean: False, pl.Date: date(2026, 4, 2)}
    filled = [
        {
            c.name: row.get(c.name, neutral.get(c.polars_dtype, [])) if c.required else row.get(c.name)
            for c in contract.columns
        }
        for row in rows
    ]
    return pl.DataFrame(filled, schema=contract.polars_schema())


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A warehouse with one facility's grievances: 4 forced-labour cases and 2 fire-safety ones."""
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    grievances = [
        {
            "case_key": f"k{n}",
            "record_id": "r1",
            "received_date": date(2026, 4, 2 + n),
            "channel": "hotline",
            "category_raw": category,
            "ilo_indicator": indicator,
            "status": "open",
            "htcds_case_status": "Active",
            "htcds_method_of_control": method,
            "source_row": n + 2,
        }
        for n, (category, indicator, method) in enumerate(
            [("Passport retention", "retention_of_identity_documents", "WithholdsDocuments")] * 4
            + [("Fire safety", None, None)] * 2
        )
    ]
    tables = {
        "staged.worker_voice_grievances": contract_frame("staged.worker_voice_grievances", grievances),
        "staged.facility_records": contract_frame(
            "staged.facility_records",
            [{"record_id": "r1", "country_code": "VN", "source_type": "worker_voice_grievance"}],
        ),
        "resolved.record_links": contract_frame(
            "resolved.record_links", [{"record_id": "r1", "facility_id": "FLR-0001"}]
        ),
        "resolved.facilities": contract_frame(
            "resolved.facilities",
            [{"facility_id": "FLR-0001", "country_code": "VN", "sectors": ["Footwear"]}],
        ),
    }
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        for key, frame in tables.items():
            schema = key.split(".")[0]
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.register("incoming", frame.to_arrow())
            con.execute(f"CREATE TABLE {key} AS SELECT * FROM incoming")
            con.unregister("incoming")
    return tmp_path


def test_through_the_command(home, tmp_path):
    out = tmp_path / "exports" / "cases.csv"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["export-htcds", "--out", str(out), "--k", "3"])
    assert result.exit_code == 0, result.output
    assert "2 without a forced-labour indicator left out" in result.output
    assert "7 of 40 Core" in result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert {row["vic_ForcedLabourIndustry"] for row in rows} == {"C_Manufacturing"}
    assert {row["vic_LocationOfExploitation"] for row in rows} == {"FLR-0001"}
    assert {row["cas_IncomingReferralDate"] for row in rows} == {"2026-04-01"}
    assert {row["vic_MethodsOfControl"] for row in rows} == {"WithholdsDocuments"}
    report = json.loads((out.parent / "cases.htcds-report.json").read_text(encoding="utf-8"))
    assert report["cases_left_out_without_forced_labour_indicator"] == 2
    assert len(report["core_fields"]["mapped"]) == 7
