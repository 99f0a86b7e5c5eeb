"""Incremental resolution: a new list touches only its facilities and agrees with a full re-resolve."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from entity_resolution.ids import anchor_id
from entity_resolution.incremental import build_index
from entity_resolution.resolve import resolve
from entity_resolution.run_plan import (
    FULL_REQUESTED,
    Plan,
    PreviousResolution,
    changes_nothing,
    decisions_fingerprint,
    index_fingerprint,
    plan_run,
)
from entity_resolution.settings import ResolutionSettings
from entity_resolution.update import resolve_update
from tests.entity_resolution.test_resolve import DECISIONS, records

SETTINGS = ResolutionSettings()
EXISTING = [
    {"record_id": "e1", "name": "Jiangsu Golden Empire Apparel Co., Ltd", "country_code": "CN",
     "address": "11 Changjiang Road, Yancheng Economic Development Zone", "os_id": "CN2019303BQ3FZP"},
    {"record_id": "e2", "name": "Golden Empire Apparel (Jiangsu) Co Ltd", "country_code": "CN",
     "address": "11 Changjiang Rd, Yancheng", "source_type": "social_audit"},
    {"record_id": "e3", "name": "Dongguan Quality Knitwear Limited", "country_code": "CN",
     "address": "Shujiu Village, Changping Town"},
    {"record_id": "e4", "name": "Evergreen Jeans Knit Unit 3", "country_code": "BD", "address": "Gazipur"},
    {"record_id": "e5", "name": "Saigon Riverside Footwear", "country_code": "VN",
     "address": "12 Ben Nghe Street, District 1, Ho Chi Minh City"},
    {"record_id": "e6", "name": "Saigon Riverside Footwear Co.", "country_code": "VN",
     "address": "12 Ben Nghe St, Dist 1, HCMC"},
    {"record_id": "e7", "name": "Nam Dinh Silk Weaving Mill", "country_code": "VN", "address": "Nam Dinh"},
]  # fmt: skip
NEW = [
    {"record_id": "n1", "name": "JIANGSU GOLDEN EMPIRE APPAREL COMPANY LIMITED", "country_code": "CN",
     "address": "11 Changjiang Rd, Yancheng Economy Development Zone", "contributor": "Other brand"},
    {"record_id": "n2", "name": "Evergreen Jeans Knit Unit 4", "country_code": "BD", "address": "Gazipur"},
    {"record_id": "n3", "name": "Brand New Weaving Mill", "country_code": "VN", "address": "Hai Phong"},
    {"record_id": "n4", "name": "Brand New Weaving Mills", "country_code": "VN", "address": "Hai Phong"},
    {"record_id": "n5", "name": "Dongguan Quality Knitwear Ltd.", "country_code": "CN",
     "address": "Shujiu Village Changping", "source_type": "worker_voice_survey"},
    # n6 matches e7; n7 matches only n6 (a list's own duplicate), so it joins e7's facility through n6
    {"record_id": "n6", "name": "Nam Dinh Silk Weaving Mill", "country_code": "VN",
     "address": "Lot 5 My Xa Industrial Park, Nam Dinh", "lat": 20.43, "lng": 106.16},
    {"record_id": "n7", "name": "MXS Weaving Mill", "country_code": "VN",
     "address": "Lot 5, My Xa Industrial Park, Nam Dinh City", "lat": 20.4301, "lng": 106.1601},
]  # fmt: skip


def previous_of(frame: pl.DataFrame) -> PreviousResolution:
    result = resolve(frame, DECISIONS, SETTINGS)
    return PreviousResolution(result.facilities, result.record_links, result.review_queue, result.aliases)


def index_lookup(existing: pl.DataFrame, previous: PreviousResolution):
    """The whole in-memory index as the lookup (a superset of any slice the warehouse would return)."""
    index = build_index(
        existing.join(previous.record_links.select("record_id", "facility_id"), on="record_id"), SETTINGS
    )
    return lambda keys: index


def incremental(existing: pl.DataFrame, now: pl.DataFrame, previous: PreviousResolution):
    before, after = set(previous.record_links["record_id"]), set(now["record_id"])
    plan = Plan("incremental", "test", sorted(after - before), sorted(before - after))
    return resolve_update(now, plan, index_lookup(existing, previous), previous, SETTINGS)


def facility_of(links: pl.DataFrame) -> dict[str, str]:
    return dict(links.select("record_id", "facility_id").iter_rows())


def test_a_new_list_gives_the_same_facilities_as_a_full_re_resolve():
    existing = records(EXISTING)
    now = records(EXISTING + NEW)
    previous = previous_of(existing)
    update = incremental(existing, now, previous).resolution
    full = resolve(now, DECISIONS, SETTINGS, previous_links=previous.record_links)
    assert facility_of(update.record_links) == facility_of(full.record_links)
    assert_frame_equal(
        update.facilities.sort("facility_id"),
        full.facilities.select(update.facilities.columns).sort("facility_id"),
    )
    linked = facility_of(update.record_links)
    assert linked["n1"] == linked["e1"] and linked["n5"] == linked["e3"]  # joined existing facilities
    assert linked["n3"] == linked["n4"] and linked["n3"] not in set(
        facility_of(previous.record_links).values()
    )
    assert linked["n2"] != linked["e4"]  # unit 4 is not unit 3
    assert linked["n6"] == linked["n7"] == linked["e7"]
    strongest = ["record_id", "facility_id", "method", "matched_record_id", "match_score"]
    assert_frame_equal(update.record_links.select(strongest), full.record_links.select(strongest))


def test_only_the_facilities_a_new_list_touches_change():
    existing = records(EXISTING)
    previous = previous_of(existing)
    update = incremental(existing, records(EXISTING + NEW), previous)
    before = facility_of(previous.record_links)
    touched = {before["e1"], before["e3"], before["e7"]}
    assert update.resolution.report["touched_facilities"] == 3
    untouched = previous.facilities.filter(~pl.col("facility_id").is_in(list(touched)))
    assert_frame_equal(
        update.resolution.facilities.filter(pl.col("facility_id").is_in(untouched["facility_id"].implode())),
        untouched.sort("facility_id"),
    )
    grown = update.resolution.facilities.filter(pl.col("facility_id") == before["e1"]).row(0, named=True)
    assert grown["record_count"] == 3 and "Other brand" in grown["contributors"]
    old_links = previous.record_links.filter(~pl.col("record_id").is_in(["e1", "e2", "e3", "e7"]))
    assert_frame_equal(
        update.resolution.record_links.join(old_links.select("record_id"), on="record_id"), old_links
    )
    new_ids = [row["record_id"] for row in NEW]
    assert sorted(update.index_records["record_id"]) == new_ids
    assert set(update.index_keys["record_id"]) == set(new_ids)


def test_a_lone_record_gains_the_explanation_of_its_new_partner():
    existing = records(EXISTING)
    previous = previous_of(existing)
    assert previous.record_links.filter(pl.col("record_id") == "e3")["method"].item() == "seed"
    links = incremental(existing, records(EXISTING + NEW), previous).resolution.record_links
    e3 = links.filter(pl.col("record_id") == "e3").row(0, named=True)
    assert e3["method"] == "auto_match" and e3["matched_record_id"] == "n5"
    assert "with record n5" in e3["explanation"]


def test_removed_records_leave_their_facility_or_take_it_with_them():
    existing = records(EXISTING)
    previous = previous_of(existing)
    before = facility_of(previous.record_links)
    assert before["e5"] == before["e6"]
    now = records([row for row in EXISTING if row["record_id"] not in ("e6", "e7")])
    result = incremental(existing, now, previous).resolution
    assert set(result.record_links["record_id"]) == {"e1", "e2", "e3", "e4", "e5"}
    kept = result.facilities.filter(pl.col("facility_id") == before["e5"]).row(0, named=True)
    assert kept["record_count"] == 1
    assert before["e7"] not in set(result.facilities["facility_id"])
    assert result.report["touched_facilities"] == 2


def test_a_new_record_never_takes_an_id_an_existing_facility_or_alias_holds():
    existing = records(EXISTING)
    previous = previous_of(existing)
    clash = anchor_id([], ["n9"])
    previous = PreviousResolution(
        previous.facilities,
        previous.record_links,
        previous.review_queue,
        pl.DataFrame(
            {
                "alias_id": [clash],
                "facility_id": [previous.facilities["facility_id"][0]],
                "reason": ["merged"],
            }
        ),
    )
    lone = {
        "record_id": "n9",
        "name": "Completely Unrelated Tannery",
        "country_code": "IN",
        "address": "Kanpur",
    }
    result = incremental(existing, records([*EXISTING, lone]), previous).resolution
    assigned = facility_of(result.record_links)["n9"]
    assert assigned != clash and assigned.startswith("FLR-")


def test_a_new_record_with_another_os_id_does_not_join_a_facility():
    existing = records(EXISTING)
    previous = previous_of(existing)
    twin = EXISTING[0] | {"record_id": "n8", "os_id": "CN2020111ABCDEF", "source_type": "oshub_download"}
    links = incremental(existing, records([*EXISTING, twin]), previous).resolution.record_links
    assert facility_of(links)["n8"] != facility_of(links)["e1"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"full": True}, "a full re-resolve was requested"),
        ({"full": True, "last_run": None}, "no previous resolution"),
        ({"last_run": None}, "no previous resolution"),
        ({"index": "other"}, "match settings, model or index format changed"),
        ({"decided": ("e1", "e3", "reject")}, "human match decisions changed"),
        (
            {"decided": ("n1", "e1", "confirm"), "same_decisions": True},
            "a human match decision names a new record",
        ),
        ({"now": ["e1"]}, "more than 50% of the records changed"),
    ],
)
def test_a_run_goes_full_when_the_previous_resolution_no_longer_holds(change, reason):
    previous = previous_of(records(EXISTING))
    decisions = DECISIONS
    if "decided" in change:
        decisions = pl.DataFrame([change["decided"]], schema=DECISIONS.schema, orient="row")
    last_run = {
        "index_fingerprint": change.get("index", index_fingerprint(SETTINGS)),
        "decisions_fingerprint": decisions_fingerprint(
            decisions if change.get("same_decisions") else DECISIONS
        ),
    }
    ids = pl.Series(change.get("now", [r["record_id"] for r in EXISTING] + ["n1"]))
    plan = plan_run(
        ids,
        previous.record_links,
        decisions,
        change.get("last_run", last_run),
        SETTINGS,
        change.get("full", False),
    )
    assert (plan.mode, plan.reason) == ("full", reason)


def test_a_run_is_incremental_when_only_records_arrived_and_a_no_op_when_nothing_changed():
    previous = previous_of(records(EXISTING))
    last_run = {
        "index_fingerprint": index_fingerprint(SETTINGS),
        "decisions_fingerprint": decisions_fingerprint(DECISIONS),
    }
    ids = [r["record_id"] for r in EXISTING]
    plan = plan_run(pl.Series([*ids, "n1"]), previous.record_links, DECISIONS, last_run, SETTINGS)
    assert (plan.mode, plan.new_ids, plan.removed_ids) == ("incremental", ["n1"], [])
    plan = plan_run(pl.Series(ids), previous.record_links, DECISIONS, last_run, SETTINGS)
    assert (plan.mode, plan.reason) == ("incremental", "no record changed")


def test_a_requested_full_run_that_reproduces_the_tables_changes_nothing():
    existing = records(EXISTING)
    previous = previous_of(existing)
    again = resolve(existing, DECISIONS, SETTINGS, previous_links=previous.record_links)
    requested = Plan("full", FULL_REQUESTED, [], [])
    assert changes_nothing(requested, again, previous)
    assert not changes_nothing(Plan("full", "human match decisions changed", [], []), again, previous)
    edited = previous.facilities.with_columns(pl.col("name").str.to_uppercase())
    moved = PreviousResolution(edited, previous.record_links, previous.review_queue, previous.aliases)
    assert not changes_nothing(requested, again, moved)
