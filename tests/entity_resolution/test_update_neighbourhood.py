"""An incremental update that reads only its neighbourhood (the facilities the new records reach, and
those of removed records) gives exactly the tables an update over every facility gives (issue 19)."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from entity_resolution.blocking import IDENTITY_PASSES
from entity_resolution.ids import anchor_id
from entity_resolution.incremental import MatchIndex, build_index
from entity_resolution.run_plan import Plan, PreviousResolution
from entity_resolution.update import UpdateSource, frame_neighbourhood, resolve_update, update_neighbourhood
from tests.entity_resolution.test_update import EXISTING, NEW, SETTINGS, previous_of, records

FAR_AWAY = [  # facilities no new record shares a key with
    {"record_id": "f1", "name": "Anatolia Leather Tannery", "country_code": "TR", "address": "Izmir"},
    {"record_id": "f2", "name": "Anatolia Leather Tannery A.S.", "country_code": "TR", "address": "Izmir"},
    {"record_id": "f3", "name": "Cusco Alpaca Spinners", "country_code": "PE", "address": "Cusco"},
]


def whole_index(existing: pl.DataFrame, previous: PreviousResolution) -> MatchIndex:
    return build_index(
        existing.join(previous.record_links.select("record_id", "facility_id"), on="record_id"), SETTINGS
    )


def sliced(index: MatchIndex):
    """The lookup the warehouse answers (assets/match_index.py): the index keys the new records share
    (rare ones, and identity keys), and every member of the facilities those keys reach."""

    def lookup(keys: pl.DataFrame) -> MatchIndex:
        shared = index.keys.join(
            keys.select("blocking_pass", "blocking_key").unique(), on=["blocking_pass", "blocking_key"]
        ).filter(
            (pl.col("frequency") < SETTINGS.max_block_size) | pl.col("blocking_pass").is_in(IDENTITY_PASSES)
        )
        reached = index.records.filter(pl.col("record_id").is_in(shared["record_id"].implode()))
        members = index.records.filter(pl.col("facility_id").is_in(reached["facility_id"].implode()))
        return MatchIndex(members, shared)

    return lookup


def plan_of(previous: PreviousResolution, now: pl.DataFrame) -> Plan:
    before, after = set(previous.record_links["record_id"]), set(now["record_id"])
    return Plan("incremental", "test", sorted(after - before), sorted(before - after))


@pytest.mark.parametrize("removed", [[], ["e6"], ["e6", "f3"]])
def test_the_update_of_its_neighbourhood_equals_the_update_of_every_facility(removed):
    existing = records(EXISTING + FAR_AWAY)
    previous = previous_of(existing)
    now = records([row for row in EXISTING + FAR_AWAY if row["record_id"] not in removed] + NEW)
    plan = plan_of(previous, now)
    index = whole_index(existing, previous)

    everything = resolve_update(now, plan, lambda keys: index, previous, SETTINGS).resolution
    neighbourhood = resolve_update(now, plan, sliced(index), previous, SETTINGS).resolution

    for table in ("facilities", "record_links", "review_queue", "aliases"):
        assert_frame_equal(getattr(neighbourhood, table), getattr(everything, table))
    assert neighbourhood.report == everything.report | {
        "seconds_update": neighbourhood.report["seconds_update"]
    }


def source_of(
    now: pl.DataFrame, previous: PreviousResolution, index: MatchIndex, asked: list
) -> UpdateSource:
    def around(facility_ids, removed_ids):
        asked.append(sorted(facility_ids))
        return frame_neighbourhood(now, previous, facility_ids, removed_ids)

    held = set(previous.facilities["facility_id"]) | set(previous.aliases["alias_id"])
    return UpdateSource(
        arrived=lambda ids: now.filter(pl.col("record_id").is_in(ids)),
        lookup=sliced(index),
        around=around,
        in_use=lambda ids: ids & held,
        review_queue=previous.review_queue,
        aliases=previous.aliases,
        records_total=now.height,
        facilities_total=previous.facilities.height,
    )


def test_an_update_reads_only_the_facilities_its_records_reach_and_counts_the_whole_tables():
    existing = records(EXISTING + FAR_AWAY)
    previous = previous_of(existing)
    now = records(EXISTING + FAR_AWAY + NEW)
    asked: list = []
    update = update_neighbourhood(
        source_of(now, previous, whole_index(existing, previous), asked), plan_of(previous, now), SETTINGS
    )
    owner = dict(previous.record_links.select("record_id", "facility_id").iter_rows())
    far = {owner["f1"], owner["f3"]}
    assert asked and not far & set(asked[0])
    assert set(update.before.facilities["facility_id"]) == set(asked[0])
    assert not far & set(update.resolution.facilities["facility_id"])
    whole = resolve_update(
        now, plan_of(previous, now), sliced(whole_index(existing, previous)), previous, SETTINGS
    )
    assert update.resolution.report["facilities"] == whole.resolution.facilities.height
    assert update.resolution.report["records"] == now.height


def test_a_new_facility_id_is_salted_past_every_id_already_held_in_turn():
    existing = records(EXISTING)
    previous = previous_of(existing)
    clash = anchor_id([], ["n9"])
    salted = "FLR-" + hashlib.sha256(f"{clash}#1".encode()).hexdigest()[:12].upper()
    aliases = pl.DataFrame(
        {
            "alias_id": [clash, salted],
            "facility_id": [previous.facilities["facility_id"][0]] * 2,
            "reason": ["merged"] * 2,
        }
    )
    previous = PreviousResolution(previous.facilities, previous.record_links, previous.review_queue, aliases)
    lone = {
        "record_id": "n9",
        "name": "Completely Unrelated Tannery",
        "country_code": "IN",
        "address": "Kanpur",
    }
    now = records([*EXISTING, lone])
    links = resolve_update(
        now, plan_of(previous, now), sliced(whole_index(existing, previous)), previous, SETTINGS
    )
    assigned = dict(links.resolution.record_links.select("record_id", "facility_id").iter_rows())["n9"]
    assert assigned == "FLR-" + hashlib.sha256(f"{salted}#2".encode()).hexdigest()[:12].upper()
