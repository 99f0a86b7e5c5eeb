"""Contracts versus their committed snapshots: a breaking change needs a MAJOR version bump."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from data_contracts import all_contracts
from data_contracts.versioning import SNAPSHOTS_DIR, breaking_changes, major, snapshot, snapshot_path

CONTRACTS = all_contracts()


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.qualified_name)
def test_contract_has_no_unversioned_breaking_change(contract) -> None:
    path = snapshot_path(contract.qualified_name)
    assert path.is_file(), (
        f"no snapshot for {contract.qualified_name}: python -m data_contracts.versioning --write"
    )
    old = json.loads(path.read_text(encoding="utf-8"))
    problems = breaking_changes(old, snapshot(contract))
    if problems:
        assert major(contract.version) > major(old["version"]), (
            f"{contract.qualified_name} {old['version']} -> {contract.version} breaks consumers without a "
            f"MAJOR bump: {problems}"
        )
    assert major(contract.version) >= major(old["version"]), "contract version went backwards"


def test_every_snapshot_has_a_contract() -> None:
    """Removing a contracted table is breaking too: its snapshot must be removed deliberately."""
    contracted = {c.qualified_name for c in CONTRACTS}
    snapshots = {p.name.removesuffix(".json") for p in SNAPSHOTS_DIR.glob("*.json")}
    assert snapshots <= contracted, f"snapshots without a contract: {sorted(snapshots - contracted)}"


def test_snapshot_shape() -> None:
    contract = next(c for c in CONTRACTS if c.qualified_name == "published.list_screening_hits")
    shot = snapshot(contract)
    assert shot["table"] == contract.qualified_name
    assert shot["version"] == contract.version
    assert [c["name"] for c in shot["columns"]] == list(contract.column_names)
    assert shot["valid_values"], "list_screening_hits has validValues rules"
    assert json.loads(json.dumps(shot)) == shot


BASE: dict[str, Any] = {
    "table": "published.example",
    "version": "1.0.0",
    "columns": [
        {"name": "facility_id", "physical_type": "VARCHAR", "required": True},
        {"name": "score", "physical_type": "BIGINT", "required": False},
        {"name": "band", "physical_type": "VARCHAR", "required": False},
    ],
    "valid_values": {"band": ["high", "low", "medium"]},
}


def _changed(**edits: Any) -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    new.update(edits)
    return new


def _column(target: str, /, **fields: Any) -> list[dict[str, Any]]:
    columns = copy.deepcopy(BASE["columns"])
    for column in columns:
        if column["name"] == target:
            column.update(fields)
    return columns


def test_identical_snapshots_have_no_breaking_change() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


@pytest.mark.parametrize(
    ("new", "fragment"),
    [
        (_changed(columns=BASE["columns"][:2]), "band removed or renamed"),
        (_changed(columns=_column("band", name="risk_band")), "band removed or renamed"),
        (_changed(columns=_column("score", physical_type="INTEGER")), "BIGINT -> INTEGER"),
        (_changed(columns=_column("facility_id", physical_type="BIGINT")), "VARCHAR -> BIGINT"),
        (_changed(columns=_column("score", required=True)), "score became required"),
        (
            _changed(columns=[*BASE["columns"], {"name": "x", "physical_type": "DATE", "required": True}]),
            "x added as required",
        ),
        (_changed(valid_values={"band": ["high", "low"]}), "band valid values narrowed"),
        (
            _changed(valid_values={**BASE["valid_values"], "facility_id": ["F1"]}),
            "facility_id gained a valid-values restriction",
        ),
    ],
    ids=[
        "removed",
        "renamed",
        "bigint-to-integer",
        "varchar-to-bigint",
        "newly-required",
        "added-required",
        "narrowed-set",
        "new-set",
    ],
)
def test_each_breaking_kind_is_detected(new: dict[str, Any], fragment: str) -> None:
    problems = breaking_changes(BASE, new)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    "new",
    [
        _changed(columns=[*BASE["columns"], {"name": "note", "physical_type": "VARCHAR", "required": False}]),
        _changed(columns=_column("score", physical_type="DOUBLE")),
        _changed(columns=_column("facility_id", required=False)),
        _changed(valid_values={"band": ["critical", "high", "low", "medium"]}),
        _changed(valid_values={}),
        _changed(
            columns=[*BASE["columns"], {"name": "tier", "physical_type": "VARCHAR", "required": False}],
            valid_values={**BASE["valid_values"], "tier": ["1", "2"]},
        ),
        _changed(version="1.1.0"),
    ],
    ids=[
        "new-optional-column",
        "widened-type",
        "relaxed-required",
        "widened-set",
        "dropped-set",
        "new-column-with-set",
        "version-only",
    ],
)
def test_additive_changes_are_allowed(new: dict[str, Any]) -> None:
    assert breaking_changes(BASE, new) == []


def test_major_bump_is_what_permits_a_break() -> None:
    assert major("2.0.0") > major(BASE["version"])
    assert major("1.9.3") == major(BASE["version"])
