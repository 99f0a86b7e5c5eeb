"""published.facility_risk_history rows (risk_model.history) and the alert rules over them
(risk_model.alert_rules), on small hand-made frames: what counts as a change, and what alerts."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from data_contracts import load_contract
from risk_model.alert_rules import AlertConfigError, alerts_for, parse_config
from risk_model.history import SCORE_TOLERANCE, change_counts, changes, current_state, for_brand, seen_by

HISTORY = load_contract("published.facility_risk_history")
AS_OF = date(2026, 11, 23)


def risk(*rows) -> pl.DataFrame:
    """facility_risk rows: (facility_id, band, score, driver_1)."""
    return pl.DataFrame(
        [
            {
                "facility_id": fid,
                "facility_name": f"Facility {fid[-1]}",
                "country_code": "CN",
                "contributors": ["Northwind Apparel"],
                "as_of_date": AS_OF,
                "risk_band": band,
                "risk_score": score,
                "driver_1": driver,
                "driver_2": None,
                "driver_3": None,
            }
            for fid, band, score, driver in rows
        ]
    )


def hits(*rows) -> pl.DataFrame:
    schema = {
        "facility_id": pl.String,
        "list_name": pl.String,
        "list_entity_name": pl.String,
        "status": pl.String,
    }
    return pl.DataFrame([dict(zip(schema, row, strict=True)) for row in rows], schema=schema)


def links(**facilities) -> pl.DataFrame:
    rows = [{"record_id": r, "facility_id": f} for f, records in facilities.items() for r in records]
    return pl.DataFrame(rows, schema={"record_id": pl.String, "facility_id": pl.String})


NO_ALIASES = pl.DataFrame(schema={"alias_id": pl.String, "facility_id": pl.String})
A, B, C = "FLR-00000000000A", "FLR-00000000000B", "FLR-00000000000C"


def run(history, frame, hit_frame, link_frame, run_id, aliases=NO_ALIASES) -> pl.DataFrame:
    added = changes(
        history, current_state(frame, hit_frame, link_frame), aliases, run_id, datetime(2026, 11, 23)
    )
    return pl.concat([history, HISTORY.conform(added)]) if added.height else history


def kinds(history: pl.DataFrame, run_id: str) -> dict[str, list[str]]:
    rows = history.filter(pl.col("run_id") == run_id)
    return dict(zip(rows["facility_id"], rows["change_kinds"].to_list(), strict=True))


@pytest.fixture()
def first():
    """Two facilities recorded by a first run."""
    return run(
        HISTORY.empty_frame(),
        risk((A, "medium", 40.0, "country"), (B, "low", 10.0, None)),
        hits(),
        links(**{A: ["r1", "r2"], B: ["r3"]}),
        "run-1",
    )


def test_the_first_run_records_every_facility_as_new(first):
    assert kinds(first, "run-1") == {A: ["new"], B: ["new"]}
    assert first.filter(pl.col("facility_id") == A)["record_ids"].to_list() == [["r1", "r2"]]


def test_an_unchanged_run_adds_nothing_and_small_score_moves_are_ignored(first):
    again = run(
        first,
        risk((A, "medium", 40.0 + SCORE_TOLERANCE / 2, "country"), (B, "low", 10.0, None)),
        hits(),
        links(**{A: ["r1", "r2"], B: ["r3"]}),
        "run-2",
    )
    assert again.height == first.height


def test_band_moves_score_drivers_and_new_hits_are_recorded_with_old_and_new_values(first):
    after = run(
        first,
        risk((A, "critical", 100.0, "confirmed list entry"), (B, "unknown", 3.0, None)),
        hits((A, "uflpa_entity_list", "A Co", "confirmed")),
        links(**{A: ["r1", "r2"], B: ["r3"]}),
        "run-2",
    )
    assert kinds(after, "run-2") == {
        A: ["band_up", "score", "drivers", "list_hits"],
        B: ["band_down", "score"],
    }
    row = after.filter((pl.col("run_id") == "run-2") & (pl.col("facility_id") == A)).row(0, named=True)
    assert (row["old_risk_band"], row["new_risk_band"]) == ("medium", "critical")
    assert (row["old_risk_score"], row["new_risk_score"]) == (40.0, 100.0)
    assert row["new_list_hits"] == ["uflpa_entity_list: A Co [confirmed]"] and row["old_list_hits"] == []


def test_merges_and_splits_name_the_facilities_involved(first):
    merged = run(
        first, risk((A, "medium", 40.0, "country")), hits(), links(**{A: ["r1", "r2", "r3"]}), "run-2"
    )
    assert kinds(merged, "run-2") == {A: ["merged"], B: ["merged"]}
    assert merged.filter(pl.col("run_id") == "run-2")["related_facility_ids"].to_list() == [[B], [A]]
    split = run(
        merged,
        risk((A, "medium", 40.0, "country"), (C, "low", 10.0, None)),
        hits(),
        links(**{A: ["r1", "r2"], C: ["r3"]}),
        "run-3",
    )
    assert kinds(split, "run-3") == {A: ["split"], C: ["new", "split"]}


def test_a_facility_gone_without_a_successor_is_removed(first):
    after = run(first, risk((A, "medium", 40.0, "country")), hits(), links(**{A: ["r1", "r2"]}), "run-2")
    assert kinds(after, "run-2") == {B: ["removed"]}
    # and it is not "removed" again on the next run
    assert (
        run(after, risk((A, "medium", 40.0, "country")), hits(), links(**{A: ["r1", "r2"]}), "run-3").height
        == after.height
    )


def test_default_rules_alert_band_reaching_high_new_hits_and_region_drivers(first):
    after = run(
        first,
        risk((A, "critical", 100.0, "Region presumption: XUAR"), (B, "low", 10.0, None)),
        hits((A, "uflpa_entity_list", "A Co", "pending_review")),
        links(**{A: ["r1", "r2"], B: ["r3"]}),
        "run-2",
    )
    rows = after.filter(pl.col("run_id") == "run-2").to_dicts()
    config = parse_config({"brands": {"Northwind Apparel": {"webhook": "http://127.0.0.1:1/x"}, "Other": {}}})
    alerts = alerts_for(config, rows)
    assert sorted(a["rule"] for a in alerts) == [
        "band reaches high or critical",
        "new confirmed or candidate list hit",
        "region presumption appears",
    ]
    assert {a["brand"] for a in alerts} == {"Northwind Apparel"}  # Other lists none of these facilities
    diff = alerts[0]["evidence_diff"]
    assert diff["band"] == {"old": "medium", "new": "critical"}
    assert diff["list_hits_added"] == ["uflpa_entity_list: A Co [pending_review]"]
    assert diff["drivers_added"] == ["Region presumption: XUAR"] and diff["drivers_removed"] == ["country"]
    assert len({a["alert_id"] for a in alerts}) == 3


def test_a_band_already_high_does_not_alert_again():
    row = {
        "facility_id": A,
        "run_id": "r",
        "contributors": ["X"],
        "old_risk_band": "high",
        "new_risk_band": "critical",
    }
    config = parse_config(
        {"brands": {"X": {"rules": [{"name": "hc", "band_reaches": ["high", "critical"]}]}}}
    )
    assert alerts_for(config, [row]) == []


@pytest.mark.parametrize(
    "document",
    [
        {"brand": {}},
        {"brands": {"X": {"rules": [{"name": "r", "band_is": ["high"]}]}}},
        {"brands": {"X": {"rules": [{"name": "r", "new_driver_matches": "("}]}}},
        {"brands": {"X": {"rules": [{"band_reaches": ["high"]}]}}},
    ],
)
def test_unusable_rules_are_refused_naming_where(document):
    with pytest.raises(AlertConfigError, match="alert_rules.yaml"):
        parse_config(document)


def listed_by(frame: pl.DataFrame, facility_id: str, contributors: list[str]) -> pl.DataFrame:
    """`frame` with `facility_id` mentioned by `contributors`."""
    return frame.with_columns(
        contributors=pl.when(pl.col("facility_id") == facility_id)
        .then(pl.lit(contributors, dtype=pl.List(pl.String)))
        .otherwise(pl.col("contributors"))
    )


def test_a_known_facility_entering_and_leaving_a_brands_list_is_recorded_for_that_brand():
    """The first run records no brand additions (every facility is new); a later run that links an
    already known critical facility to Casa Verde's list records `added_to_brand` for Casa Verde
    only: Casa Verde sees it as new to its portfolio (alerts), Northwind, which already listed it,
    sees nothing; dropping it from the list later is `removed_from_brand`."""
    facilities = risk((A, "critical", 95.0, "confirmed list entry"), (B, "low", 10.0, None))
    hit = hits((A, "uflpa_entity_list", "A Co", "confirmed"))
    first = run(HISTORY.empty_frame(), facilities, hit, links(**{A: ["r1"], B: ["r2"]}), "run-1")
    assert kinds(first, "run-1") == {A: ["new"], B: ["new"]}
    both = ["Casa Verde Home", "Northwind Apparel"]
    after = run(first, listed_by(facilities, A, both), hit, links(**{A: ["r1", "r9"], B: ["r2"]}), "run-2")
    assert kinds(after, "run-2") == {A: ["added_to_brand"]}
    row = after.filter(pl.col("run_id") == "run-2").row(0, named=True)
    assert row["brands_added"] == ["Casa Verde Home"] and row["brands_removed"] == []
    assert (row["old_risk_band"], row["new_risk_band"]) == ("critical", "critical")  # recorded as it was

    seen = seen_by(row, "Casa Verde Home")
    assert seen["change_kinds"] == ["added_to_brand"] and seen["old_risk_band"] is None
    assert seen_by(row, "Northwind Apparel") is None and seen_by(row, "Other") is None
    assert change_counts(for_brand(after.filter(pl.col("run_id") == "run-2"), "Casa Verde Home")) == {
        "added_to_brand": 1,
        "new_list_hits": 1,  # to Casa Verde the facility's confirmed hit is news
    }
    config = parse_config({"brands": {"Casa Verde Home": {}, "Northwind Apparel": {}, "*": {}}})
    alerts = alerts_for(config, [row])
    assert {(a["brand"], a["rule"]) for a in alerts} == {
        ("Casa Verde Home", "band reaches high or critical"),
        ("Casa Verde Home", "new confirmed or candidate list hit"),
    }
    assert alerts[0]["evidence_diff"]["band"] == {"old": None, "new": "critical"}
    assert alerts[0]["evidence_diff"]["change_kinds"] == ["added_to_brand"]

    linked = links(**{A: ["r1", "r9"], B: ["r2"]})
    unchanged = run(after, listed_by(facilities, A, both), hit, linked, "run-3")
    assert unchanged.height == after.height  # recorded once: the next run does not add it again
    dropped = run(unchanged, facilities, hit, links(**{A: ["r1"], B: ["r2"]}), "run-4")
    assert kinds(dropped, "run-4") == {A: ["removed_from_brand"]}
    gone = dropped.filter(pl.col("run_id") == "run-4").row(0, named=True)
    assert gone["brands_removed"] == ["Casa Verde Home"]
    assert seen_by(gone, "Casa Verde Home")["change_kinds"] == ["removed_from_brand"]
    assert alerts_for(config, [gone]) == []


def test_a_brand_adding_a_facility_that_also_moves_band_sees_one_addition():
    row = {
        "facility_id": A,
        "run_id": "r",
        "contributors": ["Casa Verde Home", "Northwind Apparel"],
        "change_kinds": ["band_up", "score", "added_to_brand"],
        "old_risk_band": "medium",
        "new_risk_band": "high",
        "brands_added": ["Casa Verde Home"],
    }
    config = parse_config({"brands": {"Casa Verde Home": {}, "Northwind Apparel": {}}})
    alerts = alerts_for(config, [row])
    assert sorted((a["brand"], a["rule"]) for a in alerts) == [
        ("Casa Verde Home", "band reaches high or critical"),
        ("Northwind Apparel", "band reaches high or critical"),
    ]
    assert seen_by(row, "Northwind Apparel")["change_kinds"] == ["band_up", "score"]


def test_a_merge_does_not_add_the_absorbed_facilitys_brands_to_the_survivors_list():
    """B (listed by Casa Verde) merges into A (listed by Northwind): Casa Verde's list did not gain a
    facility, it still lists the same one under A's id."""
    facilities = listed_by(risk((A, "high", 70.0, None), (B, "low", 10.0, None)), B, ["Casa Verde Home"])
    first = run(HISTORY.empty_frame(), facilities, hits(), links(**{A: ["r1"], B: ["r2"]}), "run-1")
    merged = listed_by(risk((A, "high", 70.0, None)), A, ["Casa Verde Home", "Northwind Apparel"])
    after = run(first, merged, hits(), links(**{A: ["r1", "r2"]}), "run-2")
    assert kinds(after, "run-2") == {A: ["merged"], B: ["merged"]}
    assert after.filter(pl.col("run_id") == "run-2")["brands_added"].to_list() == [[], []]
