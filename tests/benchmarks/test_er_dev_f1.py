"""The dev-F1 tool scores a labelled split as resolve clusters it, and refuses test splits."""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.er.dev_f1 import main, split_figures


def test_a_labelled_split_is_scored_against_its_true_facilities(tmp_path):
    path = tmp_path / "tiny-dev.parquet"
    pl.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "name": [
                "Jiangsu Golden Empire Apparel Co Ltd",
                "JIANGSU GOLDEN EMPIRE APPAREL COMPANY LIMITED",
                "Song Hong Garment JSC",
                "Dhaka Knit Composite Ltd",
            ],
            "address": [
                "11 Changjiang Road Yancheng",
                "11 Changjiang Rd Yancheng",
                "105 Nguyen Duc Thuan",
                "Gazipur",
            ],
            "country": ["CN", "China", "VN", "BD"],
            "lat": [None, None, 20.42, None],
            "lng": [None, None, 106.17, None],
            "true_facility": ["f1", "f1", "f2", "f3"],
        },
        schema_overrides={"lat": pl.Float64, "lng": pl.Float64},
    ).write_parquet(path)
    figures = split_figures(path)
    assert figures["precision"] == figures["recall"] == figures["f1"] == 1.0
    wrong = pl.read_parquet(path).with_columns(true_facility=pl.Series(["f1", "f9", "f2", "f3"]))
    wrong.write_parquet(path)
    assert split_figures(path)["precision"] == 0.0


def test_test_splits_are_refused():
    with pytest.raises(SystemExit):
        main(["er2-100k-test"])
