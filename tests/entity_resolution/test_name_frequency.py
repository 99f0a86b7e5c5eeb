"""Name-only evidence weakens with how common the shared words are (term-frequency adjustment): a bare
"Orchid Apparel" is less surely the located "Orchid Apparel" when forty other firms of the country
carry "orchid"; an address or a position still vouches as before; the shift is bounded."""

from __future__ import annotations

import numpy as np
import polars as pl

from entity_resolution.model import load_model
from entity_resolution.name_frequency import NameFrequency, name_only, rarest_shared_count, word_counts
from entity_resolution.resolve import prepare
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import INPUT_SCHEMA, to_records

WORDS = [
    "amber", "basil", "cedar", "delta", "ember", "fable", "grove", "haven", "ivory", "jasper",
    "kestrel", "lumen", "maple", "nectar", "onyx", "pebble", "quartz", "raven", "sable", "tulip",
    "umber", "velvet", "willow", "xenon", "yarrow", "zephyr", "acorn", "birch", "coral", "dune",
    "elm", "fern", "garnet", "heath", "iris", "juniper", "kelp", "lotus", "moss", "nova",
]  # fmt: skip


def _prepared(rows: list[tuple]) -> pl.DataFrame:
    return prepare(to_records(pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row"))).sort("idx")


def _score(prepared: pl.DataFrame, a: str, b: str) -> float:
    index = dict(zip(prepared["record_id"], prepared["idx"], strict=True))
    pairs = pl.DataFrame(
        {"left": [index[a]], "right": [index[b]], "pass_mask": [1]},
        schema={"left": pl.UInt32, "right": pl.UInt32, "pass_mask": pl.UInt8},
    )
    return score_pairs(prepared, pairs, ResolutionSettings()).all_scores()["match_score"][0]


PAIR = [
    ("bare", "Orchid Apparel Co., Ltd.", None, "BD", None, None),
    ("located", "ORCHID APPAREL LIMITED", "247 Kunia Road, Gazipur, Dhaka", "BD", 23.99, 90.41),
    ("same place", "Orchid Apparels Ltd", "247 Kunia Rd, Gazipur", "BD", 23.99, 90.41),
]
NAMESAKES = [
    (f"n{i}", f"{word.title()} Orchid Apparel Ltd", f"{i + 10} Station Road, Narayanganj", "BD", None, None)
    for i, word in enumerate(WORDS)
]


def test_a_bare_name_shared_by_many_firms_scores_lower_than_a_rare_one():
    model = load_model()
    assert model.name_frequency.strength > 0, "the shipped model carries a fitted name-frequency shift"
    alone = _score(_prepared(PAIR), "bare", "located")
    crowded = _score(_prepared(PAIR + NAMESAKES), "bare", "located")
    assert crowded < alone
    assert crowded > 0.0


def test_an_address_still_vouches_however_common_the_name():
    alone = _score(_prepared(PAIR), "located", "same place")
    crowded = _score(_prepared(PAIR + NAMESAKES), "located", "same place")
    assert crowded == alone


def test_word_counts_count_distinct_names_per_country():
    records = pl.DataFrame(
        {
            "country_code": ["BD", "BD", "BD", "VN", None],
            "core_norm": ["orchid apparel", "orchid apparel", "blue orchid", "orchid", "orchid"],
        }
    )
    counts = {(c, w): n for c, w, n in word_counts(records).iter_rows()}
    assert counts[("BD", "orchid")] == 2  # two distinct names, the repeated one counted once
    assert counts[("BD", "apparel")] == 1
    assert counts[("VN", "orchid")] == 1 and counts[("", "orchid")] == 1


def test_the_rarest_shared_word_decides_and_no_shared_word_counts_one():
    records = pl.DataFrame(
        {
            "country_code": ["BD"] * 4,
            "core_norm": ["sari apparel", "kuzey sari apparel", "sari apparel", "和田泰达"],
        }
    )
    counts = pl.DataFrame(
        {"country_code": ["BD", "BD", "BD"], "word": ["sari", "apparel", "kuzey"], "names": [5, 90, 1]}
    )
    shared = rarest_shared_count(records, np.array([0, 0, 1]), np.array([1, 3, 2]), counts)
    assert shared.tolist() == [5.0, 1.0, 5.0]


def test_the_shift_never_raises_a_score_and_is_bounded():
    shift = NameFrequency(intercept=0.5, per_doubling=-0.4, strength=1.0, largest_penalty=1.5)
    values = shift.logit_shift(np.array([1.0, 3.0, 1e6]))
    assert values[0] == 0.0  # 0.5 - 0.4 > 0: never a boost
    assert -1.5 < values[1] < 0.0
    assert values[2] == -1.5
    assert NameFrequency().logit_shift(np.array([1e6])).tolist() == [0.0]


def test_name_only_means_no_vouching_address_no_position_and_no_os_id():
    features = pl.DataFrame(
        {
            "address_missing": [1.0, 1.0, 1.0, 0.0, 0.0],
            "address_set": [0.0, 0.0, 0.0, 0.95, 0.4],
            "distance_km": [None, 0.3, 12.0, None, 8.0],
            "os_id_match": [0.0, 0.0, 1.0, 0.0, 0.0],
        }
    )
    assert name_only(features).tolist() == [True, False, False, False, True]
