"""The connectors layout: machinery at the top, one module per source in sources/, no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "connectors"
FORBIDDEN = {"dagster", "assets", "pipelines", "warehouse", "cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (type-checking and function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
    return found


GRAPH = {name: {other for other in imports(path) if other in MODULES} for name, path in MODULES.items()}


def test_connectors_have_no_import_cycles():
    done: set[str] = set()
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(path[path.index(name) :] + [name])
            return
        if name in done:
            return
        for other in sorted(GRAPH[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(GRAPH):
        visit(name, [])
    assert cycles == []


def test_connectors_never_import_dagster_assets_pipelines_warehouse_or_cli():
    offenders = {
        name: sorted({module.split(".")[0] for module in imports(path)} & FORBIDDEN)
        for name, path in MODULES.items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_package_says_in_one_line_what_it_is_for():
    for init in PACKAGE.rglob("__init__.py"):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and "\n" not in docstring, init


def test_machinery_stays_a_few_modules_and_sources_never_import_each_other_but_oshub_api():
    machinery = [p for p in PACKAGE.iterdir() if p.name != "sources" and (p / "__init__.py").exists()]
    machinery += [p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert len(machinery) <= 15, sorted(p.name for p in machinery)
    for name, others in GRAPH.items():
        if name.startswith("connectors.sources."):
            source = name.split(".")[2]
            foreign = {o.split(".")[2] for o in others if o.startswith("connectors.sources.")} - {source}
            assert foreign <= {"oshub_api"}, name  # the OS Hub merges reuse the API source's client
