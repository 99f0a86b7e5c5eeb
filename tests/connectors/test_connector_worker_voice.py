"""Worker voice: pseudonymised grievances (no sensitive value anywhere) and survey aggregates."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json

import polars as pl
import pytest

from connectors.sources import worker_voice_grievances, worker_voice_surveys
from connectors.staging import reconcile

KEY = b"test-pseudonymisation-key-0123456789"


@pytest.fixture
def grievance_path(fixtures):
    return fixtures / "worker_voice" / "grievance_cases_sample.csv"


def sensitive_values(path) -> set[str]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = ("case_id", "reporter_id", "reporter_phone", "narrative", "reporter_email")
    return {row[field] for row in rows for field in fields if row.get(field)}


def all_strings(result) -> list[str]:
    frames = [*result.tables.values(), result.rejected]
    strings = [name for names in result.unknown_columns.values() for name in names]
    for frame in frames:
        for column, dtype in frame.schema.items():
            strings.append(column)
            if dtype == pl.String:
                strings += [value for value in frame[column].to_list() if value is not None]
            elif dtype == pl.List(pl.String):
                strings += [v for values in frame[column].to_list() if values for v in values]
    return strings


def assert_no_sensitive_value(result, secrets: set[str]) -> None:
    leaks = {secret for text in all_strings(result) for secret in secrets if secret in text}
    assert leaks == set()


def test_grievances_are_pseudonymised(grievance_path, raw_of):
    raw = raw_of(grievance_path, contributor="Demo worker-voice programme")
    result = worker_voice_grievances.standardise_grievances(raw, KEY)
    grievances = result.tables["worker_voice_grievances"]
    assert grievances["source_row"].to_list() == [2, 3, 4, 10]
    expected = hmac.new(KEY, b"CASE-0001", hashlib.sha256).hexdigest()
    assert grievances["case_key"][0] == expected
    assert grievances["channel"].to_list() == ["hotline", "app", "in_person", "chat"]
    assert grievances["ilo_indicator"].to_list() == [
        "retention_of_identity_documents",
        "debt_bondage",
        "withholding_of_wages",
        None,
    ]
    facilities = result.tables["facility_records"]
    assert set(grievances["record_id"]) <= set(facilities["record_id"])
    assert set(facilities["source_type"]) == {"worker_voice_grievance"}
    assert sensitive_values(grievance_path) and reconcile(raw, result)["balanced"]
    assert_no_sensitive_value(result, sensitive_values(grievance_path))


def test_grievance_rejections_and_redacted_payloads(grievance_path, raw_of):
    result = worker_voice_grievances.standardise_grievances(raw_of(grievance_path), KEY)
    got = sorted(zip(result.rejected["source_row"], result.rejected["reason_code"], strict=True))
    assert got == [
        (5, "unknown_value"),
        (6, "invalid_date"),
        (7, "unknown_category"),
        (8, "duplicate_row"),
        (9, "unknown_country"),
        (11, "missing_required"),
    ]
    payload = json.loads(result.rejected["payload"][0])
    assert set(payload) == {
        "facility_name",
        "facility_country",
        "received_date",
        "channel",
        "category",
        "status",
        "case_key",
    }
    assert payload["case_key"] == hmac.new(KEY, b"CASE-0004", hashlib.sha256).hexdigest()


def test_undeclared_grievance_columns_never_leak(tmp_path, grievance_path, raw_of):
    with grievance_path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("reporter_email")
    for index, row in enumerate(rows[1:], start=1):
        row.append(f"secret{index}@example.org")
    path = tmp_path / "grievances_with_email.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = worker_voice_grievances.standardise_grievances(raw_of(path), KEY)
    assert result.unknown_columns == {str(path): ("reporter_email",)}
    assert_no_sensitive_value(result, sensitive_values(path))


@pytest.mark.parametrize("key", [b"", None, "text-key"])
def test_grievances_need_a_key(grievance_path, raw_of, key):
    with pytest.raises(ValueError, match="pseudonymisation key"):
        worker_voice_grievances.standardise_grievances(raw_of(grievance_path), key)


def test_case_keys_depend_on_the_key(grievance_path, raw_of):
    raw = raw_of(grievance_path)
    left = worker_voice_grievances.standardise_grievances(raw, KEY).tables["worker_voice_grievances"]
    right = worker_voice_grievances.standardise_grievances(raw, b"another key").tables[
        "worker_voice_grievances"
    ]
    assert set(left["case_key"]).isdisjoint(set(right["case_key"]))


def test_surveys(fixtures, raw_of):
    raw = raw_of(fixtures / "worker_voice" / "survey_aggregates_sample.csv")
    result = worker_voice_surveys.standardise_surveys(raw)
    surveys = result.tables["worker_voice_surveys"]
    assert surveys["source_row"].to_list() == [2, 3, 4]
    assert surveys["survey_period"].to_list() == ["2026-Q2", "2026-Q2", "2026-Q1"]
    assert surveys["respondents"].to_list() == [120, 120, 80]
    assert surveys["respondents_reporting"].to_list() == [14, 63, 9]
    assert surveys["survey_id"].is_unique().all()
    facilities = result.tables["facility_records"]
    assert facilities.height == 2 and set(surveys["record_id"]) == set(facilities["record_id"])
    got = sorted(zip(result.rejected["source_row"], result.rejected["reason_code"], strict=True))
    assert got == [
        (5, "invalid_number"),
        (6, "invalid_date"),
        (7, "unknown_category"),
        (8, "invalid_number"),
        (9, "duplicate_row"),
    ]
    assert reconcile(raw, result)["balanced"]
