"""The Open Supply Hub sync assets against a local fake OS Hub over real HTTP, on a real warehouse."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.oshub_sync import raw_oshub_api, raw_oshub_merges
from assets.staging import staged_tables
from connectors.sources.oshub_api import PRODUCTION_LOCATIONS
from tests.fakes.oshub_server import FakeOsHub, recorded
from tests.pipelines.oshub_support import count, oshub_home, oshub_resources

TOKEN = "tok-sync-7d1e44"


@pytest.fixture
def hub():
    with FakeOsHub(
        TOKEN,
        recorded("production_locations.json"),
        recorded("facilities_geojson.json"),
        recorded("merge_events.json"),
    ) as server:
        yield server


@pytest.fixture
def home(tmp_path, monkeypatch):
    return oshub_home(tmp_path, monkeypatch, TOKEN)


def resources(hub: FakeOsHub) -> dict:
    return oshub_resources(hub, page_size=4)


def test_sync_pulls_every_location_and_stages_it_with_aliases(hub, home):
    result = dg.materialize([raw_oshub_api, raw_oshub_merges, staged_tables], resources=resources(hub))
    assert result.success
    assert count(home, "SELECT count(*) FROM raw.oshub_api") == 13
    assert count(home, "SELECT count(*) FROM raw.loads WHERE source_type = 'oshub_api'") == 1
    assert count(home, "SELECT count(*) FROM raw.api_checkpoints") == 0
    staged = count(home, "SELECT count(*) FROM staged.facility_records WHERE source_type = 'oshub_api'")
    quarantined = count(
        home,
        "SELECT count(DISTINCT source_row) FROM quarantine.rejected_rows WHERE source_type = 'oshub_api'",
    )
    assert staged + quarantined == 13 and staged > 0
    assert count(home, "SELECT count(*) FROM staged.oshub_id_aliases") > 0


def test_a_crashed_pull_resumes_from_its_checkpoint_without_repeating_rows(hub, home):
    fault = hub.fail(PRODUCTION_LOCATIONS, status=502, times=99, when=lambda p: "search_after[id]" in p)
    first = dg.materialize([raw_oshub_api], resources=resources(hub), raise_on_error=False)
    assert not first.success
    assert count(home, "SELECT count(*) FROM raw.oshub_api") == 4
    assert count(home, "SELECT count(*) FROM raw.api_checkpoints") == 1
    registered = (
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'loads'"
    )
    assert count(home, registered) == 0  # no raw.loads entry: staging never sees half a pull
    fault.times = 0
    second = dg.materialize([raw_oshub_api], resources=resources(hub))
    assert second.success
    assert count(home, "SELECT count(*) FROM raw.oshub_api") == 13
    assert count(home, "SELECT count(DISTINCT source_row) FROM raw.oshub_api") == 13
    assert count(home, "SELECT count(DISTINCT load_id) FROM raw.oshub_api") == 1


def test_a_rejected_token_fails_clearly_and_is_never_shown(hub, home, monkeypatch):
    monkeypatch.setenv("FLRISK_OSHUB_TOKEN", "wrong-token-123456")
    result = dg.materialize([raw_oshub_api], resources=resources(hub), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    message = str(failure.step_failure_data.error)
    assert "token missing or rejected" in message
    assert "wrong-token-123456" not in message
