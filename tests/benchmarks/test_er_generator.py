"""The entity-resolution benchmark generator on a tiny size: deterministic, labelled, split by group."""

from __future__ import annotations

import random

import polars as pl
import pytest

from benchmarks.er import generator, noise

SIZE = 300


@pytest.fixture(scope="module")
def both_splits() -> dict[str, pl.DataFrame]:
    return generator.generate(SIZE, seed=7)


def test_each_split_has_exactly_the_requested_records_with_labels(both_splits):
    for split, records in both_splits.items():
        assert records.height == SIZE, split
        assert records["record_id"].is_unique().all()
        labels = records.select("true_facility", "group_id", "name", "country")
        assert labels.null_count().row(0) == (0, 0, 0, 0)
        assert set(records.columns) == set(generator.SCHEMA)


def test_splits_share_no_facility_and_no_group(both_splits):
    dev, test = both_splits["dev"], both_splits["test"]
    assert not set(dev["true_facility"]) & set(test["true_facility"])
    assert not set(dev["group_id"]) & set(test["group_id"])


def test_facilities_appear_more_than_once_and_hard_negatives_exist(both_splits):
    records = pl.concat(both_splits.values())
    counts = records.group_by("true_facility").len()["len"]
    assert counts.max() > 1 and (counts == 1).any()
    assert records["group_id"].n_unique() < records["true_facility"].n_unique()


def test_generation_is_deterministic_and_a_split_alone_equals_its_part_of_both(both_splits):
    again = generator.generate(SIZE, seed=7, splits=("test",))
    assert again["test"].equals(both_splits["test"])
    assert not generator.generate(SIZE, seed=8, splits=("test",))["test"].equals(both_splits["test"])


def test_legal_forms_are_split_and_swapped_within_their_group():
    core, written, group, side = noise.split_legal_form("Hanes Ink S.A. de C.V.")
    assert (core, written, side) == ("Hanes Ink", "S.A. de C.V.", 1)
    rendered = noise.render_legal_form(core, written, group, side, "long", random.Random(1))
    assert rendered == "Hanes Ink S.A. de C.V."
    assert noise.split_legal_form("Visa Sa")[3] == 0


def test_postcodes_are_dropped_and_nothing_else():
    assert noise.drop_postcode("ul. Kolejowa 5, 44-100 Gliwice") == "ul. Kolejowa 5, Gliwice"
    assert noise.drop_postcode("Plot 12, Sector 25, Karachi") == "Plot 12, Sector 25, Karachi"
