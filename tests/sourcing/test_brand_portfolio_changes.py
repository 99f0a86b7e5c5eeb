"""A brand's new supplier list that includes a facility already in the warehouse - Hetian Taida,
critical, listed by Northwind - is a change for that brand, through the real commands: `flrisk load`
says "Casa Verde Home's list adds 1 critical facility: Hetian Taida ...", `flrisk changes --brand`
lists it with band and score, the brand index counts it, and the `change_alerts` sensor tells the
brand once by webhook (a real HTTP server on 127.0.0.1) with the evidence. The demo's first run,
where every facility is new, records no brand additions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from tests.demo_run import TEST_KEY, demo_environment, run_demo_job
from tests.fakes.webhook import webhook_server
from tests.pipelines.operations_support import run_flrisk

BRAND = "Casa Verde Home"
LIST = """\
country,name,address,sector,product_type
China,Hetian Taida Apparel Co Ltd,"No. 8 Beijing West Road, Hotan Industrial Park, Hotan",Apparel,Knitwear
"""
RUN_ID = re.compile(r"\(run ([0-9a-f-]{36})\)")


def flrisk(home: Path, *args: str):
    return run_flrisk(home, *args, FLRISK_PSEUDONYMISATION_KEY=TEST_KEY)


@pytest.fixture(scope="module")
def webhook():
    with webhook_server() as hook:
        yield hook


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The demo run once, then a Casa Verde list naming only Hetian Taida loaded by command."""
    with demo_environment(tmp_path_factory.mktemp("portfolio_home")) as home:
        from warehouse.received import register_demo_bundle

        register_demo_bundle()
        assert run_demo_job().success
        path = home / "casa_verde_additions.csv"
        path.write_text(LIST, encoding="utf-8")
        result = flrisk(home, "load", "supplier-list", str(path), "--contributor", BRAND)
        assert result.returncode == 0, result.stdout + result.stderr
        yield home, result, RUN_ID.search(result.stdout).group(1)


def history(home: Path, select: str, rest: str = "") -> list[tuple]:
    """SELECT `select` FROM published.facility_risk_history `rest`, on the warehouse."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT {select} FROM published.facility_risk_history {rest}").fetchall()


def test_the_first_run_records_no_brand_additions_and_the_load_one(loaded):
    home, _, run_id = loaded
    by_run = history(
        home,
        "run_id, count(*) FILTER (list_contains(change_kinds, 'added_to_brand')), "
        "count(*) FILTER (list_contains(change_kinds, 'new'))",
        "GROUP BY run_id",
    )
    first = [(added, new) for run, added, new in by_run if run != run_id]
    assert len(first) == 1 and first[0][0] == 0 and first[0][1] > 100, by_run
    added = history(
        home,
        "facility_name, brands_added, old_risk_band, new_risk_band",
        f"WHERE run_id = '{run_id}' AND list_contains(change_kinds, 'added_to_brand')",
    )
    assert [(name[:12], brands) for name, brands, *_ in added] == [("Hetian Taida", [BRAND])], added
    assert added[0][2] == added[0][3] == "critical"  # the facility itself did not change


def test_the_load_summary_says_which_brands_list_adds_what(loaded):
    _, result, _ = loaded
    summary = result.stdout[result.stdout.index("What changed:") :]
    assert "1 newly on a brand's list" in summary.splitlines()[0], summary
    assert re.search(
        rf"  {BRAND}'s list adds 1 critical facility: Hetian Taida [^\n]*\(CN\) FLR-\w+, critical \d+",
        summary,
    ), summary


def test_changes_by_brand_lists_it_with_band_and_score_and_other_brands_see_nothing(loaded):
    home, _, run_id = loaded
    rows = json.loads(flrisk(home, "changes", "--brand", "casa verde", "--json").stdout)
    this_run = [row for row in rows if row["run_id"] == run_id]
    assert [row["change_kinds"] for row in this_run] == [["added_to_brand"]], this_run
    (hetian,) = this_run
    assert hetian["facility_name"].startswith("Hetian Taida") and hetian["brands_added"] == [BRAND]
    assert (hetian["old_risk_band"], hetian["new_risk_band"]) == (None, "critical")  # new to Casa Verde
    text = flrisk(home, "changes", "--brand", BRAND).stdout
    assert f"Run {run_id}" in text
    assert re.search(rf"{BRAND}'s list adds 1 critical facility: Hetian Taida .*, critical \d+", text), text
    northwind = json.loads(flrisk(home, "changes", "--brand", "Northwind Apparel", "--json").stdout)
    assert not [row for row in northwind if row["run_id"] == run_id]  # Northwind already listed it


def test_the_brand_index_counts_it_as_added_to_the_list(loaded):
    home, _, run_id = loaded
    html = (home / "reports" / "brands" / "index.html").read_text(encoding="utf-8")
    assert f"run <code>{run_id}</code>" in html

    def counts(brand: str) -> dict[str, str]:
        row = re.search(rf'<tr data-brand="{brand}">(.*?)</tr>', html, re.S).group(1)
        return dict(re.findall(r'data-change="(\w+)">(\d+)<', row))

    casa_verde = counts(BRAND)
    assert casa_verde["added_to_brand"] == "1" and casa_verde["new"] == "0", casa_verde
    assert casa_verde["new_list_hits"] == "1", casa_verde  # its confirmed list hit is news to Casa Verde
    assert counts("Northwind Apparel")["added_to_brand"] == "0"


def test_the_brand_is_alerted_once_with_the_evidence(loaded, webhook, monkeypatch):
    from pipelines.definitions import defs

    home, _, run_id = loaded
    rules = {"brands": {BRAND: {"webhook": webhook.url}, "Northwind Apparel": {"webhook": webhook.url}}}
    (home / "alert_rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    monkeypatch.setenv("FLRISK_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    sensor = defs.get_sensor_def("change_alerts")
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
        success = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)[0].dagster_event
        context = dg.build_run_status_sensor_context(
            sensor_name="change_alerts", dagster_instance=instance, dagster_run=run, dagster_event=success
        )
        sensor(context)
        assert [post["brand"] for post in webhook.received] == [BRAND]  # Northwind: nothing new to it
        alerts = webhook.received[0]["alerts"]
        band = [a for a in alerts if a["rule"] == "band reaches high or critical"]
        assert len(band) == 1 and band[0]["facility_name"].startswith("Hetian Taida"), alerts
        diff = band[0]["evidence_diff"]
        assert diff["change_kinds"] == ["added_to_brand"]
        assert diff["band"] == {"old": None, "new": "critical"} and diff["score"]["new"] > 0
        sensor(context)  # evaluated again: nothing is sent twice
        assert len(webhook.received) == 1
