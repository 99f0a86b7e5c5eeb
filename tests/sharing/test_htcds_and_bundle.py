"""HTCDS export and sharing bundles on a real (small) DuckDB warehouse built from the contracts."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import polars as pl
import pytest

from data_contracts import load_contract
from sharing import htcds
from sharing.bundle import BundleError, published_contracts, verify_bundle, write_bundle

FACILITIES = ["FLR-00000000000A", "FLR-00000000000B"]


def cases() -> pl.DataFrame:
    rows = [
        (
            "FLR-00000000000A",
            "CN",
            "2026-04",
            "hotline",
            "passport retention",
            "retention_of_identity_documents",
            "WithholdsDocuments",
            "Active",
        )
    ] * 12
    rows += [
        (
            "FLR-00000000000B",
            "BD",
            "2026-05",
            "app",
            "recruitment fees",
            "debt_bondage",
            "DebtBondage",
            "ClosedReferred",
        )
    ] * 2
    columns = [
        "facility_id",
        "country_code",
        "received_month",
        "channel",
        "category",
        "ilo_indicator",
        "htcds_method_of_control",
        "htcds_case_status",
    ]
    return pl.DataFrame(rows, schema=columns, orient="row")


def test_htcds_export_uses_standard_names_and_picklist_values(tmp_path):
    exported = htcds.to_htcds(cases(), k=11)
    assert exported.columns[:5] == [
        "cas_Status",
        "vic_MethodsOfControl",
        "hte_Type",
        "hte_Country",
        "vic_LocationOfExploitation",
    ]
    assert set(exported["hte_Type"]) == {"Exploitation", "Recruitment"}
    assert exported.filter(pl.col("hte_Country") == "BD")["vic_LocationOfExploitation"].null_count() == 2
    report = htcds.export_report(exported, 11)
    assert report["invalid_picklist_values"] == {} and report["cases_without_location"] == 2
    assert {"prs_FirstName", "prs_MobilePhone", "cco_CaseComment"} <= set(report["unmapped_htcds_fields"])
    assert "never exported" in report["unmapped_htcds_fields"]["prs_MobilePhone"]
    assert set(report["mapped_fields"]) <= set(htcds.htcds_fields())
    report_path = htcds.write_export(exported, report, tmp_path / "cases.csv")
    assert json.loads(report_path.read_text())["rows"] == 14


def test_an_unknown_picklist_value_is_reported():
    exported = htcds.to_htcds(cases().with_columns(htcds_case_status=pl.lit("Pending")), k=11)
    assert htcds.export_report(exported, 11)["invalid_picklist_values"] == {"cas_Status": ["Pending"]}


def rows_for(table: str, rows: list[dict]) -> pl.DataFrame:
    """Contract-shaped rows: the given values, a neutral value of the column's type elsewhere."""
    contract = load_contract(f"published.{table}")
    neutral = {pl.String: "x", pl.Int64: 0, pl.Float64: 0.0, pl.Boolean: False, pl.Date: date(2026, 11, 23)}
    filled = [
        {
            c.name: row.get(c.name, neutral.get(c.polars_dtype, [])) if c.required else row.get(c.name)
            for c in contract.columns
        }
        for row in rows
    ]
    return pl.DataFrame(filled, schema=contract.polars_schema())


@pytest.fixture
def warehouse(tmp_path):
    """Every published table, empty, plus two facilities' rows in facility_risk and the summary."""
    path = tmp_path / "warehouse.duckdb"
    facility_risk = rows_for(
        "facility_risk",
        [
            {"facility_id": FACILITIES[0], "country_code": "CN", "driver_1": None},
            {"facility_id": FACILITIES[1], "country_code": "BD"},
        ],
    )
    summary = rows_for(
        "worker_voice_summary",
        [
            {
                "facility_id": FACILITIES[0],
                "period": "2026-Q2",
                "ilo_indicator": "debt_bondage",
                "respondents": 120,
            },
            {
                "facility_id": FACILITIES[1],
                "period": "2026-Q2",
                "ilo_indicator": "debt_bondage",
                "suppressed": True,
                "suppression_reason": "below_k",
            },
        ],
    )
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA published")
        for contract in published_contracts():
            con.execute(contract.ddl())
        for name, frame in (("facility_risk", facility_risk), ("worker_voice_summary", summary)):
            con.register("incoming", frame.to_arrow())
            con.execute(f"INSERT INTO published.{name} BY NAME SELECT * FROM incoming")
            con.unregister("incoming")
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def test_bundle_round_trip_and_tamper_detection(warehouse, tmp_path):
    out = tmp_path / "bundle"
    manifest = write_bundle(warehouse, out)
    assert manifest["tables"]["facility_risk"]["rows"] == 2
    assert set(manifest["tables"]) == {contract.table_name for contract in published_contracts()}
    assert (out / "tables" / "worker_voice_summary.csv").is_file()
    assert (out / "contracts" / "facility_risk.odcs.yaml").is_file()
    assert "no data-quality report" in (out / "data_quality" / "summary.json").read_text()
    assert verify_bundle(out) == []
    (out / "tables" / "facility_risk.csv").write_text("facility_id\nFLR-FORGED\n")
    (out / "contracts" / "worker_voice_summary.odcs.yaml").unlink()
    (out / "tables" / "extra.csv").write_text("x\n")
    assert verify_bundle(out) == [
        "contracts/worker_voice_summary.odcs.yaml: missing",
        "tables/facility_risk.csv: checksum or size differs from the manifest (altered)",
        "tables/extra.csv: not listed in the manifest (unexpected)",
    ]
    (out / "manifest.json").unlink()
    assert verify_bundle(out)[0].startswith("manifest.json: missing")


def test_a_facility_bundle_holds_only_that_facility(warehouse, tmp_path):
    manifest = write_bundle(warehouse, tmp_path / "supplier", facility=FACILITIES[1])
    assert manifest["left_out"] == {"brand_exposure": "brand-level table: not shared in a facility bundle"}
    for name in ("facility_risk", "worker_voice_summary"):
        frame = pl.read_parquet(tmp_path / "supplier" / "tables" / f"{name}.parquet")
        assert frame["facility_id"].to_list() == [FACILITIES[1]]
    with pytest.raises(BundleError, match="no facility"):
        write_bundle(warehouse, tmp_path / "nobody", facility="FLR-FFFFFFFFFFFF")
    with pytest.raises(BundleError, match="not empty"):
        write_bundle(warehouse, tmp_path / "supplier")
