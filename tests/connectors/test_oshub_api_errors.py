"""Open Supply Hub's refusals, over real HTTP to the local fake, in the bodies OS Hub sends (its
request-meter middleware, REST framework's PermissionDenied / NotFound / ValidationError, the v1
``{detail, errors: [{field, detail}]}`` shape): each explained from the server's own words."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pytest

from assets.oshub_sync import LOCATIONS_KEY, MERGES_KEY, raw_oshub_api, raw_oshub_merges
from cli.operations import needs_attention
from connectors.ids import make_os_id
from connectors.sources.oshub_api import (
    FACILITIES,
    PRODUCTION_LOCATIONS,
    pull_facilities,
    pull_production_locations,
)
from connectors.sources.oshub_api.client import (
    OsHubAuthError,
    OsHubClient,
    OsHubNotFoundError,
    OsHubPermissionError,
    OsHubQuotaError,
    OsHubResponseError,
    RetryPolicy,
)
from connectors.sources.oshub_merges import MERGES, fetch_merge_events
from tests.fakes.oshub_server import FakeClock, FakeOsHub, recorded
from tests.fakes.oshub_server import _location_key as location_key
from tests.pipelines.operations_support import AS_OF, run_flrisk
from tests.pipelines.oshub_support import count, oshub_home, oshub_resources, rows

TOKEN = "tok-errors-5c2d9e"
API_LIMIT = {"detail": "API limit exceeded"}  # api/middleware.py RequestMeterMiddleware, status 402
NO_PERMISSION = {"detail": "You do not have permission to perform this action."}  # DRF PermissionDenied


@pytest.fixture
def hub():
    with FakeOsHub(
        TOKEN,
        recorded("production_locations.json"),
        recorded("facilities_geojson.json"),
        recorded("merge_events.json"),
    ) as server:
        yield server


def client_for(hub: FakeOsHub, base: str = "") -> OsHubClient:
    clock = FakeClock()
    return OsHubClient(
        TOKEN, hub.base_url + base, retry=RetryPolicy(max_attempts=3), clock=clock, sleep=clock.sleep
    )


def after_first_page(params: dict) -> bool:
    return "search_after[id]" in params


def test_402_api_limit_stops_the_pull_at_once_as_a_quota_stop_keeping_earlier_pages(hub):
    hub.fail(PRODUCTION_LOCATIONS, status=402, body=API_LIMIT, when=after_first_page)
    received = []
    with client_for(hub) as client, pytest.raises(OsHubQuotaError) as raised:
        for page in pull_production_locations(client, page_size=4):
            received.append(page)
    assert [page.checkpoint.records for page in received] == [4]
    assert len(hub.calls(PRODUCTION_LOCATIONS)) == 2  # never retried: the block lasts
    message = str(raised.value)
    assert "API limit exceeded" in message and "resumes" in message
    assert "check FLRISK_OSHUB_TOKEN" not in message


def test_402_without_a_contributor_is_an_account_problem_not_a_quota(hub):
    hub.fail(PRODUCTION_LOCATIONS, status=402, body={"detail": "User has no associated contributor"})
    with client_for(hub) as client, pytest.raises(OsHubPermissionError) as raised:
        client.get_json(PRODUCTION_LOCATIONS)
    assert "User has no associated contributor" in str(raised.value)


def test_the_sync_stops_for_the_day_on_402_and_resumes_from_there_on_the_next_run(hub, tmp_path, monkeypatch):
    home = oshub_home(tmp_path, monkeypatch, TOKEN)
    fault = hub.fail(PRODUCTION_LOCATIONS, status=402, body=API_LIMIT, times=99, when=after_first_page)
    first = dg.materialize([raw_oshub_api], resources=oshub_resources(hub, page_size=4))
    assert first.success  # a quota stop is not a failed run
    (event,) = first.asset_materializations_for_node("raw__oshub_api")
    assert event.metadata["finished"].value is False and event.metadata["records"].value == 4
    assert count(home, "SELECT count(*) FROM raw.oshub_api") == 4
    assert count(home, "SELECT count(*) FROM raw.api_checkpoints") == 1
    assert rows(home, "SELECT pull_key, kind, records FROM raw.api_pull_notes") == [
        (LOCATIONS_KEY, "quota_stop", 4)
    ]
    attention = [item for item in needs_attention() if "API limit" in item["what"]]
    assert len(attention) == 1 and "4 records kept" in attention[0]["detail"]
    assert "resumes" in attention[0]["fix"]

    fault.times = 0  # the next day: the block is lifted
    second = dg.materialize([raw_oshub_api], resources=oshub_resources(hub, page_size=4))
    assert second.success
    assert count(home, "SELECT count(*) FROM raw.oshub_api") == 13
    assert count(home, "SELECT count(DISTINCT source_row) FROM raw.oshub_api") == 13
    assert count(home, "SELECT count(DISTINCT load_id) FROM raw.oshub_api") == 1
    assert count(home, "SELECT count(*) FROM raw.api_pull_notes") == 0
    assert not [item for item in needs_attention() if "API limit" in item["what"]]


def test_403_on_merges_says_the_account_lacks_the_permission_in_the_servers_words(hub):
    hub.fail(MERGES, status=403, body=NO_PERMISSION)
    with client_for(hub) as client, pytest.raises(OsHubPermissionError) as raised:
        fetch_merge_events(client)
    message = str(raised.value)
    assert "You do not have permission to perform this action." in message
    assert "lacks this permission" in message and "merge history" in message
    assert "check FLRISK_OSHUB_TOKEN" not in message
    assert len(hub.calls(MERGES)) == 1


def test_a_sync_without_merge_permission_keeps_the_previous_merges_and_says_so(hub, tmp_path, monkeypatch):
    home = oshub_home(tmp_path, monkeypatch, TOKEN)
    assert dg.materialize([raw_oshub_merges], resources=oshub_resources(hub, page_size=4)).success
    before = count(home, "SELECT count(*) FROM raw.oshub_merges")
    hub.fail(MERGES, status=403, body=NO_PERMISSION)
    result = dg.materialize([raw_oshub_merges], resources=oshub_resources(hub, page_size=4))
    assert result.success
    assert count(home, "SELECT count(*) FROM raw.oshub_merges") == before > 0
    assert rows(home, "SELECT pull_key, kind FROM raw.api_pull_notes") == [(MERGES_KEY, "no_permission")]
    (item,) = [item for item in needs_attention() if "merge history" in item["what"]]
    assert "You do not have permission" in item["detail"]


def test_oshub_404_for_a_date_range_without_merges_means_no_merges(hub):
    with client_for(hub) as client:
        assert fetch_merge_events(client, since=dt.date(2099, 1, 1)) == []
        assert len(fetch_merge_events(client)) > 0
    assert len(hub.calls(MERGES)) == 2


def test_a_404_that_is_not_oshub_json_stays_an_error(hub):
    with client_for(hub, base="/wrong-prefix") as client, pytest.raises(OsHubNotFoundError) as raised:
        fetch_merge_events(client)
    assert "an HTML page" in str(raised.value)


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ({"page": ["Invalid page."]}, "page: Invalid page."),
        (
            {
                "detail": "The request query is invalid.",
                "errors": [{"field": "size", "detail": "Size must be between 1 and 250."}],
            },
            "The request query is invalid. size: Size must be between 1 and 250.",
        ),
        (["Unexpected query parameters: sortBy"], "Unexpected query parameters: sortBy"),
        (
            {"non_field_errors": ["date_greater_than_or_equal must be less than date_less_than"]},
            "date_greater",
        ),
    ],
)
def test_a_400_body_is_shown_with_its_detail(hub, body, shown):
    hub.fail(PRODUCTION_LOCATIONS, status=400, body=body)
    with client_for(hub) as client, pytest.raises(OsHubResponseError) as raised:
        client.get_json(PRODUCTION_LOCATIONS)
    message = str(raised.value)
    assert shown in message and "HTTP 400" in message and "no detail" not in message
    assert len(hub.calls(PRODUCTION_LOCATIONS)) == 1


def test_the_facilities_page_cap_refusal_names_the_field(hub):
    hub.fail(FACILITIES, status=400, body={"page": ["Invalid page."]})
    with client_for(hub) as client, pytest.raises(OsHubResponseError, match=r"page: Invalid page\."):
        list(pull_facilities(client, ["CN"]))


def test_401_still_points_at_the_token(hub):
    with (
        OsHubClient("not-the-token", hub.base_url) as client,
        pytest.raises(OsHubAuthError, match="check FLRISK_OSHUB_TOKEN") as raised,
    ):
        client.get_json(PRODUCTION_LOCATIONS)
    assert "Invalid token." in str(raised.value)


def many_locations(total: int) -> list[dict]:
    """`total` production locations in the recorded shape (more than one page of 250)."""
    template = recorded("production_locations.json")[2]
    return [
        {
            **template,
            "os_id": make_os_id("CN", f"2021{n % 365 + 1:03d}", f"Q{n:04d}"),
            "name": f"Example Garment Factory {n:03d}",
            "address": f"No. {n} Industrial Road, Longhua, Shenzhen, Guangdong",
        }
        for n in range(total)
    ]


def test_through_the_command_a_402_pauses_the_sync_and_status_says_it_resumes(tmp_path):
    home = tmp_path / "home"
    with FakeOsHub(TOKEN, recorded("production_locations.json")) as hub:
        sync = ("sync-oshub", "--base-url", hub.base_url, "--as-of", AS_OF)
        first = run_flrisk(home, *sync, FLRISK_OSHUB_TOKEN=TOKEN)  # yesterday's complete pull
        assert first.returncode == 0 and "13 records, in use" in first.stdout, first.stdout + first.stderr

        # today: yesterday's 13 and 247 new ones, more than one page of 250, then the limit
        hub.locations = sorted(
            [*recorded("production_locations.json"), *many_locations(247)], key=location_key
        )
        fault = hub.fail(PRODUCTION_LOCATIONS, status=402, body=API_LIMIT, times=99, when=after_first_page)
        paused = run_flrisk(home, *sync, FLRISK_OSHUB_TOKEN=TOKEN)
        assert paused.returncode == 0, paused.stdout + paused.stderr  # not a failed run
        assert "paused at the API limit after 250 records" in paused.stdout
        status = run_flrisk(home, "status", "--json")
        assert status.returncode == 0, status.stderr
        (item,) = [i for i in json.loads(status.stdout)["needs_attention"] if "API limit" in i["what"]]
        assert "250 records kept" in item["detail"] and "API limit exceeded" in item["detail"]
        assert "resumes" in item["fix"]

        fault.times = 0  # the block is lifted
        before = len(hub.calls(PRODUCTION_LOCATIONS))
        resumed = run_flrisk(home, *sync, FLRISK_OSHUB_TOKEN=TOKEN)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "260 records, in use" in resumed.stdout
        # the run resumed after the 250 kept records: one call, with the cursor, not a fresh first page
        assert [after_first_page(seen.params) for seen in hub.calls(PRODUCTION_LOCATIONS)[before:]] == [True]
        status = run_flrisk(home, "status", "--json")
        assert not [i for i in json.loads(status.stdout)["needs_attention"] if "API limit" in i["what"]]
