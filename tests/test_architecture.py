"""The layout and the one-way import arrows the design promises:

    cli -> {pipelines.runner, warehouse, pure packages}
    pipelines -> assets -> {warehouse, pure packages}
    warehouse -> pure packages
    pure packages (connectors, entity_resolution, data_contracts, risk_model, sharing, demo) -> each
    other only

and no import circle between any two modules of the project.
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest
import yaml

from warehouse.home import WORKSPACE_YAML

ROOT = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ["connectors", "entity_resolution", "data_contracts", "risk_model", "sharing", "demo"]
LAYERED_PACKAGES = ["cli", "pipelines", "assets", "warehouse"]
PROJECT_PACKAGES = {*PURE_PACKAGES, *LAYERED_PACKAGES}
# What each package may import among the project's packages and dagster (the rest of PyPI is free).
ALLOWED = {
    **{package: set(PURE_PACKAGES) for package in PURE_PACKAGES},
    "warehouse": {"warehouse", *PURE_PACKAGES},
    "assets": {"assets", "warehouse", "dagster", *PURE_PACKAGES},
    "pipelines": {"pipelines", "assets", "warehouse", "dagster", *PURE_PACKAGES},
    "cli": {"cli", "pipelines.runner", "warehouse", *PURE_PACKAGES},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Dotted module names imported anywhere in the file (lazy imports inside functions included),
    relative imports resolved."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in sorted(PROJECT_PACKAGES)
        for path in (ROOT / package).rglob("*.py")
    }


def governed(name: str) -> str | None:
    """The ALLOWED entry an imported name falls under, or None when the rules do not govern it."""
    top = name.split(".")[0]
    if top == "pipelines" and name.startswith("pipelines.runner"):
        return "pipelines.runner"
    return top if top in PROJECT_PACKAGES or top == "dagster" else None


@pytest.mark.parametrize("package", sorted(PROJECT_PACKAGES))
def test_imports_follow_the_arrows(package):
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = sorted(
            {
                name
                for name in imports_of(path)
                if governed(name)
                and governed(name) not in ALLOWED[package]
                and not (governed(name) == "pipelines.runner" and "pipelines" in ALLOWED[package])
            }
        )
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_no_import_circles():
    """Tarjan's strongly connected components over the module graph: every component is one module."""
    modules = project_modules()
    graph = {
        name: {target for target in imports_of(path) if target in modules and target != name}
        for name, path in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert circles == []


def test_the_rules_see_real_imports():
    """The checker itself: it finds the arrows that exist (so a broken parser cannot pass silently)."""
    assert "warehouse.database" in imports_of(ROOT / "assets" / "resources.py")
    assert "pipelines.runner" in imports_of(ROOT / "cli" / "loading.py")
    assert governed("pipelines.definitions") == "pipelines"
    assert "dagster" not in ALLOWED["cli"] and "assets" not in ALLOWED["cli"]


def test_every_package_folder_says_what_it_is_for():
    for init in [
        path for package in sorted(PROJECT_PACKAGES) for path in (ROOT / package).rglob("__init__.py")
    ]:
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        name = init.parent.name
        assert docstring and docstring.lower().rstrip(".") != f"{name} package", init


@pytest.mark.parametrize("name", sorted(PROJECT_PACKAGES))
def test_generic_top_level_names_import_from_this_repository(name):
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == ROOT / name


def test_required_top_level_layout_exists():
    for entry in [
        "pipelines",
        "assets",
        "warehouse",
        "cli",
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
    assert yaml.safe_load(WORKSPACE_YAML) == workspace  # what `flrisk dev` writes for an installed wheel
    target = workspace["load_from"][0]["python_module"]
    assert target["module_name"] == pyproject["tool"]["dagster"]["module_name"] == "pipelines.definitions"
    assert target["location_name"] == pyproject["tool"]["dagster"]["code_location_name"]
    assert pyproject["project"]["scripts"]["flrisk"] == "cli.main:main"
    packaged = set(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert PROJECT_PACKAGES - {"demo"} <= packaged
