"""The worker-voice summary is recomputed only when what it is computed from changed, and the disclosure
audit runs once per release: not twice in one run, not again for the very release already published
(issue 19, fast small loads). A leaking release is still refused."""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl
import pytest

import assets.disclosure as disclosure
import assets.worker_voice as worker_voice
from assets.resources import WarehouseResource
from assets.risk import published_risk_tables
from assets.worker_voice import worker_voice_summary
from risk_model.parameters import load_parameters
from tests.pipelines.operations_support import copy_home

SUMMARY = dg.AssetKey(["published", "worker_voice_summary"])


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A copy of the demo home (built by `flrisk demo`, which recorded the summary's fingerprints)."""
    home = copy_home(tmp_path / "home")
    monkeypatch.setenv("FLRISK_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv("FLRISK_PSEUDONYMISATION_KEY", "operations-test-key")
    return home


@pytest.fixture
def audits(monkeypatch):
    """The releases the disclosure audit attacked."""
    attacked = []
    real = disclosure.audit_disclosure

    def counted(current, *args, **kwargs):
        attacked.append(current)
        return real(current, *args, **kwargs)

    monkeypatch.setattr(disclosure, "audit_disclosure", counted)
    return attacked


def materialize(home, assets) -> tuple[dg.ExecuteInProcessResult, dict]:
    """Materialize `assets` on the home's own instance; the summary's last materialization metadata."""
    warehouse = WarehouseResource(database=str(home / "warehouse.duckdb"))
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        result = dg.materialize(
            assets, resources={"warehouse": warehouse}, instance=instance, raise_on_error=False
        )
        event = instance.get_latest_materialization_event(SUMMARY)
    return result, {key: value.value for key, value in event.asset_materialization.metadata.items()}


def published_summary(home) -> pl.DataFrame:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        frame = con.sql("SELECT * FROM published.worker_voice_summary").pl()
    return frame.sort(frame.columns, nulls_last=True)


def recomputed_summary(home) -> pl.DataFrame:
    frame = worker_voice.summary_of(
        WarehouseResource(database=str(home / "warehouse.duckdb")), load_parameters()
    )
    return frame.select(published_summary(home).columns).sort(frame.columns, nulls_last=True)


def drop_grievances_of_one_facility(home) -> None:
    """A change to the summary's inputs: the grievances of one facility are gone."""
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(
            "DELETE FROM staged.worker_voice_grievances WHERE record_id IN (SELECT record_id FROM "
            "resolved.record_links WHERE facility_id = (SELECT l.facility_id FROM "
            "staged.worker_voice_grievances JOIN resolved.record_links l USING (record_id) "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1))"
        )


def test_unchanged_inputs_keep_the_published_summary_without_a_new_audit(home, audits):
    before = published_summary(home)
    result, metadata = materialize(home, [worker_voice_summary])
    assert result.success
    assert metadata["mode"] == "unchanged"
    assert audits == []  # the release is the one published, audited under the same rules
    assert published_summary(home).equals(before)
    assert before.equals(recomputed_summary(home))


def test_changed_inputs_recompute_and_audit_the_summary_once(home, audits):
    before = published_summary(home)
    drop_grievances_of_one_facility(home)
    result, metadata = materialize(home, [worker_voice_summary])
    assert result.success
    assert metadata["mode"] == "recomputed"
    assert len(audits) == 1
    after = published_summary(home)
    assert not after.equals(before)
    assert after.equals(recomputed_summary(home))
    again, metadata = materialize(home, [worker_voice_summary])
    assert again.success and metadata["mode"] == "unchanged"
    assert len(audits) == 1


def test_the_risk_step_and_the_summary_step_audit_their_release_once(home, audits):
    # worker voice changed: the risk step audits the new drivers with the new summary, and the
    # summary step publishing that same release does not audit it a second time
    drop_grievances_of_one_facility(home)
    result, metadata = materialize(home, [published_risk_tables, worker_voice_summary])
    assert result.success
    assert metadata["mode"] == "recomputed"
    assert len(audits) == 1


def test_a_leaking_summary_is_still_refused(home, audits, monkeypatch):
    before = published_summary(home)
    drop_grievances_of_one_facility(home)
    real = worker_voice.summarise

    def leaking(*args, **kwargs):
        summary = real(*args, **kwargs)
        shown = summary["suppressed"].not_()
        first = shown.arg_true()[0]
        return summary.with_columns(
            respondents=pl.when(pl.int_range(pl.len()) == first).then(3).otherwise(pl.col("respondents"))
        )

    monkeypatch.setattr(worker_voice, "summarise", leaking)
    result, _ = materialize(home, [worker_voice_summary])
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert "disclosure audit failed" in failure.step_failure_data.error.message
    assert published_summary(home).equals(before)
