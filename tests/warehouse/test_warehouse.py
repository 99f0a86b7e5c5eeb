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


def _hit(hit_id: str, facility: str, score: float = 0.9) -> pl.DataFrame:
    return hits(score).with_columns(hit_id=pl.lit(hit_id), facility_id=pl.lit(facility))


def test_publish_rows_replaces_only_the_named_facilities_rows(tmp_path):
    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))
    table = "published.list_screening_hits"
    warehouse.publish(table, pl.concat([_hit("a", "FLR-00000000000A"), _hit("b", "FLR-00000000000B")]))
    warehouse.publish_rows({table: _hit("b2", "FLR-00000000000B", 0.8)}, "facility_id", ["FLR-00000000000B"])
    rows = warehouse.read(table).sort("hit_id")
    assert rows["hit_id"].to_list() == ["a", "b2"]
    assert rows["match_score"].to_list() == [0.9, 0.8]


@pytest.mark.parametrize(
    "written, rule",
    [
        (_hit("a", "FLR-00000000000B"), "list_screening_hits__hit_id__unique"),  # duplicates an old row
        (_hit("b2", "FLR-00000000000B", 1.7), "list_screening_hits__match_score__range"),
    ],
)
def test_publish_rows_blocks_a_change_that_breaks_the_contract(tmp_path, written, rule):
    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))
    table = "published.list_screening_hits"
    before = pl.concat([_hit("a", "FLR-00000000000A"), _hit("b", "FLR-00000000000B")])
    warehouse.publish(table, before)
    with pytest.raises(PublishBlockedError) as error:
        warehouse.publish_rows({table: written}, "facility_id", ["FLR-00000000000B"])
    assert rule in str(error.value)
    assert warehouse.read(table).sort("hit_id").equals(load_contract(table).conform(before).sort("hit_id"))
