"""The README's "A sourcing manager's week" runs as written: every line of its bash block, verbatim and in
order, in bash, from a folder where `.venv` is this environment, on a fresh home (the block starts with
`flrisk demo`). Each command exits 0, and what the comments promise is in its output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipelines.operations_support import ROOT, RUN_TIMEOUT, flrisk_env

SECTION = "## A sourcing manager's week"
HETIAN = "Hetian Taida Apparel Company Limited (CN)"


def week_commands() -> list[str]:
    """The command lines of the section's first bash block (comment lines left out)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(SECTION) :]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def first_result(stdout: str) -> str:
    return stdout.splitlines()[0]


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """Every command's completed process, in order, run in a fresh folder and home."""
    folder = tmp_path_factory.mktemp("readme_week")
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = flrisk_env(folder / "home")
    env.pop("FLRISK_PSEUDONYMISATION_KEY")  # as a user starts: `flrisk demo` makes its own key
    done = []
    for command in week_commands():
        result = subprocess.run(
            ["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT
        )
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        done.append((command, result))
    return folder, done


def output_of(week, start: str, occurrence: int = 0) -> str:
    """stdout of the `occurrence`-th command starting with `.venv/bin/flrisk START`."""
    _, done = week
    found = [r.stdout for c, r in done if c.startswith(f".venv/bin/flrisk {start}")]
    return found[occurrence]


def test_the_week_block_is_there_and_starts_with_the_demo():
    commands = week_commands()
    assert commands[0] == ".venv/bin/flrisk demo"
    assert any(c.startswith(".venv/bin/flrisk load supplier-list") for c in commands)


def test_every_command_runs_and_search_finds_the_right_facility_first(week):
    assert HETIAN in first_result(output_of(week, "search Taida"))
    assert HETIAN in first_result(output_of(week, "search 和田泰达"))
    assert "Song Lam Garment Joint Stock Company (VN)" in first_result(output_of(week, 'search "Song Lam"'))
    assert HETIAN in first_result(output_of(week, "search CN2019024QDDSS6"))
    gazipur = output_of(week, "search Gazipur")
    details = gazipur.splitlines()[1::2]  # each result: a rank line, then a details line
    assert len(details) >= 3 and all("Casa Verde Home" in line for line in details)  # brand-scoped
    shanghai = json.loads(output_of(week, "search Shanghai"))
    assert shanghai and {row["country_code"] for row in shanghai} == {"CN"}
    assert output_of(week, "facility karatoya").startswith("Karatoya Knit Composite Ltd (BD)")


def test_decisions_apply_with_the_new_lists_run(week):
    assert "Recorded: pair 4d5a7a1aaf16112c86d1:55b057248aa67bcd2397" in output_of(week, "review-match 4d5a")
    assert "Recorded: FLR-3CB3367EC47B confirmed" in output_of(week, "review-hit FLR-3CB3367EC47B")
    loaded = output_of(week, "load supplier-list")
    summary = loaded[loaded.index("What changed:") :]
    assert summary.startswith("What changed: 2 new facilities, 2 merged"), summary
    # Hotan Taida is Hetian Taida, critical and already known: new to Casa Verde's portfolio
    assert f"Casa Verde Home's list adds 1 critical facility: {HETIAN}" in summary, summary
    assert "Lakeside Knitting Mill (BD)" in summary and "merged into" in summary
    assert "Classic Fashion Apparel Industry Ltd. Co. (JO)" in summary and "merged into" in summary
    this_week = output_of(week, 'changes --brand "Casa Verde"', occurrence=1)
    assert "Lakeside Knitting Mill (BD)" in this_week and "149 new facilities" in this_week
    assert f"Casa Verde Home's list adds 1 critical facility: {HETIAN}" in this_week


def test_the_export_and_the_reports_are_written(week):
    folder, _ = week
    import openpyxl

    sheet = openpyxl.load_workbook(folder / "casa_verde_risk.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "facility_id" and len(rows) - 1 == 151  # 149 + Hetian Taida + Lakeside
    assert rows[1][1] == "Hetian Taida Apparel Company Limited"  # band then score: the critical one first
    home = folder / "home"
    index = (home / "reports" / "brands" / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr data-brand="Casa Verde Home">(.*?)</tr>', index, re.S).group(1)
    assert dict(re.findall(r'data-change="(\w+)">(\d+)<', row))["new"] == "1"
    assert (home / "reports" / "data_quality" / "index.html").is_file()
