"""Issue 16, break 6: a malformed inbox sidecar sends its file to failed/ with the reason and the sensor
carries on (every tick, with the other files); the same bytes sent by a second contributor count for
both brands."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from tests.pipelines.operations_support import ROOT, copy_home, flrisk_env, run_flrisk

TICK = """
import json, dagster as dg
from pipelines.definitions import defs
from warehouse.home import prepare_dagster_home
prepare_dagster_home()
with dg.DagsterInstance.get() as instance:
    result = defs.get_sensor_def("inbox_files")(dg.build_sensor_context(instance=instance))
requests = [] if isinstance(result, dg.SkipReason) else [r.run_key for r in result]
print(json.dumps(requests))
"""
SHARED_LIST = "country,name,address\nKH,Mekong Shared Sewing Co Ltd,Street 598 Phnom Penh\n"


def _tick(home) -> list[str]:
    """One evaluation of the inbox sensor in its own process; the run keys it requested."""
    done = subprocess.run(
        [sys.executable, "-c", TICK],
        cwd=ROOT,
        env=flrisk_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_malformed_sidecar_never_stops_the_inbox_sensor(tmp_path):
    home = tmp_path / "home"
    inbox = home / "inbox" / "supplier-list"
    inbox.mkdir(parents=True)
    (inbox / "bad_meta.csv").write_text("country,name,address\nBD,Sidecar Knit Ltd,Savar\n", "utf-8")
    (inbox / "bad_meta.csv.meta.yaml").write_text("contributor: [unclosed\n\t: :\n", "utf-8")
    (inbox / "list_meta.csv").write_text("country,name,address\nBD,List Meta Ltd,Gazipur\n", "utf-8")
    (inbox / "list_meta.csv.meta.yaml").write_text("- just\n- a list\n", "utf-8")
    (inbox / "good.csv").write_text("country,name,address\nVN,Good Inbox Garment JSC,Da Nang\n", "utf-8")
    (inbox / "good.csv.meta.yaml").write_text("contributor: Good Brand\nreceived_at: 2026-10-01\n", "utf-8")

    requests = _tick(home)
    assert len(requests) == 1 and "good.csv" in requests[0]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["good.csv", "good.csv.meta.yaml"]
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert "bad_meta.csv" in failed and "bad_meta.csv.meta.yaml" in failed and "list_meta.csv" in failed
    reason = (inbox / "failed" / "bad_meta.csv.error.txt").read_text(encoding="utf-8")
    assert reason.startswith("[bad_sidecar] bad_meta.csv.meta.yaml: not readable YAML")
    assert "expected a mapping" in (inbox / "failed" / "list_meta.csv.error.txt").read_text(encoding="utf-8")

    (inbox / "later.csv").write_text("country,name,address\nTH,Later Inbox Apparel Co,Bangkok\n", "utf-8")
    (inbox / "later.csv.meta.yaml").write_text("received_at: 2026-02-30\n", "utf-8")
    assert _tick(home) == []  # the next tick runs too; an impossible date is refused with its reason
    assert "later.csv.error.txt" in {p.name for p in (inbox / "failed").iterdir()}


def test_the_same_file_from_a_second_brand_counts_for_both(tmp_path, monkeypatch):
    from warehouse.received import register_file

    home = copy_home(tmp_path / "home")
    shared = tmp_path / "mekong_suppliers.csv"
    shared.write_text(SHARED_LIST, encoding="utf-8")
    monkeypatch.setenv("FLRISK_HOME", str(home))
    first = register_file(shared, "supplier-list", "First Brand")
    loaded = run_flrisk(home, "load", "supplier-list", str(shared), "--contributor", "Other Brand")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "from Other Brand" in loaded.stdout and first.relative_path not in loaded.stdout
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        brands = con.sql(
            "SELECT contributor FROM published.brand_exposure "
            "WHERE contributor IN ('First Brand', 'Other Brand')"
        ).fetchall()
    assert sorted(brands) == [("First Brand",), ("Other Brand",)]
    brand = run_flrisk(home, "brand", "Other Brand")
    assert brand.returncode == 0, brand.stderr
    assert "Other Brand: 1 facilities" in brand.stdout
