"""The layout and import direction the design promises: pipelines -> assets -> pure packages."""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ["connectors", "entity_resolution", "data_contracts", "risk_model", "sharing"]
FORBIDDEN_FOR_PURE = {"dagster", "assets", "pipelines"}


def imported_top_level_modules(package: str) -> dict[str, set[str]]:
    """Top-level module names imported anywhere in `package`, per file."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_packages_never_import_dagster_assets_or_pipelines(package):
    offenders = {
        path: sorted(names & FORBIDDEN_FOR_PURE)
        for path, names in imported_top_level_modules(package).items()
        if names & FORBIDDEN_FOR_PURE
    }
    assert offenders == {}


def test_assets_never_import_pipelines_cli_or_definitions():
    offenders = {}
    for path in (ROOT / "assets").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in {"pipelines.definitions", "pipelines.cli"}:
                offenders[str(path)] = node.module
    assert offenders == {}


@pytest.mark.parametrize("name", ["assets", "pipelines", "connectors", "entity_resolution", "data_contracts"])
def test_generic_top_level_names_import_from_this_repository(name):
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == ROOT / name


def test_required_top_level_layout_exists():
    for entry in [
        "pipelines",
        "assets",
        "connectors",
        "entity_resolution",
        "data_contracts",
        "tests",
        "workspace.yaml",
        "pyproject.toml",
        "README.md",
        "Makefile",
        ".ci/run",
        "benchmarks",
        "docs",
    ]:
        assert (ROOT / entry).exists(), entry


def test_workspace_and_pyproject_name_the_same_code_location():
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    target = workspace["load_from"][0]["python_module"]
    assert target["module_name"] == pyproject["tool"]["dagster"]["module_name"] == "pipelines.definitions"
    assert target["location_name"] == pyproject["tool"]["dagster"]["code_location_name"]
    assert pyproject["project"]["scripts"]["flrisk"] == "pipelines.cli:main"
    packaged = set(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert {"pipelines", "assets", "connectors", "entity_resolution", "data_contracts"} <= packaged
