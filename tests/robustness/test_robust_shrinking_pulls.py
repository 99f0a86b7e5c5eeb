"""Issue 16, break 2 (pulls): a pull is complete only when the records received match the server's count
and the cursor moved on every page; a complete pull that removes more than 5% of the previous pull's
facilities is held for review (`flrisk status` says so, `flrisk accept-pull` accepts it) instead of
replacing it; resolution then applies the removal. Real `flrisk` subprocesses against the local fake
Open Supply Hub on 127.0.0.1."""

from __future__ import annotations

import json

import duckdb
import pytest

from connectors.sources.oshub_api import PRODUCTION_LOCATIONS, IncompletePullError, pull_production_locations
from connectors.sources.oshub_api.client import OsHubClient, RetryPolicy
from tests.fakes.oshub_server import FakeOsHub, recorded
from tests.pipelines.operations_support import AS_OF, copy_home, run_flrisk

TOKEN = "tok-shrink-16"


def _one(home, sql: str):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(sql).fetchall()[0][0]


def _staged_api_records(home) -> int:
    return _one(home, "SELECT count(*) FROM staged.facility_records WHERE source_type = 'oshub_api'")


def _sync(home, hub, *extra):
    return run_flrisk(
        home, "sync-oshub", "--base-url", hub.base_url, "--as-of", AS_OF, *extra, FLRISK_OSHUB_TOKEN=TOKEN
    )


def test_a_shrinking_pull_is_held_until_accepted_and_an_incomplete_one_is_discarded(tmp_path):
    home = copy_home(tmp_path / "home")
    locations = recorded("production_locations.json")[:12]
    with FakeOsHub(TOKEN, locations) as hub:
        first = _sync(home, hub)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "12 records, in use" in first.stdout
        twelve = _staged_api_records(home)
        assert twelve > 0

        hub.locations = hub.locations[1:]  # 11 of 12: one facility (8%) gone
        shrunk = _sync(home, hub)
        assert shrunk.returncode == 0, shrunk.stdout + shrunk.stderr
        assert "HELD for review" in shrunk.stdout
        assert _staged_api_records(home) == twelve  # staging kept the previous pull
        status = run_flrisk(home, "status", "--json")
        assert status.returncode == 0, status.stderr
        attention = json.loads(status.stdout)["needs_attention"]
        held = [item for item in attention if "held for review" in item["what"]]
        assert len(held) == 1 and "removes 1 of the previous pull's 12 facilities" in held[0]["detail"]

        accepted = run_flrisk(home, "accept-pull", "--as-of", AS_OF)
        assert accepted.returncode == 0, accepted.stdout + accepted.stderr
        last = "SELECT mode, removed_records FROM resolved.resolution_runs ORDER BY resolved_at DESC LIMIT 1"
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            assert con.sql(last).fetchall()[0] == ("incremental", 1)
        eleven = _staged_api_records(home)
        assert eleven == twelve - 1
        status = run_flrisk(home, "status", "--json")
        assert not [i for i in json.loads(status.stdout)["needs_attention"] if "held" in i["what"]]

        hub.fail(PRODUCTION_LOCATIONS, status=200, body={"count": 11, "data": []})
        empty = _sync(home, hub)
        assert empty.returncode == 1 and "received 0 of the 11 records" in empty.stderr
        hub.fail(PRODUCTION_LOCATIONS, status=200, body={"count": 12, "data": hub.locations[:6]})
        short = _sync(home, hub)
        assert short.returncode == 1 and "received 6 of the 12 records" in short.stderr
        assert _one(home, "SELECT count(*) FROM raw.api_checkpoints") == 0  # discarded, nothing to resume

        nightly = run_flrisk(home, "refresh", "--full-resolve", "--as-of", AS_OF)
        assert nightly.returncode == 0, nightly.stdout + nightly.stderr
        assert _staged_api_records(home) == eleven
        facilities = "SELECT count(*) FROM resolved.facilities WHERE list_contains(source_types, 'oshub_api')"
        assert _one(home, facilities) > 0


def test_a_server_that_ignores_the_cursor_is_stopped_at_the_second_page():
    locations = recorded("production_locations.json")
    with FakeOsHub(TOKEN, locations) as hub:
        first_page = {"count": len(locations), "data": hub.locations[:4]}
        hub.fail(
            PRODUCTION_LOCATIONS,
            status=200,
            body=first_page,
            times=99,
            when=lambda p: "search_after[id]" in p,
        )
        client = OsHubClient(TOKEN, hub.base_url, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(IncompletePullError, match="did not move past the paging cursor"):
            list(pull_production_locations(client, page_size=4))
        assert len(hub.calls(PRODUCTION_LOCATIONS)) == 2


def test_a_pull_without_a_count_is_not_complete():
    with FakeOsHub(TOKEN, recorded("production_locations.json")) as hub:
        hub.fail(PRODUCTION_LOCATIONS, status=200, body={"data": hub.locations[:2]})
        client = OsHubClient(TOKEN, hub.base_url, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(IncompletePullError, match="declared no record count"):
            list(pull_production_locations(client, page_size=4))
