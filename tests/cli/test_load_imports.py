"""`flrisk load` imports only what a load uses (issue 19, fast small loads): the command, the code location
and the assets load without the PostgreSQL driver, scipy (the linear-programming solver of the
disclosure audit; clustering finds a small load's components without it), the HTTP client, the XLSX
reader, pandas or Great Expectations (each imported where it is used: a PostgreSQL publish, a suppressed
cell to bound, an API pull or webhook, an XLSX file, a data-quality report)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.pipelines.operations_support import ROOT

NOT_FOR_A_LOAD = ("psycopg", "scipy", "httpx", "openpyxl", "pandas", "great_expectations")
PROBE = (
    "import json, sys; import cli.main, pipelines.runner, pipelines.definitions; "
    f"print(json.dumps([name for name in {list(NOT_FOR_A_LOAD)!r} if name in sys.modules]))"
)


def test_the_load_command_and_the_code_location_import_none_of_the_heavy_extras():
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    assert json.loads(probe.stdout.strip().splitlines()[-1]) == []
