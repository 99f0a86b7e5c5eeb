"""Lint every contract: valid against the ODCS v3.0.2 JSON Schema, then against flrisk's conventions.

The JSON Schema (bundled under ``schemas/``) catches structural errors any ODCS tool would reject;
the strict parser (:mod:`data_contracts.odcs`) then catches what the schema allows but flrisk does
not (unknown keys, type mismatches, rules that cannot run). Both run offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft201909Validator

from data_contracts.errors import ContractError
from data_contracts.loader import CONTRACTS_DIR, SCHEMAS
from data_contracts.odcs import parse_contract

ODCS_SCHEMA = Path(__file__).resolve().parent / "schemas" / "odcs-3.0.2.schema.json"


@dataclass(frozen=True)
class LintResult:
    """The problems found in one contract file (empty when it is valid)."""

    path: Path
    table_key: str
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def lint_all(contracts_dir: Path = CONTRACTS_DIR) -> list[LintResult]:
    """Lint every ``<schema>/<table>.odcs.yaml`` under ``contracts_dir``, in layer order."""
    return [
        lint_file(path, f"{schema}.{path.name.removesuffix('.odcs.yaml')}")
        for schema in SCHEMAS
        for path in sorted((contracts_dir / schema).glob("*.odcs.yaml"))
    ]


def lint_file(path: Path, table_key: str) -> LintResult:
    """Problems in one contract: YAML syntax, ODCS JSON Schema violations, flrisk convention errors."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return LintResult(path, table_key, (f"not valid YAML: {error}",))
    problems = [
        f"ODCS v3.0.2 schema: {'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if not problems:
        try:
            parse_contract(document, path, table_key).checks()
        except ContractError as error:
            problems.append(f"flrisk conventions: {error}")
    return LintResult(path, table_key, tuple(problems))


@cache
def _validator() -> Draft201909Validator:
    return Draft201909Validator(json.loads(ODCS_SCHEMA.read_text(encoding="utf-8")))
