"""The warehouse resource on a real DuckDB file: atomic writes and guarded publishing."""

from __future__ import annotations

import polars as pl
import pytest

from assets.resources import WarehouseResource
from data_contracts import load_contract
from warehouse.database import PublishBlockedError
from warehouse.sql import quoted


def hits(score: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "hit_id": ["h1"],
            "facility_id": ["FLR-0123456789AB"],
            "screened_name": ["Acme Knit"],
            "list_name": ["uflpa_entity_list"],
            "list_entry_id": ["e1"],
            "list_entity_name": ["Acme Knitting"],
            "match_score": [score],
            "status": ["candidate"],
            "status_reason": ["fuzzy name match: awaits a reviewer"],
        }
    )


def test_publish_keeps_the_previous_version_when_a_blocking_rule_fails(tmp_path):
    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))
    warehouse.publish("published.list_screening_hits", hits(0.93))
    with pytest.raises(PublishBlockedError) as error:
        warehouse.publish("published.list_screening_hits", hits(1.7))
    assert "match_score" in str(error.value)
    published = warehouse.read("published.list_screening_hits")
    assert published["match_score"].to_list() == [0.93]
    assert not warehouse.exists("published.list_screening_hits__candidate")


def test_replace_many_is_all_or_nothing(tmp_path):
    """The second table breaks a NOT NULL constraint mid-transaction: the first must not land either."""
    from datetime import datetime

    import duckdb

    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))
    broken = load_contract("resolved.match_decisions").conform(
        pl.DataFrame(
            {
                "record_id_left": ["a"],
                "record_id_right": ["b"],
                "decision": [None],
                "decided_by": ["x"],
                "decided_at": [datetime(2026, 11, 1)],
                "note": [None],
            },
            schema_overrides={"decision": pl.String, "note": pl.String},
        )
    )
    with pytest.raises(duckdb.ConstraintException):
        warehouse.replace_many(
            {"published.list_screening_hits": hits(0.9), "resolved.match_decisions": broken}
        )
    assert not warehouse.exists("published.list_screening_hits")


def test_table_names_are_validated():
    with pytest.raises(ValueError):
        quoted("published.x; DROP TABLE y")
    with pytest.raises(ValueError):
        quoted("elsewhere.table")
