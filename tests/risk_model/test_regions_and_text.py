"""Issue 18's pure parts: risk regions from addresses and coordinates, hidden characters, goods read from
names, the screening state machine and the band/score floor, each on small inputs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from risk_model.bands import band_ranges, with_band
from risk_model.name_goods import goods_in
from risk_model.parameters import load_parameters
from risk_model.regions import address_region, coordinate_zone, locate
from risk_model.screening_states import auto_status
from risk_model.text_safety import comparable, suspicious, visible

PARAMS = load_parameters()


@pytest.mark.parametrize(
    "address",
    [
        "Urumqi", "乌鲁木齐市", "Kashgar", "Kashi", "喀什地区", "Hotan", "Hetian", "和田", "Aksu", "阿克苏",
        "Turpan", "吐鲁番", "Korla", "库尔勒", "Shihezi", "石河子", "Changji", "昌吉", "Yili", "Ili", "伊犁",
        "Karamay", "克拉玛依", "Hami", "哈密", "Xinjiang", "新疆", "Xinjiang Uyghur Autonomous Region",
    ],
)  # fmt: skip
def test_xuar_place_names_in_english_pinyin_and_chinese(address):
    assert address_region(f"Industrial Park, {address}") == "CN-XJ"


@pytest.mark.parametrize(
    "address",
    [
        "No 8 Urumqi Road, Shanghai",
        "Xinjiang Road, Qingdao, Shandong",
        "Hami Rd, Shanghai",
        "Dongguan, Guangdong",
    ],
)
def test_streets_named_after_xuar_places_and_other_provinces_are_not_the_xuar(address):
    assert address_region(address) is None


@pytest.mark.parametrize(
    "place,lat,lng,zone",
    [
        ("Urumqi", 43.80, 87.60, "inside"),
        ("Kashgar", 39.47, 75.99, "inside"),
        ("Hotan", 37.11, 79.92, "inside"),
        ("Hami", 42.82, 93.51, "inside"),
        ("Dunhuang, Gansu", 40.14, 94.66, "near"),
        ("Golmud, Qinghai", 36.40, 94.90, "outside"),
        ("Guangzhou", 23.13, 113.26, "outside"),
    ],
)
def test_coordinates_inside_near_or_outside_the_outline(place, lat, lng, zone):
    assert coordinate_zone("CN-XJ", lat, lng) == zone, place


def test_boundary_file_names_both_polygons():
    data = json.loads((Path(__file__).parents[2] / "risk_model/risk_regions/boundaries.json").read_text())
    assert set(data["regions"]["CN-XJ"]) == {"inner", "outer"}


def test_contradicting_coordinates_are_flagged_not_trusted():
    facilities = pl.DataFrame(
        {
            "facility_id": ["gd-in-xj", "xj-in-gd", "plain-xj", "near"],
            "address": ["Tianhe, Guangzhou, Guangdong", "Hotan, Xinjiang", None, None],
            "country_code": ["CN"] * 4,
            "lat": [43.8, 23.13, 43.8, 40.14],
            "lng": [87.6, 113.26, 87.6, 94.66],
        }
    )
    found = {row["facility_id"]: row for row in locate(facilities).iter_rows(named=True)}
    assert found["gd-in-xj"]["region_id"] is None and "guangdong" in found["gd-in-xj"]["location_check"]
    assert found["xj-in-gd"]["located_by"] == "address" and "outside" in found["xj-in-gd"]["location_check"]
    assert found["plain-xj"]["located_by"] == "coordinates" and found["plain-xj"]["location_check"] is None
    assert found["near"]["region_id"] is None and "boundary" in found["near"]["location_check"]


@pytest.mark.parametrize(
    "hidden",
    [
        "Hoshine\u200bSilicon",  # zero-width space
        "Hoshine\u202eSilicon",  # right-to-left override
        "H\u043eshine Silicon",  # Cyrillic o
        "Ｈｏｓｈｉｎｅ Silicon",  # full-width
    ],
)
def test_hidden_and_confusable_characters_are_stripped_and_shown(hidden):
    assert comparable(hidden).replace(" ", "") == "HoshineSilicon"
    assert suspicious(hidden)
    if "Ｈ" not in hidden:
        assert "⟨" in visible(hidden)
    assert visible("和田泰达服装有限公司") == "和田泰达服装有限公司" and not suspicious("Hetian Taida")


@pytest.mark.parametrize(
    "name,good",
    [
        ("Kashgar Cotton Spinning Co Ltd", "Cotton"),
        ("Kashgar Cotton Spinning Co Ltd", "Thread/Yarn"),
        ("Xinjiang GCL Polysilicon", "Polysilicon"),
        ("新疆番茄制品有限公司", "Tomato Products"),
        ("Zhoushan Seafood Co", "Fish"),
        ("Top Gloves Sdn Bhd", "Gloves"),
        ("Lop County Meixin Hair Product Co", "Hair Products"),
        ("和田棉纺有限公司", "Cotton"),
    ],
)
def test_goods_are_read_from_names_in_english_and_chinese(name, good):
    assert good in [g for _, g in goods_in(name)]


def test_chairs_are_not_hair_products():
    assert goods_in("Armchair Furniture Co") == []


def _hits(**overrides) -> pl.DataFrame:
    row = {
        "facility_id": "F",
        "screened_name": "Hetian Taida Apparel Co",
        "normalised": "hetian taida apparel",
        "list_normalised": "hetian taida apparel",
        "match_score": 1.0,
        "facility_country": "CN",
        "entry_country": "CN",
        "suspicious": False,
    }
    return pl.DataFrame([row | overrides])


@pytest.mark.parametrize(
    "overrides,status",
    [
        ({}, "confirmed"),
        ({"list_normalised": "hetian taida apparels", "match_score": 0.97}, "candidate"),
        ({"entry_country": None}, "candidate"),
        ({"entry_country": "VN"}, "candidate"),
        ({"suspicious": True}, "candidate"),
    ],
)
def test_automatic_confirmation_needs_identical_names_same_country_and_a_plain_name(overrides, status):
    assert auto_status(_hits(**overrides))["status"].to_list() == [status]


def test_an_equally_close_other_entity_keeps_both_hits_candidates():
    hits = pl.concat([_hits(), _hits(list_normalised="hetiantaida apparel")])
    assert auto_status(hits)["status"].to_list() == ["candidate", "candidate"]


def _risk(score: float, **extra) -> pl.DataFrame:
    row = {
        "facility_id": "F",
        "risk_score": score,
        "confidence": 0.2,
        "latest_audit": None,
        "latest_voice": None,
        "minimum_band": None,
        "region_driver": None,
        "country_score": 40.0,
        "sector_score": 85.0,
        "list_exposure_score": 0.0,
    }
    dates = {"latest_audit": pl.Date, "latest_voice": pl.Date}
    return pl.DataFrame(
        [row | extra], schema_overrides=dates | {"minimum_band": pl.String, "region_driver": pl.String}
    )


def test_a_confirmed_hit_floors_the_score_at_the_critical_threshold():
    confirmed = pl.DataFrame({"facility_id": ["F"], "confirmed_hit": ["confirmed uflpa entity list hit 'X'"]})
    row = with_band(_risk(30.0), confirmed, PARAMS).row(0, named=True)
    assert row["risk_band"] == "critical" and row["risk_score"] == 70
    assert "score floored at 70" in row["band_reason"]


def test_the_xuar_presumption_floors_the_score_at_high():
    empty = pl.DataFrame(schema={"facility_id": pl.String, "confirmed_hit": pl.String})
    row = with_band(_risk(15.0, minimum_band="high", region_driver="located in the XUAR"), empty, PARAMS)
    row = row.row(0, named=True)
    assert row["risk_band"] == "high" and row["risk_score"] == 45
    low, high = band_ranges(PARAMS)["high"]
    assert low <= row["risk_score"] < high


def test_unknown_always_says_why():
    empty = pl.DataFrame(schema={"facility_id": pl.String, "confirmed_hit": pl.String})
    row = with_band(_risk(18.75), empty, PARAMS).row(0, named=True)
    assert row["risk_band"] == "unknown"
    assert row["band_reason"] == (
        "no audit or worker-voice evidence; inherent risk only: country 40, sector 85, list 0"
    )
