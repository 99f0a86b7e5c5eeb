"""The v2 benchmark generator (supplier world) at the 10k scale: deterministic, heavy-tailed, labelled,
with its hard negatives and native scripts, split by family."""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.er import generator as v1
from benchmarks.er.supplier_world import generator, lists, universe
from benchmarks.er.supplier_world.lexicon import load

SIZE = 10_000
CJK = r"[\u3400-\u9fff]"


@pytest.fixture(scope="module")
def both_splits() -> dict[str, pl.DataFrame]:
    return generator.generate(SIZE)


def test_each_split_has_the_requested_records_with_consistent_labels(both_splits):
    for split, records in both_splits.items():
        assert records.height == SIZE, split
        assert records.schema == pl.Schema(v1.SCHEMA)
        assert records["record_id"].is_unique().all()
        assert (
            records.select("true_facility", "group_id", "source", "kind", "name")
            .null_count()
            .sum_horizontal()[0]
            == 0
        )
        per_facility = records.group_by("true_facility").agg(pl.col("group_id", "source", "kind").n_unique())
        assert (per_facility.select(pl.exclude("true_facility")) == 1).to_numpy().all()
        assert records.group_by("true_facility", "list_id").len()["len"].max() == 1  # one mention per list


def test_splits_share_no_facility_and_no_family(both_splits):
    dev, test = both_splits["dev"], both_splits["test"]
    assert not set(dev["true_facility"]) & set(test["true_facility"])
    assert not set(dev["group_id"]) & set(test["group_id"])


def test_mentions_are_heavy_tailed(both_splits):
    for records in both_splits.values():
        counts = records.group_by("true_facility").len()["len"]
        assert counts.max() >= 30  # big suppliers named by dozens of lists
        assert (counts <= 2).mean() >= 0.7  # most facilities on one or two lists


def test_more_than_300_lists_each_with_its_habits(both_splits):
    habits = lists.habits(generator.DEFAULT_SEED, load().countries)
    assert habits.height >= 300 and habits["list_id"].is_unique().all()
    assert habits.select(pl.exclude("list_id", "weight").n_unique()).min_horizontal()[0] >= 2
    used = pl.concat(both_splits.values())["list_id"].n_unique()
    assert used >= 300


def test_parks_siblings_namesakes_and_seeds_are_present(both_splits):
    records = pl.concat(both_splits.values())
    parks = (
        records.filter(pl.col("source") == "park")
        .group_by("group_id")
        .agg(pl.col("true_facility").n_unique())
    )
    assert parks["true_facility"].max() >= 12
    assert {"firm", "sibling", "namesake", "tenant", "seed"} <= set(records["kind"])


def test_park_tenants_share_one_street_address():
    facilities = universe.build(3_000, seed=3)
    tenants = facilities.filter(pl.col("family") == "park")
    addresses = tenants.group_by("family_id").agg(
        pl.len().alias("tenants"),
        pl.struct("addr_number", "addr_street", "addr_park").n_unique().alias("addresses"),
    )
    assert (addresses["addresses"] == 1).all() and addresses["tenants"].max() >= 12


def test_chinese_characters_vietnamese_and_country_variants_appear(both_splits):
    records = pl.concat(both_splits.values())
    chinese = records.filter(pl.col("name").str.contains(CJK))
    assert chinese.height > 50 and chinese["true_facility"].n_unique() > 10
    # the same facilities are also named in Latin script on other lists
    assert (
        records.filter(
            pl.col("true_facility").is_in(chinese["true_facility"].implode())
            & ~pl.col("name").str.contains(CJK)
        ).height
        > 0
    )
    assert records["name"].str.contains("Công ty|CONG TY|Cong ty").any()
    assert {"Viet Nam", "PRC", "Hong Kong, China"} & set(records["country"]) and records[
        "noise"
    ].str.contains("typo").any()


def test_generation_is_deterministic_and_a_split_alone_equals_its_part_of_both(both_splits):
    again = generator.generate(SIZE, splits=("test",))
    assert again["test"].equals(both_splits["test"])
    other = generator.generate(2_000, seed=5, splits=("test",))["test"]
    assert other.equals(generator.generate(2_000, seed=5, splits=("test",))["test"])
    assert not other.equals(generator.generate(2_000, seed=6, splits=("test",))["test"])
