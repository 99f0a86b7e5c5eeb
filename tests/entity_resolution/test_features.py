"""Pair features that carry the accuracy work: unit guards, soft token comparison, broken spacing."""

from __future__ import annotations

import polars as pl
import pytest

from entity_resolution.features import broken_spacing
from entity_resolution.normalise import arabic, normalise_name, unit_numbers
from entity_resolution.standalone import pair_scores
from entity_resolution.tokens import monge_elkan


@pytest.mark.parametrize(
    ("name", "units"),
    [
        ("Jeans Knit Unit II", "unit 2"),
        ("Jeans Knit Unit 2", "unit 2"),
        ("Jeans Knit Unit No. 2", "unit 2"),
        ("Jeans Knit Unit#2", "unit 2"),
        ("Artistic Milliners Pvt Ltdunit14", "unit 14"),
        ("Jeans Knit Factory IX", "factory 9"),
    ],
)
def test_unit_numbers_are_read_the_same_however_they_are_written(name, units):
    assert unit_numbers(name) == units


def test_roman_numerals_convert_only_when_valid():
    assert [arabic(n) for n in ("iv", "xiv", "viii", "vv", "12")] == ["4", "14", "8", "vv", "12"]


def test_soft_token_similarity_forgives_typos_order_and_containment():
    forward, backward, worst_forward, _ = monge_elkan(
        ["shanghai huamei knitting", "calpine pastoria energy facility", ""],
        ["knitting shangahi huamei", "pastoria", "abc"],
    )
    assert forward[0] > 0.95 and backward[0] > 0.95
    assert backward[1] == pytest.approx(1.0) and forward[1] < 0.7
    assert forward[2] == backward[2] == 0.0
    assert worst_forward[1] < 0.6  # "calpine" has no counterpart in "pastoria"


def test_broken_spacing_is_detected():
    names = pl.Series([normalise_name("m e r c u r y appar e l se e th awaka"), "mercury apparel", "e on"])
    assert broken_spacing(names).tolist() == [True, False, False]


def frame(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "record_id": [str(i) for i in range(len(rows))],
            "name": [name for name, _, _ in rows],
            "address": [address for _, address, _ in rows],
            "country": [country for _, _, country in rows],
            "lat": [None] * len(rows),
            "lng": [None] * len(rows),
        },
        schema_overrides={"lat": pl.Float64, "lng": pl.Float64},
    )


def test_broken_spacing_and_roman_units_still_match_while_other_units_do_not():
    left = frame(
        [
            ("Unity Fashion Cambo Co Ltd", "Phum Angchanh, Khum Tumnup Thom", "KH"),
            ("Evergreen Jeans Knit Unit II", "Gazipur", "BD"),
            ("Evergreen Jeans Knit Unit 3", "Gazipur", "BD"),
        ]
    )
    right = frame(
        [
            ("U ni ty Fash i o n C am bo C o Ltd", "Phum Angchanh, Khum Tumnup Thom", "KH"),
            ("Evergreen Jeans Knit Unit 2", "Gazipur", "BD"),
            ("Evergreen Jeans Knit Unit 4", "Gazipur", "BD"),
        ]
    )
    broken, roman, different = pair_scores(left, right)
    assert broken >= 0.5 and roman >= 0.5
    assert different < 0.2


@pytest.mark.parametrize(
    ("with_unit", "without"),
    [
        ("Huhai Garment Co. Ltd Unit No. 1", "Huhai Garment Company Ltd"),
        ("Evergreen Jeans Knit Unit-I", "Evergreen Jeans Knit"),
        ("Kaever Indonesia Plant 1", "PT Kaever Indonesia"),
    ],
)
def test_a_first_unit_is_left_out_of_the_name_but_still_guards(with_unit: str, without: str):
    assert normalise_name(with_unit) == normalise_name(without)
    assert unit_numbers(with_unit).endswith(" 1")


def test_a_name_that_is_only_a_first_unit_keeps_it():
    assert normalise_name("Factory 1 S.A. de C.V.") == normalise_name("factory 1 sa de cv") == "factory 1"


def test_a_first_site_named_without_its_unit_links_while_a_second_unit_does_not():
    address = "No. 119 Xiachuan Rd, Haining, Zhejiang"
    left = frame(
        [("Huhai Garment Co Ltd", address, "CN")] * 2 + [("Evergreen Jeans Knit Unit 1", "Gazipur", "BD")]
    )
    right = frame(
        [
            ("HUHAI GARMENT CO. LTD UNIT NO. 1", address, "CN"),
            ("HUHAI GARMENT CO. LTD UNIT NO. 2", address, "CN"),
            ("Evergreen Jeans Knit Unit 2", "Gazipur", "BD"),
        ]
    )
    first, second, other_unit = pair_scores(left, right)
    assert first >= 0.7
    assert second < 0.45 and other_unit < 0.45


def test_parts_left_out_of_both_core_names_that_differ_keep_two_sites_apart():
    left = frame(
        [
            ("EDF (C.le. de Bellefontaine)", "", "FR"),
            ("Jinxiang Sporting Goods (Yantai) Co Ltd", "", "CN"),
            ("Soutinho (Lusenrg/Electrabel)", "", "PT"),
        ]
    )
    right = frame(
        [
            ("EDF (C.le. de St Barthelemy)", "", "FR"),
            ("Yantai Jinxiang Sporting Goods", "", "CN"),
            ("SOUTINHO (ELECTRABEL)", "", "PT"),
        ]
    )
    two_sites, place_moved, owner_shortened = pair_scores(left, right)
    assert two_sites < 0.45  # 0.76 while the parts left out were ignored
    assert place_moved >= 0.7 and owner_shortened >= 0.7
