"""The change summary `flrisk load`/`refresh` end with, on history rows built by hand: a small load
names its new facilities, counts read in good English, and a merge says which id was retired."""

from __future__ import annotations

import polars as pl

from cli.change_queries import format_summary

LIST = pl.List(pl.String)


def _row(facility_id: str, name: str, kinds: list[str], band: str | None, related=()) -> dict:
    return {
        "run_id": "r",
        "facility_id": facility_id,
        "facility_name": name,
        "country_code": "BD",
        "contributors": ["Casa Verde Home"],
        "change_kinds": kinds,
        "old_risk_band": None if "new" in kinds else "low",
        "new_risk_band": band,
        "old_risk_score": None if "new" in kinds else 9.0,
        "new_risk_score": None if band is None else 9.8,
        "old_drivers": [],
        "new_drivers": [],
        "old_list_hits": [],
        "new_list_hits": [],
        "related_facility_ids": list(related),
    }


def _frame(rows: list[dict]) -> pl.DataFrame:
    overrides = {c: LIST for c in ("old_drivers", "new_drivers", "old_list_hits", "new_list_hits")}
    return pl.DataFrame(rows, schema_overrides=overrides | {"related_facility_ids": LIST})


def test_a_small_load_names_its_new_facility_in_the_singular():
    text = format_summary(_frame([_row("FLR-000000000001", "Lakeside Knitting Mill", ["new"], "unknown")]))
    assert text.startswith("What changed: 1 new facility.")
    assert "Lakeside Knitting Mill (BD) FLR-000000000001: new, unknown 10" in text


def test_a_first_run_counts_new_facilities_without_naming_them():
    rows = [_row(f"FLR-00000000000{i}", f"Mill {i}", ["new"], "low") for i in range(6)]
    text = format_summary(_frame(rows))
    assert text == "What changed: 6 new facilities."


def test_a_merge_says_which_id_was_retired_into_which():
    survivor = _row("FLR-00000000000A", "Qiang Xing Footwear", ["merged"], "low", ["FLR-00000000000B"])
    absorbed = _row("FLR-00000000000B", "Qiang Xing Fotwear", ["merged"], None, ["FLR-00000000000A"])
    text = format_summary(_frame([survivor, absorbed]))
    assert "FLR-00000000000A: merged with FLR-00000000000B" in text
    assert "FLR-00000000000B: merged into FLR-00000000000A (this id now points there)" in text


def test_a_list_adding_a_known_critical_facility_is_told_per_brand():
    """A facility already in the warehouse that Casa Verde's new list includes: the run summary says
    which brand's list adds what, worst band first, with band and score; the per-row lines do not
    repeat it."""
    known = {"old_risk_band": "critical", "new_risk_band": "critical", "old_risk_score": 91.0}
    hetian = _row("FLR-0000000000AA", "Hetian Taida Apparel", ["added_to_brand"], "critical") | known
    hetian |= {"country_code": "CN", "new_risk_score": 91.0, "brands_added": ["Casa Verde Home"]}
    mill = _row("FLR-0000000000BB", "Lakeside Knitting Mill", ["added_to_brand"], "low")
    mill |= {"brands_added": ["Casa Verde Home"]}
    rows = [hetian, mill]
    for row in rows:
        row["brands_removed"] = []
    frame = pl.DataFrame(
        rows,
        schema_overrides={
            c: LIST
            for c in ("old_drivers", "new_drivers", "old_list_hits", "new_list_hits", "related_facility_ids")
        }
        | {"brands_added": LIST, "brands_removed": LIST},
    )
    text = format_summary(frame)
    assert text.splitlines()[0] == "What changed: 2 newly on brands' lists."
    assert (
        "  Casa Verde Home's list adds 2 facilities (1 critical, 1 low): Hetian Taida Apparel (CN) "
        "FLR-0000000000AA, critical 91; Lakeside Knitting Mill (BD) FLR-0000000000BB, low 10"
    ) in text
    assert text.count("Hetian Taida Apparel") == 1
    one = format_summary(frame.head(1))
    assert "Casa Verde Home's list adds 1 critical facility: Hetian Taida Apparel (CN)" in one
