"""Atomic publish through a real materialization: a blocking contract failure keeps the previous version.

The demo runs once into a temporary FLRISK_HOME; then a null key is injected upstream of
published.facility_risk and the published-risk asset is materialized again. The run must fail naming
the rule and showing offending rows, and every published table must be exactly as before; once the
upstream is repaired, the same materialization publishes again.
"""

from __future__ import annotations

import os

import dagster as dg
import duckdb
import pytest
from test_end_to_end import AS_OF, PUBLISHED, run_demo_job

PUBLISHED_RISK_ASSETS = [
    dg.AssetKey(["published", t]) for t in PUBLISHED if t != "worker_voice_summary"
]


def materialize_published_risk() -> dg.ExecuteInProcessResult:
    from pipelines.definitions import defs

    return defs.resolve_job_def("refresh_all").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        run_config={"ops": {"published_risk_tables": {"config": {"as_of": AS_OF}}}},
        asset_selection=PUBLISHED_RISK_ASSETS,
        raise_on_error=False,
    )


def published_snapshot(warehouse: str) -> dict:
    with duckdb.connect(warehouse, read_only=True) as con:
        return {t: con.sql(f"SELECT * FROM published.{t} ORDER BY ALL").pl() for t in PUBLISHED}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("flrisk_home")
    saved = {k: os.environ.get(k) for k in ("FLRISK_HOME", "FLRISK_PSEUDONYMISATION_KEY", "FLRISK_SOURCES")}
    os.environ.update(FLRISK_HOME=str(home), FLRISK_PSEUDONYMISATION_KEY="test-key-not-secret-0123456789")
    os.environ.pop("FLRISK_SOURCES", None)
    from pipelines.received import register_demo_bundle

    register_demo_bundle()
    assert run_demo_job().success
    yield str(home / "warehouse.duckdb")
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_a_null_key_fails_the_run_and_keeps_the_previous_published_version(warehouse):
    before = published_snapshot(warehouse)
    with duckdb.connect(warehouse) as con:
        victim = con.sql("SELECT min(facility_id) FROM resolved.facilities").fetchall()[0][0]
        con.execute("ALTER TABLE resolved.facilities ALTER facility_id DROP NOT NULL")
        con.execute("UPDATE resolved.facilities SET facility_id = NULL WHERE facility_id = ?", [victim])

    broken = materialize_published_risk()

    assert not broken.success
    failure = next(e for e in broken.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    message = str(failure.step_failure_data.error)
    assert "facility_risk__facility_id__not_null" in message
    assert "previous version" in message and "offending" in message
    after = published_snapshot(warehouse)
    for table in PUBLISHED:
        assert after[table].equals(before[table]), f"published.{table} changed after a blocked publish"
    with duckdb.connect(warehouse, read_only=True) as con:
        leftovers = con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%candidate%'"
        ).fetchall()
    assert leftovers == []

    with duckdb.connect(warehouse) as con:
        con.execute("UPDATE resolved.facilities SET facility_id = ? WHERE facility_id IS NULL", [victim])
    repaired = materialize_published_risk()

    assert repaired.success
    assert published_snapshot(warehouse)["facility_risk"].equals(before["facility_risk"])
