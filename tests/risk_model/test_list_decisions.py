"""Reviewers' decisions on list-screening hits (risk_model.list_decisions), without Dagster.

Worlds come from the acceptance cases: an exact (auto-confirmed) match and a fuzzy (pending) one on the
UFLPA entry "Xinjiang Lucky Textile Co., Ltd.", each beside an unlisted facility with a clean audit.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from risk_model.list_decisions import apply_decisions, decisions_in_force
from tests.risk_model.test_acceptance import facility, finding, rows, world

ENTITY = "Xinjiang Lucky Textile Co., Ltd."


def decisions(*rows_: tuple) -> pl.DataFrame:
    """(facility_id, decision, decided_by, decided_at) rows on the UFLPA entry."""
    return pl.DataFrame(
        [
            {
                "facility_id": facility_id,
                "list_name": "uflpa_entity_list",
                "list_entity_name": ENTITY,
                "decision": decision,
                "decided_by": by,
                "decided_at": at,
                "note": None,
            }
            for facility_id, decision, by, at in rows_
        ],
        schema_overrides={"note": pl.String, "decided_at": pl.Datetime("us")},
    )


def scored_world(name: str, reviewed: pl.DataFrame | None = None, **overrides) -> dict:
    """The two facilities, each with a clean audit (so neither is banded unknown), scored."""
    audits = [
        finding(f"f-{fid}", f"r-{fid}", date(2026, 6, 1), "closed", ilo_indicator=None)
        for fid in ("F-LISTED", "F-OTHER")
    ]
    facilities = [facility("F-LISTED", name), facility("F-OTHER", "Hangzhou Knit Mill")]
    return rows(world(facilities, findings=audits, list_hit_decisions=reviewed, **overrides))


def test_a_pending_fuzzy_hit_confirmed_by_a_reviewer_forces_critical():
    before = scored_world("Xinjiang Luky Textiles Co Ltd")
    assert before["_hits"]["status"].to_list() == ["candidate"]
    assert before["F-LISTED"]["risk_band"] != "critical"
    after = scored_world(
        "Xinjiang Luky Textiles Co Ltd",
        decisions(("F-LISTED", "confirmed", "analyst@example.org", datetime(2026, 11, 2, 9, 30))),
    )
    assert after["_hits"]["status"].to_list() == ["confirmed"]
    assert after["F-LISTED"]["risk_band"] == "critical" and after["F-LISTED"]["list_exposure_score"] == 100
    driver = after["_drivers"].filter(pl.col("component") == "list_exposure").row(0, named=True)
    assert driver["evidence_list_entry"] == "uflpa-1" and driver["evidence_date"] == date(2026, 11, 2)
    assert (
        "confirmed by a reviewer on 2026-11-02" in driver["description"] and ENTITY in driver["description"]
    )
    assert after["F-OTHER"]["risk_band"] != "critical"


def test_a_rejected_exact_hit_is_dismissed_and_adds_nothing():
    reviewed = decisions(("F-LISTED", "rejected", "analyst@example.org", datetime(2026, 11, 2)))
    result = scored_world("Xinjiang Lucky Textile Company Limited", reviewed)
    hit = result["_hits"].row(0, named=True)
    assert (hit["status"], hit["match_score"]) == ("dismissed", 1.0)  # still listed, with its status
    assert result["F-LISTED"]["risk_band"] != "critical"
    assert result["F-LISTED"]["list_exposure_score"] == 0
    assert result["_drivers"].filter(pl.col("component") == "list_exposure").is_empty()


def test_the_latest_decision_on_a_hit_wins_and_retired_ids_follow_their_alias():
    reviewed = decisions(
        ("F-OLD", "confirmed", "a", datetime(2026, 11, 1)),
        ("F-LISTED", "rejected", "b", datetime(2026, 11, 3)),
        ("F-LISTED", "confirmed", "c", datetime(2026, 11, 2)),
    )
    aliases = pl.DataFrame({"alias_id": ["F-OLD"], "facility_id": ["F-LISTED"]})
    in_force = decisions_in_force(reviewed, aliases)
    assert in_force.select("facility_id", "decided_by").rows() == [("F-LISTED", "b")]
    merged = decisions(("F-OLD", "confirmed", "a", datetime(2026, 11, 1)))
    result = scored_world(
        "Xinjiang Luky Textiles Co Ltd", merged, facility_id_aliases=aliases.with_columns(reason=pl.lit("m"))
    )
    assert result["F-LISTED"]["risk_band"] == "critical"


def test_decisions_on_other_hits_or_none_change_nothing():
    hits = scored_world("Xinjiang Luky Textiles Co Ltd")["_hits"]
    elsewhere = decisions(("F-OTHER", "confirmed", "a", datetime(2026, 11, 1)))
    for reviewed in (None, elsewhere.head(0), elsewhere):
        applied = apply_decisions(hits, reviewed)
        assert applied["status"].to_list() == ["candidate"]
        assert applied["decided_by"].to_list() == [None]
