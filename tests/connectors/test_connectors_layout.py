"""The connectors layout: machinery at the top, one module per source in sources/. (Import circles and
forbidden imports are checked for every package in tests/test_architecture.py.)"""

from __future__ import annotations

import ast

from tests.test_architecture import ROOT, imports_of, module_name

PACKAGE = ROOT / "connectors"
MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: {other for other in imports_of(path) if other in MODULES} for name, path in MODULES.items()}


def test_every_package_says_in_one_line_what_it_is_for():
    for init in PACKAGE.rglob("__init__.py"):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and "\n" not in docstring, init


def test_machinery_stays_a_few_modules_and_sources_never_import_each_other_but_oshub_api():
    machinery = [p for p in PACKAGE.iterdir() if p.name != "sources" and (p / "__init__.py").exists()]
    machinery += [p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    # 16 since issue 17 added `sealing` (worker-voice input sealed as received); 17 since issue 19 added
    # `country_translations` (pycountry's translated names generated once into reference data instead of
    # read from 163 catalogues on every load); 18 since issue 14 added `spreadsheet_cells` (the CSV-injection
    # rule shared by every file flrisk writes for spreadsheets: export, resolve, the quarantine listing);
    # grow it only with a reason
    assert len(machinery) <= 18, sorted(p.name for p in machinery)
    for name, others in GRAPH.items():
        if name.startswith("connectors.sources."):
            source = name.split(".")[2]
            foreign = {o.split(".")[2] for o in others if o.startswith("connectors.sources.")} - {source}
            assert foreign <= {"oshub_api"}, name  # the OS Hub merges reuse the API source's client
