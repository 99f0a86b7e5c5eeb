"""connectors.sources.oshub_api pulls over real HTTP: search_after paging, per-country GeoJSON paging with
the page-100 cap, raw rows, and resuming from a stored checkpoint after a crash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator

import polars as pl
import pytest

from connectors.ids import make_os_id
from connectors.schemas import RAW_SCHEMA
from connectors.sources.oshub_api import (
    FACILITIES,
    MAX_PAGE,
    PRODUCTION_LOCATIONS,
    ApiPage,
    Checkpoint,
    pull_facilities,
    pull_production_locations,
)
from connectors.sources.oshub_api.client import OsHubClient, OsHubResponseError, RetryPolicy
from tests.fakes.oshub_server import FakeClock, FakeOsHub, recorded

TOKEN = "tok-pull-0c2f9d"
LOAD = "load-api-1"


@pytest.fixture
def hub():
    data = recorded("facilities_geojson.json")
    with FakeOsHub(
        TOKEN, recorded("production_locations.json"), data, recorded("merge_events.json")
    ) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def client_for(hub: FakeOsHub, clock: FakeClock, max_attempts: int = 5) -> OsHubClient:
    retry = RetryPolicy(max_attempts=max_attempts)
    return OsHubClient(TOKEN, hub.base_url, retry=retry, clock=clock, sleep=clock.sleep)


def raw_of(pages: list[ApiPage]) -> pl.DataFrame:
    return pl.concat([page.raw_frame(LOAD) for page in pages])


def test_production_locations_page_with_search_after(hub, clock):
    with client_for(hub, clock) as client:
        pages = list(pull_production_locations(client, page_size=5))
    assert [len(page.records) for page in pages] == [5, 5, 3]
    assert [page.first_row for page in pages] == [1, 6, 11]
    names = [(r.get("name"), r["os_id"]) for page in pages for r in page.records]
    assert len(set(names)) == 13 and [n for n in names if n[0]] == sorted(n for n in names if n[0])
    calls = hub.calls(PRODUCTION_LOCATIONS)
    assert "search_after[id]" not in calls[0].params
    for call, previous in zip(calls[1:], pages, strict=False):
        last = previous.records[-1]
        assert call.params["search_after[value]"] == last["name"]
        assert call.params["search_after[id]"] == last["os_id"]
        assert (call.params["size"], call.params["sort_by"], call.params["order_by"]) == ("5", "name", "asc")
    final = pages[-1].checkpoint
    assert final.done and (final.records, final.pages, final.calls_today, final.day) == (
        13,
        3,
        3,
        "2027-01-15",
    )
    assert pages[0].count == 13


def test_a_pull_ending_on_a_full_page_stops_at_the_empty_page(hub, clock):
    hub.locations = hub.locations[:10]
    with client_for(hub, clock) as client:
        pages = list(pull_production_locations(client, page_size=5))
    assert [len(page.records) for page in pages] == [5, 5, 0]
    assert pages[-1].checkpoint.done and pages[-1].checkpoint.records == 10


def test_raw_rows_keep_each_record_as_received(hub, clock):
    with client_for(hub, clock) as client:
        pages = list(pull_production_locations(client, page_size=5))
    raw = raw_of(pages)
    assert raw.schema == RAW_SCHEMA
    assert raw["source_row"].to_list() == list(range(1, 14))
    assert set(raw["source_file"]) == {"api:/api/v1/production-locations/"}
    assert set(raw["contributor"]) == {"Open Supply Hub"} and set(raw["load_id"]) == {LOAD}
    records = [record for page in pages for record in page.records]
    assert [json.loads(payload) for payload in raw["payload"]] == records
    assert list(json.loads(raw["payload"][0])) == list(records[0])  # key order as received
    first = raw.row(0, named=True)
    assert first["content_hash"] == hashlib.sha256(first["payload"].encode("utf-8")).hexdigest()


def test_checkpoint_round_trips_through_json_and_refuses_strangers():
    checkpoint = Checkpoint(FACILITIES, country="BD", pending_countries=("VN",), capped_countries=("CN",))
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint
    data = json.loads(checkpoint.to_json())
    with pytest.raises(ValueError, match="not an OS Hub checkpoint"):
        Checkpoint.from_json(json.dumps({**data, "token": "x"}))
    with pytest.raises(ValueError, match="not an OS Hub checkpoint"):
        Checkpoint.from_json(json.dumps({"endpoint": FACILITIES}))


def test_a_checkpoint_for_another_endpoint_is_refused(hub, clock):
    with client_for(hub, clock) as client, pytest.raises(ValueError, match="checkpoint is for"):
        next(pull_production_locations(client, Checkpoint(FACILITIES, country="BD")))


def test_an_unexpected_body_shape_is_an_error(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, status=200, body={"results": []})
    with client_for(hub, clock) as client, pytest.raises(OsHubResponseError, match="no 'data' list"):
        next(pull_production_locations(client))


def test_facilities_are_pulled_one_country_at_a_time(hub, clock):
    with client_for(hub, clock) as client:
        pages = list(pull_facilities(client, ["bd", "VN", "TR"], page_size=2))
    calls = [(c.params["countries"], c.params["page"], c.params["pageSize"]) for c in hub.calls(FACILITIES)]
    assert calls == [("BD", "1", "2"), ("BD", "2", "2"), ("VN", "1", "2"), ("TR", "1", "2")]
    assert [len(page.records) for page in pages] == [2, 1, 2, 0]
    assert [r["properties"]["country_code"] for page in pages for r in page.records] == ["BD"] * 3 + [
        "VN"
    ] * 2
    final = pages[-1].checkpoint
    assert final.done and final.records == 5 and final.capped_countries == ()
    assert set(raw_of(pages)["source_file"]) == {"api:/api/facilities/"}


def big_country(count: int) -> list[dict]:
    template = recorded("facilities_geojson.json")["VN"][1]
    features = []
    for index in range(count):
        os_id = make_os_id("CN", 2020000 + index % 365, f"{index:05d}")
        feature = json.loads(json.dumps(template))
        feature["id"] = feature["properties"]["os_id"] = os_id
        feature["properties"].update(country_code="CN", country_name="China", name=f"Example Works {index}")
        features.append(feature)
    return features


def test_a_country_beyond_page_100_is_cut_and_reported(hub, clock):
    hub.features["CN"] = big_country(2 * MAX_PAGE + 3)
    with client_for(hub, clock) as client:
        pages = list(pull_facilities(client, ["CN", "VN"], page_size=2))
    cn_pages = [int(c.params["page"]) for c in hub.calls(FACILITIES) if c.params["countries"] == "CN"]
    assert cn_pages == list(range(1, MAX_PAGE + 1))
    final = pages[-1].checkpoint
    assert final.capped_countries == ("CN",) and final.done
    assert final.records == 2 * MAX_PAGE + 2  # 200 from CN (3 left unreachable) + 2 from VN
    assert clock.sleeps == [60.0]  # the 101st call in the same minute waited for the limiter
    assert final.calls_today == MAX_PAGE + 1


def stored_pull(pull: Callable[[Checkpoint | None], Iterator[ApiPage]], stop_after: int | None = None):
    """Run a pull the way the warehouse does: rows and checkpoint stored per page, as JSON."""
    stored_rows: list[pl.DataFrame] = []
    stored_checkpoint: str | None = None
    for number, page in enumerate(pull(None), start=1):
        stored_rows.append(page.raw_frame(LOAD))
        stored_checkpoint = page.checkpoint.to_json()
        if number == stop_after:
            break  # the process dies here
    return stored_rows, stored_checkpoint


@pytest.mark.parametrize("crash", ["killed", "server_error"])
def test_resuming_production_locations_after_a_crash_neither_repeats_nor_skips(hub, clock, crash):
    with client_for(hub, clock) as client:
        uninterrupted = raw_of(list(pull_production_locations(client, page_size=4)))
    rows: list[pl.DataFrame] = []
    saved: str | None = None
    with client_for(hub, clock, max_attempts=2) as client:
        if crash == "killed":
            rows, saved = stored_pull(
                lambda cp: pull_production_locations(client, cp, page_size=4), stop_after=2
            )
        else:
            third = json.loads(uninterrupted["payload"][7])  # last record of page 2: the cursor of page 3
            fault = hub.fail(
                PRODUCTION_LOCATIONS,
                status=502,
                times=99,
                when=lambda p: p.get("search_after[id]") == third["os_id"],
            )
            with pytest.raises(OsHubResponseError):
                for page in pull_production_locations(client, page_size=4):
                    rows.append(page.raw_frame(LOAD))
                    saved = page.checkpoint.to_json()
            fault.times = 0
    assert saved is not None and len(rows) == 2
    with client_for(hub, clock) as fresh_client:  # a new process: only the stored checkpoint survives
        resumed = list(pull_production_locations(fresh_client, Checkpoint.from_json(saved), page_size=4))
    combined = pl.concat(rows + [page.raw_frame(LOAD) for page in resumed])
    assert combined.equals(uninterrupted)
    assert combined["source_row"].to_list() == list(range(1, 14))
    assert resumed[-1].checkpoint.calls_today >= Checkpoint.from_json(saved).calls_today + len(resumed)


def test_resuming_facilities_mid_country_neither_repeats_nor_skips(hub, clock):
    with client_for(hub, clock) as client:
        uninterrupted = raw_of(list(pull_facilities(client, ["BD", "VN", "TR"], page_size=2)))
        rows, saved = stored_pull(lambda cp: pull_facilities(client, ["BD", "VN", "TR"], cp, page_size=2), 1)
    checkpoint = Checkpoint.from_json(str(saved))
    assert (checkpoint.country, checkpoint.page, checkpoint.pending_countries) == ("BD", 2, ("VN", "TR"))
    with client_for(hub, clock) as fresh_client:
        resumed = list(pull_facilities(fresh_client, checkpoint=checkpoint, page_size=2))
    assert pl.concat(rows + [page.raw_frame(LOAD) for page in resumed]).equals(uninterrupted)


def test_pull_facilities_needs_countries_for_a_fresh_pull(hub, clock):
    with client_for(hub, clock) as client, pytest.raises(ValueError, match="at least one country"):
        next(pull_facilities(client, []))
