"""Reviewers' decisions on list-screening hits, end to end: real DuckDB, real `refresh_all` runs.

The demo bundle plus a small extra entity list: "Chengyi Optics Co., Ltd." (TW) is a fuzzy, pending
match for the demo's "Chengyi Optical Co Ltd", and "Universal Athletics Inc." (DO) an exact one
(auto-confirmed) for "Universal Athletics". A reviewer confirms the first and rejects the second with
`flrisk review-hit`; the next run respects both, and leaves the decisions untouched. The module has its
own FLRISK_HOME, so the shared demo run of the other sourcing tests never sees these decisions.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from tests.demo_run import demo_environment, run_demo_job

EXTRA_ROWS = """\
uflpa_entity_list,"Chengyi Optics Co., Ltd.",,Taiwan,2024-01-10,https://example.org/test-only
uflpa_entity_list,"Universal Athletics Inc.",,Dominican Republic,2024-01-10,https://example.org/test-only
"""
FUZZY, EXACT = "Chengyi Optics Co., Ltd.", "Universal Athletics Inc."


def run_refresh_all() -> None:
    assert run_demo_job().success


def read(home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(sql).pl()


def state(home) -> dict:
    """Per listed entity of the extra list: its hit's status and the facility's band and list score."""
    rows = read(
        home,
        "SELECT h.list_entity_name, h.status, h.facility_id, f.risk_band, f.list_exposure_score "
        "FROM published.list_screening_hits h JOIN published.facility_risk f USING (facility_id) "
        f"WHERE h.list_entity_name IN ('{FUZZY}', '{EXACT}')",
    )
    return {row.pop("list_entity_name"): row for row in rows.iter_rows(named=True)}


@pytest.fixture(scope="module")
def review_home(tmp_path_factory):
    """A home with the demo bundle and the extra list run once, before any decision."""
    with demo_environment(tmp_path_factory.mktemp("review_home")) as home:
        from warehouse.received import received_manifest, register_demo_bundle

        register_demo_bundle()
        # The extra entries go into a copy of the demo's list, so the run screens them as that list.
        manifest = received_manifest()
        entries = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        listed = next(e for e in entries["files"] if e["source_type"] == "reference_entity_list")
        demo_list = Path(listed["path"]).read_text(encoding="utf-8").rstrip("\n")
        listed["path"] = str(home / "trade_restriction_entities.csv")
        Path(listed["path"]).write_text(demo_list + "\n" + EXTRA_ROWS, encoding="utf-8")
        manifest.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
        run_refresh_all()
        yield home


@pytest.fixture()
def cli(review_home, monkeypatch):
    monkeypatch.setenv("FLRISK_HOME", str(review_home))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_reviewer_decisions_apply_on_the_next_run_and_survive_it(review_home, cli):
    before = state(review_home)
    assert before[FUZZY]["status"] == "candidate" and before[FUZZY]["risk_band"] != "critical"
    assert before[EXACT]["status"] == "confirmed" and before[EXACT]["risk_band"] == "critical"
    pending = cli("review-hit", "--list")
    assert pending.exit_code == 0 and FUZZY in pending.output and EXACT not in pending.output

    confirmed = cli("review-hit", before[FUZZY]["facility_id"], FUZZY.upper(), "--confirm", "--by", "ana")
    assert confirmed.exit_code == 0, confirmed.output
    assert "applies on the next run" in confirmed.output
    hit_id = read(
        review_home, f"SELECT hit_id FROM published.list_screening_hits WHERE list_entity_name = '{EXACT}'"
    )
    rejected = cli("review-hit", hit_id.item(), "--reject", "--by", "ana", "--note", "a different company")
    assert rejected.exit_code == 0, rejected.output
    assert "[confirmed by ana" in cli("review-hit", "--list").output  # recorded, not yet applied
    decisions = read(review_home, "SELECT * FROM resolved.list_hit_decisions ORDER BY decision")
    assert decisions.select("decision", "decided_by", "note").rows() == [
        ("confirmed", "ana", None),
        ("rejected", "ana", "a different company"),
    ]

    run_refresh_all()
    after = state(review_home)
    assert after[FUZZY]["status"] == "confirmed" and after[FUZZY]["risk_band"] == "critical"
    assert after[FUZZY]["list_exposure_score"] == 100
    assert after[EXACT]["status"] == "dismissed"  # still published, with its status
    assert after[EXACT]["risk_band"] != "critical" and after[EXACT]["list_exposure_score"] == 0
    drivers = read(
        review_home,
        "SELECT facility_id, description FROM published.facility_risk_drivers "
        "WHERE component = 'list_exposure'",
    )
    assert drivers.filter(pl.col("facility_id") == after[EXACT]["facility_id"]).is_empty()
    confirmed_driver = drivers.filter(pl.col("facility_id") == after[FUZZY]["facility_id"])["description"]
    assert "confirmed by a reviewer on" in confirmed_driver.item() and FUZZY in confirmed_driver.item()
    assert read(review_home, "SELECT * FROM resolved.list_hit_decisions ORDER BY decision").equals(decisions)

    profile = cli("facility", after[EXACT]["facility_id"])
    assert profile.exit_code == 0, profile.output
    assert f"entry {EXACT}: rejected by ana on" in profile.output
    assert "a different company" in profile.output

    run_refresh_all()  # decisions keep applying, untouched, run after run
    assert state(review_home) == after
    assert read(review_home, "SELECT * FROM resolved.list_hit_decisions ORDER BY decision").equals(decisions)


def test_unknown_or_ambiguous_hits_are_refused(review_home, cli):
    assert cli("review-hit", "FLR-000000000000", "Nobody Ltd", "--confirm", "--by", "ana").exit_code == 1
    assert cli("review-hit", "FLR-000000000000", "--confirm").exit_code == 2  # no --by
    on_both_lists = read(
        review_home,
        "SELECT facility_id FROM published.list_screening_hits "
        "GROUP BY 1 HAVING count(DISTINCT list_name) = 2",
    )["facility_id"][0]
    ambiguous = cli("review-hit", on_both_lists, "--reject", "--by", "ana")
    assert ambiguous.exit_code == 1 and "names 2 hits" in ambiguous.output


def test_a_decision_is_refused_while_a_run_holds_the_writer_lock(review_home, cli, monkeypatch):
    monkeypatch.setattr("cli.list_review.LOCK_WAIT_SECONDS", 0.5)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, time
                from pathlib import Path
                from warehouse import locking
                locking.acquire(Path({str(review_home / "warehouse.duckdb")!r}), "run test-run", 5)
                print("held", flush=True)
                time.sleep(60)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = read(review_home, "SELECT count(*) AS n FROM resolved.list_hit_decisions").item()
        busy = cli("review-hit", "--list", "--all").output.split()[0]
        refused = cli("review-hit", busy, "--reject", "--by", "ana")
        assert refused.exit_code == 2 and "another flrisk run holds the warehouse" in refused.output
        assert "run test-run" in refused.output and "not recorded" in refused.output
        assert read(review_home, "SELECT count(*) AS n FROM resolved.list_hit_decisions").item() == before
    finally:
        holder.kill()
        holder.wait()
