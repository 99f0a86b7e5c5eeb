"""Find and load flrisk's data contracts: the single entry point to them.

Contracts live at ``data_contracts/contracts/<schema>/<table>.odcs.yaml`` (ODCS v3.0.2). Loading
is pure and cached: the same key returns the same frozen :class:`Contract`. Everything a
pipeline needs about a table (DDL, Polars schema, Dagster column metadata, checks, the Great
Expectations suite) is derived from the loaded contract, never declared a second time.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from data_contracts.errors import ContractError
from data_contracts.model import Contract
from data_contracts.odcs import parse_contract
from data_contracts.parts import Column, QualityRule

__all__ = [
    "CONTRACTS_DIR",
    "Column",
    "Contract",
    "QualityRule",
    "all_contracts",
    "contract_path",
    "load_contract",
]

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
SCHEMAS = ("staged", "quarantine", "resolved", "published")
_TABLE_KEY = re.compile(r"^(?P<schema>[a-z_]+)\.(?P<table>[a-z][a-z0-9_]*)$")
_SUFFIX = ".odcs.yaml"


def contract_path(table_key: str) -> Path:
    """Where the contract for ``<schema>.<table>`` lives (the file may not exist)."""
    match = _TABLE_KEY.match(table_key)
    if not match or match["schema"] not in SCHEMAS:
        raise ContractError(
            f"{table_key!r} is not a contracted table key (<schema>.<table>, schema one of "
            f"{', '.join(SCHEMAS)})"
        )
    return CONTRACTS_DIR / match["schema"] / f"{match['table']}{_SUFFIX}"


# libyaml's parser where PyYAML was built with it (the wheels are): contracts are parsed when the
# code location loads, and the pure-Python parser made that seconds of every `flrisk` run.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def contract_document(path: Path) -> dict:
    """The parsed YAML of a contract file, read once per process."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=YAML_LOADER)  # noqa: S506 - a safe loader


@cache
def load_contract(table_key: str) -> Contract:
    """Load and validate the contract for ``table_key``, e.g. ``"published.facility_risk"``.

    Raises :class:`ContractError` when there is no such contract or it is not valid.
    """
    path = contract_path(table_key)
    if not path.is_file():
        raise ContractError(f"no contract for {table_key} (expected {path})")
    contract = parse_contract(contract_document(path), path, table_key)
    contract.checks()  # compiles every rule once, so a bad rule fails at load time
    return contract


def all_contracts() -> list[Contract]:
    """Every contract in the package, ordered by layer (staged, quarantine, resolved,
    published) and then by table name."""
    keys = [
        f"{schema}.{path.name.removesuffix(_SUFFIX)}"
        for schema in SCHEMAS
        for path in sorted((CONTRACTS_DIR / schema).glob(f"*{_SUFFIX}"))
    ]
    return [load_contract(key) for key in keys]
