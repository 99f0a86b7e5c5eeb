"""Parse an ODCS v3.0.x document into a :class:`~data_contracts.model.Contract`, strictly.

Strict means: keys outside ODCS v3.0.2 (plus flrisk's documented rule arguments) are errors,
so a typo such as ``mustbe`` or ``primarykey`` fails loudly instead of silently disabling a
rule. The conventions enforced here are described in ``data_contracts/README.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data_contracts.conditions import Condition, condition_from_rule
from data_contracts.errors import ContractError
from data_contracts.model import Contract
from data_contracts.parts import Column, QualityRule
from data_contracts.physical_types import LOGICAL_TYPES, PHYSICAL_TYPES, is_identifier
from data_contracts.team import parse_owners

API_VERSIONS = frozenset({"v3.0.0", "v3.0.1", "v3.0.2"})
CLASSIFICATIONS = frozenset({"public", "internal", "restricted", "personal"})
SEVERITIES = {"error": True, "warning": False, "info": False}  # severity -> blocking

TOP_LEVEL_KEYS = frozenset(
    {
        "version",
        "kind",
        "apiVersion",
        "id",
        "name",
        "tenant",
        "tags",
        "status",
        "servers",
        "dataProduct",
        "description",
        "domain",
        "schema",
        "support",
        "price",
        "team",
        "roles",
        "slaDefaultElement",
        "slaProperties",
        "authoritativeDefinitions",
        "customProperties",
        "contractCreatedTs",
    }
)
OBJECT_KEYS = frozenset(
    {
        "name",
        "physicalType",
        "description",
        "businessName",
        "authoritativeDefinitions",
        "tags",
        "customProperties",
        "logicalType",
        "physicalName",
        "dataGranularityDescription",
        "properties",
        "quality",
    }
)
PROPERTY_KEYS = frozenset(
    {
        "name",
        "physicalType",
        "description",
        "businessName",
        "authoritativeDefinitions",
        "tags",
        "customProperties",
        "primaryKey",
        "primaryKeyPosition",
        "logicalType",
        "logicalTypeOptions",
        "required",
        "unique",
        "partitioned",
        "partitionKeyPosition",
        "classification",
        "encryptedName",
        "transformSourceObjects",
        "transformLogic",
        "transformDescription",
        "examples",
        "criticalDataElement",
        "quality",
        "items",
    }
)
QUALITY_KEYS = frozenset(
    {
        "authoritativeDefinitions",
        "businessImpact",
        "customProperties",
        "description",
        "dimension",
        "method",
        "name",
        "schedule",
        "scheduler",
        "severity",
        "tags",
        "type",
        "unit",
        "rule",
        "query",
        "engine",
        "implementation",
        "mustBe",
        "mustNotBe",
        "mustBeGreaterThan",
        "mustBeGreaterOrEqualTo",
        "mustBeLessThan",
        "mustBeLessOrEqualTo",
        "mustBeBetween",
        "mustNotBeBetween",
        "arguments",
    }
)
PROPERTY_RULES = frozenset({"nullCheck", "duplicateCount", "validValues", "valueRange"})
TABLE_RULES = frozenset({"rowCount", "duplicateCount"})
ZERO = Condition("mustBe", 0)


def parse_contract(document: Any, source_path: Path, table_key: str) -> Contract:
    """Build the contract for ``table_key`` from a parsed YAML ``document``."""
    where = f"{source_path.name}"
    _require(isinstance(document, dict), f"{where}: not a YAML mapping")
    _check_keys(document, TOP_LEVEL_KEYS, where)
    for key in ("apiVersion", "kind", "id", "version", "status", "name", "schema", "team"):
        _require(key in document, f"{where}: missing required key {key!r}")
    _require(document["apiVersion"] in API_VERSIONS, f"{where}: apiVersion must be v3.0.x")
    _require(document["kind"] == "DataContract", f"{where}: kind must be DataContract")
    schema = document["schema"]
    _require(isinstance(schema, list) and len(schema) == 1, f"{where}: need exactly one object")
    table = schema[0]
    _check_keys(table, OBJECT_KEYS, f"{where} schema")
    schema_name, table_name = table_key.split(".")
    _require(table.get("name") == table_name, f"{where}: object name must be {table_name!r}")
    _require(table.get("physicalName") == table_key, f"{where}: physicalName must be {table_key!r}")
    grain = str(table.get("description", ""))
    _require("one row per" in grain.lower(), f"{where}: object description must name its grain")
    columns = tuple(_parse_column(p, f"{where} property") for p in table.get("properties") or [])
    _require(bool(columns), f"{where}: no properties")
    names = [c.name for c in columns]
    _require(len(set(names)) == len(names), f"{where}: duplicate property names")
    _check_primary_key(columns, where)
    rules = [
        rule
        for prop in table["properties"]
        for rule in _parse_rules(prop.get("quality") or [], (prop["name"],), f"{where} {prop['name']}")
    ]
    rules += _parse_rules(table.get("quality") or [], (), f"{where} table rules")
    for rule in rules:
        unknown = [c for c in rule.columns if c not in names]
        _require(not unknown, f"{where}: rule refers to unknown properties {unknown}")
    description = document.get("description")
    _require(
        isinstance(description, dict) and bool(description.get("purpose")),
        f"{where}: description.purpose is required",
    )
    return Contract(
        schema_name=schema_name,
        table_name=table_name,
        version=str(document["version"]),
        description=grain,
        purpose=str(description.get("purpose", "")),
        contract_id=str(document["id"]),
        domain=str(document.get("domain", "")),
        owners=parse_owners(document["team"], where),
        columns=columns,
        rules=tuple(rules),
        source_path=source_path,
    )


def _parse_column(prop: dict, where: str) -> Column:
    _require(isinstance(prop, dict) and "name" in prop, f"{where}: property without a name")
    name = prop["name"]
    where = f"{where} {name!r}"
    _check_keys(prop, PROPERTY_KEYS, where)
    _require(is_identifier(name) and name == name.lower(), f"{where}: name must be snake_case")
    physical = PHYSICAL_TYPES.get(prop.get("physicalType", ""))
    _require(physical is not None, f"{where}: physicalType must be one of {sorted(PHYSICAL_TYPES)}")
    logical = prop.get("logicalType")
    _require(logical in LOGICAL_TYPES, f"{where}: logicalType {logical!r} is not ODCS v3")
    _require(
        logical == physical.logical, f"{where}: {physical.duckdb} needs logicalType {physical.logical!r}"
    )
    if physical.item_logical:
        items = prop.get("items") or {}
        _require(
            items.get("logicalType") == physical.item_logical,
            f"{where}: items must be {physical.item_logical}",
        )
    classification = prop.get("classification")
    _require(
        classification in CLASSIFICATIONS, f"{where}: classification must be one of {sorted(CLASSIFICATIONS)}"
    )
    _require(bool(prop.get("description")), f"{where}: description is required")
    position = prop.get("primaryKeyPosition") if prop.get("primaryKey") else None
    if prop.get("primaryKey"):
        _require(prop.get("required") is True, f"{where}: a primary key column must be required")
        _require(isinstance(position, int) and position >= 1, f"{where}: primaryKeyPosition >= 1")
    options = prop.get("logicalTypeOptions") or {}
    return Column(
        name=name,
        physical_type=physical.duckdb,
        logical_type=logical,
        required=bool(prop.get("required", False)),
        unique=bool(prop.get("unique", False)),
        primary_key_position=position,
        classification=classification,
        description=str(prop["description"]),
        examples=tuple(tuple(e) if isinstance(e, list) else e for e in prop.get("examples") or ()),
        pattern=options.get("pattern"),
    )


def _check_primary_key(columns: tuple[Column, ...], where: str) -> None:
    positions = sorted(c.primary_key_position for c in columns if c.is_primary_key)
    _require(
        positions == list(range(1, len(positions) + 1)),
        f"{where}: primaryKeyPosition must run 1..n, got {positions}",
    )


def _parse_rules(items: list, columns: tuple[str, ...], where: str) -> list[QualityRule]:
    rules = []
    for item in items:
        _require(isinstance(item, dict), f"{where}: a quality rule must be a mapping")
        _check_keys(item, QUALITY_KEYS, where)
        kind = item.get("type", "library")
        if kind == "text":
            continue
        severity = item.get("severity", "error")
        _require(severity in SEVERITIES, f"{where}: severity must be error, warning or info")
        _require(item.get("unit", "rows") == "rows", f"{where}: only unit rows is supported")
        name = item.get("name")
        _require(name is None or is_identifier(name), f"{where}: rule name must be snake_case")
        try:
            rule = _parse_rule(kind, item, columns, name, where)
        except ValueError as error:
            raise ContractError(f"{where}: {error}") from error
        rules.append(
            QualityRule(
                kind=rule["kind"],
                columns=rule["columns"],
                table_level=not columns,
                name=name,
                description=str(item.get("description", "")),
                blocking=SEVERITIES[severity],
                condition=rule["condition"],
                valid_values=tuple(_arguments(item).get("validValues") or ()),
                query=item.get("query"),
            )
        )
    return rules


def _parse_rule(kind: str, item: dict, columns: tuple[str, ...], name: str | None, where: str):
    if kind == "sql":
        _require(bool(name), f"{where}: sql rules need a name")
        _require(isinstance(item.get("query"), str), f"{where}: sql rule without a query")
        condition = condition_from_rule(item)
        _require(condition is not None, f"{where}: sql rule {name} needs an operator")
        return {"kind": "sql", "columns": columns, "condition": condition}
    _require(kind == "library", f"{where}: rule type {kind!r} is not executable here")
    rule = item.get("rule")
    allowed = PROPERTY_RULES if columns else TABLE_RULES
    _require(rule in allowed, f"{where}: library rule must be one of {sorted(allowed)}")
    if rule == "rowCount":
        condition = condition_from_rule(item)
        _require(condition is not None, f"{where}: rowCount needs an operator")
        return {"kind": rule, "columns": (), "condition": condition}
    if rule == "valueRange":
        condition = condition_from_rule(item)
        _require(
            condition is not None
            and condition.operator
            in {
                "mustBeBetween",
                "mustBeGreaterThan",
                "mustBeGreaterOrEqualTo",
                "mustBeLessThan",
                "mustBeLessOrEqualTo",
            },
            f"{where}: valueRange needs mustBeBetween or a one-sided bound",
        )
        return {"kind": rule, "columns": columns, "condition": condition}
    _require(
        condition_from_rule(item, ZERO) == ZERO,
        f"{where}: {rule} counts offending rows and only takes mustBe: 0",
    )
    if rule == "validValues":
        values = _arguments(item).get("validValues")
        _require(
            isinstance(values, list) and bool(values), f"{where}: validValues needs arguments.validValues"
        )
    if rule == "duplicateCount" and not columns:
        properties = _arguments(item).get("properties")
        _require(
            isinstance(properties, list) and len(properties) >= 1,
            f"{where}: table-level duplicateCount needs arguments.properties",
        )
        columns = tuple(properties)
    return {"kind": rule, "columns": columns, "condition": ZERO}


def _arguments(item: dict) -> dict:
    """A rule's ``arguments`` (ODCS v3.1 spelling, accepted by v3.0.2 tooling), never None."""
    arguments = item.get("arguments") or {}
    if not isinstance(arguments, dict):
        raise ContractError("a rule's arguments must be a mapping")
    return arguments


def _check_keys(mapping: dict, allowed: frozenset[str], where: str) -> None:
    _require(isinstance(mapping, dict), f"{where}: expected a mapping")
    unknown = sorted(set(mapping) - allowed)
    _require(not unknown, f"{where}: keys not in ODCS v3.0.2: {', '.join(unknown)}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ContractError(message)
