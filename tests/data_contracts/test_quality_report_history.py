"""Issue 19: the data-quality report lists quarantined rows per file (worker voice withheld) and keeps
a dated copy per run with an index of past runs; every freshness state is explained."""

from __future__ import annotations

import csv
import json
from html import escape

from data_contracts import quarantine_listing as listing
from data_contracts.freshness import FRESHNESS_STATES, freshness_section
from data_contracts.quality_report import escape_text, render_report
from data_contracts.report_history import past_runs, prune, run_dir, write_runs_index
from data_contracts.report_sections import render_section

MEANINGS = {"missing_required": "A required cell is empty.", "bad_date": "Not a date."}


def _rows(source_type: str, source_file: str, count: int, message: str = "row {n}: bad") -> list[dict]:
    return [
        {
            "source_type": source_type,
            "source_file": source_file,
            "source_row": n + 2,
            "column_name": "name",
            "reason_code": "missing_required",
            "message": message.format(n=n),
            "payload": json.dumps({"name": f"=cmd{n}", "reporter_phone": "+44 7700 900123"}),
        }
        for n in range(count)
    ]


def test_quarantined_rows_per_file_first_100_inline_all_in_csv(tmp_path):
    rows = _rows("supplier_list", "lists/north.csv", 130) + _rows("supplier_list", "lists/casa.csv", 2)
    files = listing.group_by_file(rows, MEANINGS)
    assert [(f.source_file, len(f.rows)) for f in files] == [("lists/casa.csv", 2), ("lists/north.csv", 130)]
    written = listing.write_csvs(files, tmp_path)
    with written[1].open(encoding="utf-8") as handle:
        all_rows = list(csv.DictReader(handle))
    assert len(all_rows) == 130 and all_rows[0]["source_row"] == "2"
    assert json.loads(all_rows[0]["payload"].lstrip("'"))["name"] == "=cmd0"
    html = listing.render_listing(files, escape_text)
    assert html.count("<tr><td>") == 100 + 2  # 100 of north inline, both of casa
    assert "130 row(s) (first 100 shown)" in html
    assert f'href="quarantine/{files[1].csv_name}"' in html and "All 130 rows as CSV" in html
    assert [f.csv_name for f in files] == ["001-casa.csv", "002-north.csv"]  # one .csv, not .csv.csv
    other = listing.group_by_file(_rows("supplier_list", "lists/q3 list.xlsx", 1), MEANINGS)
    assert other[0].csv_name == "001-q3_list_xlsx.csv"


def test_worker_voice_rows_show_only_place_and_reason(tmp_path):
    secret = "reporter Jane Doe +44 7700 900123 said the manager took passports"
    rows = _rows("worker_voice_grievance", "wv/cases.csv", 3, message=secret)
    files = listing.group_by_file(rows, MEANINGS)
    written = listing.write_csvs(files, tmp_path)
    html = listing.render_listing(files, escape_text)
    text = written[0].read_text(encoding="utf-8")
    for leak in ("Jane Doe", "7700", "passports", "=cmd"):
        assert leak not in text and leak not in html
    assert "A required cell is empty." in html and "withheld" in text
    assert files[0].worker_voice and listing.summary_rows(files)[0]["worker_voice_withheld"] is True


def test_csv_cells_that_look_like_formulas_are_quoted(tmp_path):
    rows = _rows("supplier_list", "x.csv", 1, message="=HYPERLINK(1)")
    (path,) = listing.write_csvs(listing.group_by_file(rows, MEANINGS), tmp_path)
    assert "'=HYPERLINK(1)" in path.read_text(encoding="utf-8")


def test_every_freshness_state_is_explained():
    section = freshness_section([{"table": "t", "status": "never_updated"}])
    html = render_section(section)
    for state, meaning in FRESHNESS_STATES:
        assert f"<dt>{state}</dt><dd>{escape(meaning)}</dd>" in html
    assert {state for state, _ in FRESHNESS_STATES} == {"fresh", "stale", "never_updated", "no_sla"}
    assert "no run that wrote the table" in dict(FRESHNESS_STATES)["never_updated"]


def test_dated_reports_and_the_index_of_past_runs(tmp_path):
    out = tmp_path / "data_quality"
    for stamp, status in (("2026-12-01T06:00:00Z", "passed"), ("2026-12-02T06:00:00Z", "failed")):
        folder = run_dir(out, stamp)
        render_report({"published.t": []}, folder, stamp, extra_summary={"quarantined_files": [{"rows": 4}]})
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        summary["status"] = status
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert run_dir(out, "2026-12-02T06:00:00Z").name == "2026-12-02T060000Z-2"  # never overwritten
    runs = past_runs(out)
    assert [r["folder"] for r in runs] == ["2026-12-02T060000Z", "2026-12-01T060000Z"]
    assert runs[0]["status"] == "failed" and runs[0]["quarantined_rows"] == 4
    index = write_runs_index(out, "").read_text(encoding="utf-8")
    assert index.index("2026-12-02T060000Z/index.html") < index.index("2026-12-01T060000Z/index.html")
    assert prune(out, keep=1) == [out / "runs" / "2026-12-01T060000Z"]
    assert [r["folder"] for r in past_runs(out)] == ["2026-12-02T060000Z"]
