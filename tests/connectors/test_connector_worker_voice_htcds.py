"""Worker voice: HTCDS v2 mapping of grievances, facility references and survey shares."""

from __future__ import annotations

import json

import pytest

from connectors.sources import worker_voice_grievances, worker_voice_surveys
from connectors.sources.worker_voice_surveys import parse_share
from connectors.staging import reconcile
from connectors.vocabulary import category_entry, htcds_case_status, htcds_picklist, read_reference_csv
from data_contracts import load_contract

KEY = b"test-pseudonymisation-key-0123456789"


def grievances(fixtures, raw_of):
    raw = raw_of(fixtures / "worker_voice" / "grievance_cases_sample.csv")
    return raw, worker_voice_grievances.standardise_grievances(raw, KEY)


def valid_values(table: str, column: str) -> set[str]:
    (rule,) = [r for r in load_contract(table).rules if r.kind == "validValues" and r.columns == (column,)]
    return set(rule.valid_values)


def test_grievances_carry_htcds_values(fixtures, raw_of):
    raw, result = grievances(fixtures, raw_of)
    staged = result.tables["worker_voice_grievances"]
    assert staged.select("category_raw", "htcds_method_of_control", "status", "htcds_case_status").rows() == [
        ("Passport retention", "WithholdsDocuments", "open", "Active"),
        ("Recruitment fees", "DebtBondage", "resolved", "Closed"),
        ("Delayed wages", None, "closed", "Closed"),
        ("Health and safety", None, "referred", "ClosedReferred"),
    ]
    assert staged.schema == load_contract("staged.worker_voice_grievances").polars_schema()
    assert reconcile(raw, result)["balanced"]


def test_htcds_vocabulary_matches_the_subset_and_the_contract():
    methods = set(htcds_picklist("vic_MethodsOfControl"))
    assert {"WithholdsDocuments", "DebtBondage", "ExcessiveWorkingHours", "FalsePromises"} <= methods
    assert valid_values("staged.worker_voice_grievances", "htcds_method_of_control") == methods
    assert valid_values("staged.worker_voice_grievances", "htcds_case_status") == set(
        htcds_picklist("cas_Status")
    )
    mapped = {row["htcds_method_of_control"] for row in read_reference_csv("finding_categories.csv")}
    assert mapped - {""} <= methods
    assert category_entry("Restricted freedom of movement").htcds_method_of_control is None
    assert category_entry("forced  OVERTIME").htcds_method_of_control == "ExcessiveWorkingHours"
    assert {htcds_case_status(s) for s in ("open", "resolved", "closed", "referred")} <= set(
        htcds_picklist("cas_Status")
    )
    with pytest.raises(KeyError):
        htcds_picklist("vic_NoSuchField")


def test_grievance_facility_reference_may_include_address_and_os_id(tmp_path, csv_writer, raw_of):
    header = [
        "case_id",
        "facility_name",
        "facility_address",
        "os_id",
        "facility_country",
        "received_date",
        "channel",
        "category",
        "status",
    ]
    path = csv_writer(
        tmp_path / "cases.csv",
        [
            header,
            [
                "C-1",
                "Example Mill",
                "1 Mill Road",
                "",
                "IN",
                "2026-07-01",
                "app",
                "Threats of violence",
                "open",
            ],
            ["C-2", "Example Mill", "", "not-an-id", "IN", "2026-07-01", "app", "Sexual abuse", "open"],
        ],
    )
    result = worker_voice_grievances.standardise_grievances(raw_of(path), KEY)
    facility = result.tables["facility_records"].row(0, named=True)
    assert facility["address"] == "1 Mill Road"
    assert result.tables["worker_voice_grievances"]["htcds_method_of_control"].to_list() == [
        "PhysicalThreats"
    ]
    assert result.rejected["reason_code"].to_list() == ["invalid_os_id"]
    payload = json.loads(result.rejected["payload"][0])
    assert "case_id" not in payload and payload["os_id"] == "not-an-id"


def test_survey_shares_become_counts(fixtures, raw_of):
    raw = raw_of(fixtures / "worker_voice" / "survey_shares_sample.csv")
    result = worker_voice_surveys.standardise_surveys(raw)
    surveys = result.tables["worker_voice_surveys"]
    assert surveys.select(
        "respondents", "respondents_reporting", "share_raw", "reporting_derived"
    ).rows() == [
        (120, 15, "0.125", True),
        (120, 63, "52.5%", True),
        (120, 120, "1", True),
        (80, 0, "0.0", True),
    ]
    assert sorted(zip(result.rejected["source_row"], result.rejected["reason_code"], strict=True)) == [
        (6, "invalid_number"),
        (7, "invalid_number"),
        (8, "missing_required"),
    ]
    assert surveys.schema == load_contract("staged.worker_voice_surveys").polars_schema()
    assert reconcile(raw, result)["balanced"]


def test_bare_percentages_are_recognised_per_file_and_checked_against_counts(fixtures, raw_of):
    raw = raw_of(fixtures / "worker_voice" / "survey_percentages_sample.csv")
    result = worker_voice_surveys.standardise_surveys(raw)
    surveys = result.tables["worker_voice_surveys"]
    assert surveys.select("source_row", "respondents_reporting", "reporting_derived").rows() == [
        (2, 85, False),  # 52% of 164 = 85.28, the given 85 agrees within the share's rounding
        (3, 2, True),  # "1" in a percentage file is 1%
        (4, 164, True),
    ]
    assert sorted(zip(result.rejected["source_row"], result.rejected["message"], strict=True)) == [
        (5, "share '52' of 164 does not match 90 reporting"),
        (6, "share '150' is outside 0..100%"),
    ]


def test_a_declared_share_scale_wins(fixtures, raw_of):
    raw = raw_of(fixtures / "worker_voice" / "survey_shares_sample.csv")
    surveys = worker_voice_surveys.standardise_surveys(raw, share_scale="percent").tables[
        "worker_voice_surveys"
    ]
    assert surveys["respondents_reporting"].to_list()[:3] == [0, 63, 1]


@pytest.mark.parametrize(
    ("text", "scale", "fraction"),
    [
        ("0.25", "fraction", "0.25"),
        ("25", "percent", "0.25"),
        ("25%", "fraction", "0.25"),
        ("0", "percent", "0"),
    ],
)
def test_parse_share(text, scale, fraction):
    assert str(parse_share(text, scale)[0].normalize()) == fraction


@pytest.mark.parametrize(
    ("text", "scale"), [("1.5", "fraction"), ("101%", "fraction"), ("NaN", "percent"), ("x", "fraction")]
)
def test_parse_share_refuses(text, scale):
    with pytest.raises(ValueError):
        parse_share(text, scale)
