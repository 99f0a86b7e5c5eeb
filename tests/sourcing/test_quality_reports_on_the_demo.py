"""Issue 19 on the demo run (the sourcing tests' shared demo home): the data-quality report lists the
quarantined rows per file with CSVs (worker voice withheld), keeps a dated copy per run with an index of
past runs (a second report through the real `flrisk report` command adds one), explains every freshness
state, and the Great Expectations Data Docs cover every contract-checked table with the same rule
counts as the summary and the Dagster asset checks, styled offline (checked in headless Chromium)."""

from __future__ import annotations

import csv
import json
import re
import subprocess

import duckdb
import pytest

from tests.sourcing.test_brand_reports import CHROMIUM_FLAGS, EXTERNAL

pytestmark = pytest.mark.usefixtures("demo_home")


def _report_dir(home):
    return home / "reports" / "data_quality"


def _summary(home) -> dict:
    return json.loads((_report_dir(home) / "summary.json").read_text(encoding="utf-8"))


def test_quarantined_rows_are_listed_per_file_with_all_rows_in_csvs(demo_home):
    folder = _report_dir(demo_home)
    page = (folder / "index.html").read_text(encoding="utf-8")
    files = _summary(demo_home)["quarantined_files"]
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        per_file = dict(
            con.execute("SELECT source_file, count(*) FROM quarantine.rejected_rows GROUP BY 1").fetchall()
        )
    assert per_file and {f["source_file"]: f["rows"] for f in files} == per_file
    assert "Quarantined rows by file" in page
    for found in files:
        with (folder / found["csv"]).open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == found["rows"] and {r["source_file"] for r in rows} == {found["source_file"]}
        assert f'href="{found["csv"]}"' in page
        if found["worker_voice_withheld"]:
            assert all(r["payload"] == "" and "withheld" in r["message"] for r in rows)
        shown = min(found["rows"], 100)
        block = re.search(
            rf'<details class="quarantined-file" data-rows="{found["rows"]}">.*?</details>', page, re.S
        )
        assert block and block.group(0).count("<tr><td>") == shown
    assert any(f["worker_voice_withheld"] for f in files), "the demo quarantines worker-voice rows"


def test_every_freshness_state_is_explained_in_the_page(demo_home):
    page = (_report_dir(demo_home) / "index.html").read_text(encoding="utf-8")
    for state in ("fresh", "stale", "never_updated", "no_sla"):
        assert f"<dt>{state}</dt>" in page
    assert set(_summary(demo_home)["freshness_states"]) == {"fresh", "stale", "never_updated", "no_sla"}


def test_rule_counts_are_equal_in_the_summary_dagster_and_great_expectations(demo_home):
    from assets.checks import CHECK_NAME, RULES_METADATA
    from pipelines.definitions import defs

    summary = _summary(demo_home)
    graph = defs.resolve_asset_graph()
    dagster: dict[str, set[str]] = {}  # per table: its contract rules (one Dagster check runs them all)
    for key in graph.asset_check_keys:  # and the other Dagster checks on the asset
        names = {key.name}
        if key.name == CHECK_NAME:
            names = set(graph.get_check_spec(key).metadata[RULES_METADATA])
        dagster.setdefault("/".join(key.asset_key.path), set()).update(names)
    docs_index = (_report_dir(demo_home) / "data_docs" / "index.html").read_text(encoding="utf-8")
    for table in summary["tables"]:
        rules = {rule["name"] for rule in table["rules"]}
        on_asset = dagster[table["table"].replace(".", "/")]
        assert on_asset - rules == set(table["other_dagster_checks"]), table["table"]
        assert rules <= on_asset
        assert table["great_expectations_expectations"] == table["checks"] == len(rules)
        row = re.search(rf"<tr><td>{re.escape(table['table'])}</td><td[^>]*>(\d+) expectations", docs_index)
        assert row and int(row.group(1)) == table["checks"], table["table"]
    assert len(summary["tables"]) >= 26


def test_data_docs_name_no_external_host_and_no_newsletter(demo_home):
    docs = _report_dir(demo_home) / "data_docs"
    pages = list(docs.rglob("*.html"))
    assert len([p for p in pages if "validations" in p.parts]) == len(_summary(demo_home)["tables"])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text.replace("url(", "")), page  # style sheets inline, no url() left
        assert "newsletter" not in text.lower() and "Data asset: None" not in text
        assert "<script" not in text.lower()


HARNESS = """<!doctype html><html><body><iframe id="f" src="{src}" width="1200" height="800"></iframe>
<pre id="out">waiting</pre><script>
document.getElementById("f").addEventListener("load", function () {{
  var d = this.contentDocument, w = this.contentWindow, out = {{}};
  var card = d.querySelector(".card"), icon = d.querySelector(".fa-times, .fa-check-circle");
  out.cardBorder = w.getComputedStyle(card).borderTopStyle;
  out.icon = w.getComputedStyle(icon, "::before").content;
  out.tableCollapse = w.getComputedStyle(d.querySelector("table.table")).borderCollapse;
  out.footer = d.querySelectorAll("footer").length;
  document.getElementById("out").textContent = "RESULT" + JSON.stringify(out) + "END";
}});
</script></body></html>"""


def test_a_data_docs_page_is_styled_offline_in_chromium(demo_home, browser, tmp_path):
    validations = _report_dir(demo_home) / "data_docs" / "validations" / "published" / "facility_risk"
    page = next(validations.rglob("*.html"))
    harness = tmp_path / "harness.html"
    harness.write_text(HARNESS.format(src=page.as_uri()), encoding="utf-8")
    command = [
        browser,
        *CHROMIUM_FLAGS,
        "--allow-file-access-from-files",
        f"--user-data-dir={tmp_path / 'profile'}",
        harness.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r"RESULT(.*?)END", done.stdout)
    assert found, done.stdout[-2000:]
    styles = json.loads(found.group(1).replace("&quot;", '"'))
    assert styles["cardBorder"] == "solid" and styles["tableCollapse"] == "collapse"
    assert styles["icon"] in ('"\u2717"', '"\u2713"')  # a real glyph, not "³3"
    assert styles["footer"] == 0


def test_flrisk_report_adds_a_dated_report_and_indexes_past_runs(demo_home):
    from tests.pipelines.operations_support import run_flrisk

    before = sorted(p.name for p in (_report_dir(demo_home) / "runs").iterdir() if p.is_dir())
    assert len(before) >= 1
    done = run_flrisk(demo_home, "report", timeout=600)
    assert done.returncode == 0, done.stderr
    folder = _report_dir(demo_home)
    after = sorted(p.name for p in (folder / "runs").iterdir() if p.is_dir())
    assert len(after) == len(before) + 1
    newest = folder / "runs" / after[-1]
    assert (newest / "index.html").is_file() and (newest / "summary.json").is_file()
    assert list((newest / "quarantine").glob("*.csv"))
    index = (folder / "runs" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}/index.html"' in index for name in after)
    assert index.index(after[-1]) < index.index(after[0])  # newest first
    latest = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="runs/index.html"' in latest and f'href="runs/{after[-1]}/index.html"' in latest
    dated = (newest / "index.html").read_text(encoding="utf-8")
    assert 'href="../../data_docs/index.html"' in dated
