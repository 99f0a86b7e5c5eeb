"""OS Hub's duplicate rule applies within one list: the same facility named by two brands' lists is two
mentions (the brands' exposure depends on both), never a duplicate to quarantine."""

from __future__ import annotations

import polars as pl

from connectors.reading.files import raw_frame, read_table_file
from connectors.sources import supplier_list

ROWS = "country,name,address\nBangladesh,Karatoya Knit Composite Ltd,Plot 12 Konabari Gazipur Dhaka\n"


def test_the_same_facility_on_two_lists_is_staged_twice_and_repeated_within_a_list_once(tmp_path):
    first, second = tmp_path / "brand_a.csv", tmp_path / "brand_b.csv"
    first.write_text(ROWS, encoding="utf-8")
    second.write_text(ROWS + "Bangladesh,KARATOYA KNIT COMPOSITE LTD.,Plot 12  Konabari Gazipur Dhaka\n")
    raw = pl.concat(
        [
            raw_frame(read_table_file(first), "load-a", "Brand A"),
            raw_frame(read_table_file(second), "load-b", "Brand B"),
        ]
    )
    result = supplier_list.standardise(raw)
    staged = result.tables["facility_records"]
    assert sorted(staged["contributor"].to_list()) == ["Brand A", "Brand B"]
    assert result.rejected["reason_code"].to_list() == ["duplicate_after_normalisation"]
    assert result.rejected["source_file"].to_list() == [str(second)]
