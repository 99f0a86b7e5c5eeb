"""connectors.sources.oshub_merges: merge events over HTTP -> staged.oshub_id_aliases (chains, cycles)."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from connectors.sources import oshub_merges
from connectors.sources.oshub_api.client import OsHubClient, OsHubResponseError
from connectors.sources.oshub_merges import (
    MERGES,
    apply_aliases,
    fetch_merge_events,
    raw_frame,
    resolve_chains,
)
from connectors.staging import reconcile
from data_contracts import load_contract
from tests.fakes.oshub_server import FakeClock, FakeOsHub, recorded

TOKEN = "tok-merges-91b7"
A, B, C = "PL2023214F95KZS", "PL2023213T2T6FM", "PL2023213ZGTRGT"  # A -> B -> C
X, Y = "CN2021001CYC1AR", "CN2021002CYC1BT"  # X -> Y -> X
D, E = "BD2019086HB8VVT", "BD2020021QK28YZ"  # D -> E


@pytest.fixture
def merged():
    raw = raw_frame(recorded("merge_events.json"), "load-m1")
    return raw, oshub_merges.standardise(raw)


def aliases_of(result) -> dict[str, dict]:
    return {row["alias_os_id"]: row for row in result.tables["oshub_id_aliases"].iter_rows(named=True)}


def test_merge_events_are_fetched_over_http():
    clock = FakeClock()
    with FakeOsHub(TOKEN, merges=recorded("merge_events.json")) as hub:
        with OsHubClient(TOKEN, hub.base_url, clock=clock, sleep=clock.sleep) as client:
            events = fetch_merge_events(client)
            recent = fetch_merge_events(client, since=dt.date(2024, 1, 1))
            hub.fail(MERGES, status=200, body={"data": []})
            with pytest.raises(OsHubResponseError, match="JSON array of merge events"):
                fetch_merge_events(client)
        assert hub.calls(MERGES)[1].params == {"date_greater_than_or_equal": "2024-01-01"}
    assert events == recorded("merge_events.json")
    assert [event["original_id"] for event in recent] == [D]


def test_chains_resolve_to_the_current_os_id(merged):
    _, result = merged
    aliases = aliases_of(result)
    assert (aliases[A]["current_os_id"], aliases[A]["merged_into_os_id"], aliases[A]["hops"]) == (C, B, 2)
    assert (aliases[B]["current_os_id"], aliases[B]["hops"]) == (C, 1)
    assert (aliases[D]["current_os_id"], aliases[D]["hops"], aliases[D]["status"]) == (E, 1, "resolved")
    assert aliases[A]["merged_at"] == dt.datetime(2023, 8, 2, 9, 10, 0, 340169)
    assert aliases[A]["alias_created_at"] == dt.datetime(2023, 8, 2, 8, 55, 10, 46094)
    assert (aliases[A]["source_file"], aliases[A]["source_row"]) == ("api:/api/moderation-events/merge/", 1)


def test_cycles_are_staged_as_cycles_without_a_current_id(merged):
    _, result = merged
    aliases = aliases_of(result)
    for os_id in (X, Y):
        assert (aliases[os_id]["status"], aliases[os_id]["current_os_id"], aliases[os_id]["hops"]) == (
            "cycle",
            None,
            None,
        )


def test_superseded_and_invalid_events_are_quarantined(merged):
    raw, result = merged
    found = {(row["source_row"], row["reason_code"]) for row in result.rejected.iter_rows(named=True)}
    assert found == {(6, "duplicate_row"), (7, "invalid_os_id")}
    assert aliases_of(result)[A]["source_row"] == 1  # the later merge of A is kept
    assert reconcile(raw, result)["balanced"]


def test_resolve_chains_handles_long_chains_cycles_and_self_merges():
    targets = {"a": "b", "b": "c", "c": "d", "p": "q", "q": "p", "r": "p", "s": "s"}
    assert resolve_chains(targets) == {
        "a": ("d", 3),
        "b": ("d", 2),
        "c": ("d", 1),
        "p": (None, None),
        "q": (None, None),
        "r": (None, None),  # leads into a cycle
        "s": (None, None),
    }


def test_the_alias_table_passes_its_contract_except_the_cycle_warning(merged):
    _, result = merged
    contract = load_contract("staged.oshub_id_aliases")
    frame = contract.conform(result.tables["oshub_id_aliases"])
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA staged")
    con.execute(contract.ddl())
    con.register("incoming", frame.to_arrow())
    con.execute("INSERT INTO staged.oshub_id_aliases SELECT * FROM incoming")
    failing = {(r.name, r.blocking) for r in contract.run_checks(con) if not r.passed}
    assert failing == {("oshub_id_aliases__no_merge_cycles", False)}


def test_bad_events_name_the_reason():
    events = [
        {"current_id": 12, "original_id": A, "created_at": None, "merge_date": "2023-08-02T09:10:00Z"},
        {"current_id": C, "original_id": A, "created_at": "yesterday", "merge_date": "2023-08-02T09:10:00Z"},
        {"current_id": C, "original_id": B},
        {"current_id": C, "original_id": D, "merge_date": "2023-08-02T09:10:00+02:00", "note": "x"},
    ]
    result = oshub_merges.standardise(raw_frame(events, "load-m2"))
    found = sorted((row["source_row"], row["reason_code"]) for row in result.rejected.iter_rows(named=True))
    assert found == [(1, "unknown_value"), (2, "invalid_date"), (3, "missing_required")]
    assert aliases_of(result)[D]["merged_at"] == dt.datetime(2023, 8, 2, 7, 10)  # normalised to UTC
    assert result.unknown_columns == {"api:/api/moderation-events/merge/": ("note",)}


def test_apply_aliases_maps_old_ids_to_current_ones(merged):
    _, result = merged
    frame = pl.DataFrame({"os_id": [A, B, X, "TR2023120P10AZG", None]})
    mapped = apply_aliases(frame, result.tables["oshub_id_aliases"])
    assert mapped["os_id"].to_list() == [C, C, X, "TR2023120P10AZG", None]
