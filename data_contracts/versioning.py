"""Contract versioning: committed snapshots of each contract's released shape.

A snapshot (``data_contracts/snapshots/<schema>.<table>.json``) records what consumers rely on:
the version, every column's name, physical type and ``required`` flag, and the value set of every
``validValues`` rule. :func:`breaking_changes` compares two snapshots; a breaking change needs a
MAJOR version bump (``tests/data_contracts/test_contract_versions.py`` enforces it).

Breaking: a removed (or renamed) column, a type change other than a widening (e.g. BIGINT to
INTEGER, VARCHAR to BIGINT), a column that becomes required or is added as required, a value set
that loses values or is newly imposed on a column. Additive changes (a new optional column, a
widened type, a relaxed ``required``, a value set that gains values or is dropped) are allowed.

Refresh the snapshots after releasing a contract change::

    python -m data_contracts.versioning --write
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from data_contracts.loader import all_contracts
from data_contracts.model import Contract

__all__ = [
    "SNAPSHOTS_DIR",
    "breaking_changes",
    "is_widening",
    "major",
    "snapshot",
    "snapshot_path",
    "write_snapshots",
]

SNAPSHOTS_DIR = Path(__file__).resolve().parent / "snapshots"

# Type changes that never lose information: old type -> the types it may widen to.
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
_WIDENINGS: dict[str, set[str]] = {
    **{t: {*_INTEGERS[i + 1 :], "DOUBLE"} for i, t in enumerate(_INTEGERS)},
    "FLOAT": {"DOUBLE"},
    "DATE": {"TIMESTAMP"},
}


def is_widening(old_type: str, new_type: str) -> bool:
    """True when a column of `old_type` can become `new_type` without losing information."""
    return new_type in _WIDENINGS.get(old_type.upper(), set())


def snapshot(contract: Contract) -> dict[str, Any]:
    """The released shape of ``contract`` as a JSON-ready dict."""
    value_sets: dict[str, list[Any]] = {}
    for rule in contract.rules:
        if rule.kind != "validValues" or not rule.columns:
            continue
        column = rule.columns[0]
        values = list(rule.valid_values)
        if column in value_sets:  # several rules on one column: the effective set is the intersection
            values = [v for v in value_sets[column] if v in values]
        value_sets[column] = values
    return {
        "table": contract.qualified_name,
        "version": contract.version,
        "columns": [
            {"name": c.name, "physical_type": c.physical_type, "required": c.required}
            for c in contract.columns
        ],
        "valid_values": {name: _sorted(values) for name, values in sorted(value_sets.items())},
    }


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable breaking changes from snapshot ``old`` to snapshot ``new`` (empty: none)."""
    problems: list[str] = []
    old_columns = {c["name"]: c for c in old.get("columns", [])}
    new_columns = {c["name"]: c for c in new.get("columns", [])}
    for name, before in old_columns.items():
        after = new_columns.get(name)
        if after is None:
            problems.append(f"column {name} removed or renamed")
            continue
        old_type, new_type = before["physical_type"], after["physical_type"]
        if old_type != new_type and new_type not in _WIDENINGS.get(old_type, set()):
            problems.append(f"column {name} type changed {old_type} -> {new_type} (not a widening)")
        if after["required"] and not before["required"]:
            problems.append(f"column {name} became required")
    for name, after in new_columns.items():
        if name not in old_columns and after["required"]:
            problems.append(f"column {name} added as required")
    old_sets = old.get("valid_values", {})
    for name, values in new.get("valid_values", {}).items():
        if name not in old_sets:
            if name in old_columns:
                problems.append(f"column {name} gained a valid-values restriction")
            continue
        removed = [v for v in old_sets[name] if v not in values]
        if removed:
            problems.append(f"column {name} valid values narrowed (removed {_sorted(removed)})")
    return problems


def major(version: str) -> int:
    """The MAJOR part of a semantic version such as ``1.2.0``."""
    return int(str(version).split(".")[0])


def snapshot_path(table_key: str, directory: Path = SNAPSHOTS_DIR) -> Path:
    """Where the snapshot of ``<schema>.<table>`` is kept."""
    return directory / f"{table_key}.json"


def write_snapshots(directory: Path = SNAPSHOTS_DIR) -> list[Path]:
    """Write (overwrite) one snapshot per contract into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for contract in all_contracts():
        path = snapshot_path(contract.qualified_name, directory)
        path.write_text(json.dumps(snapshot(contract), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _sorted(values: list[Any]) -> list[Any]:
    return sorted(values, key=lambda v: (v is None, str(type(v)), str(v)))


def main(argv: list[str] | None = None) -> int:
    """CLI: ``--write`` refreshes the snapshots; without it, report breaking changes (exit 1)."""
    parser = argparse.ArgumentParser(
        prog="python -m data_contracts.versioning", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--write", action="store_true", help="refresh data_contracts/snapshots/")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_snapshots():
            print(path.relative_to(SNAPSHOTS_DIR.parent))
        return 0
    status = 0
    for contract in all_contracts():
        path = snapshot_path(contract.qualified_name)
        if not path.is_file():
            print(f"{contract.qualified_name}: no snapshot")
            status = 1
            continue
        old = json.loads(path.read_text(encoding="utf-8"))
        problems = breaking_changes(old, snapshot(contract))
        if problems and major(contract.version) <= major(old["version"]):
            status = 1
            for problem in problems:
                print(f"{contract.qualified_name}: {problem}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
