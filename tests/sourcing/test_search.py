"""`flrisk search` and the name lookup of `flrisk facility`, through the real command (subprocess) on
the shared demo warehouse: one word or a partial name finds the right facility first."""

from __future__ import annotations

import json

import pytest

from tests.demo_run import TEST_KEY
from tests.pipelines.operations_support import run_flrisk


def flrisk(home, *args):
    return run_flrisk(home, *args, timeout=300, FLRISK_PSEUDONYMISATION_KEY=TEST_KEY)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("karatoya", "Karatoya Knit Composite Ltd (BD)"),
        ("Taida", "Hetian Taida Apparel Company Limited (CN)"),
        ("Song Lam Garment", "Song Lam Garment Joint Stock Company (VN)"),
        ("和田泰达", "Hetian Taida Apparel Company Limited (CN)"),  # native script
        ("CN2019024QDDSS6", "Hetian Taida Apparel Company Limited (CN)"),  # OS ID
        ("cn2019024", "Hetian Taida Apparel Company Limited (CN)"),  # part of an OS ID, any case
        ("Song Lam", "Song Lam Garment Joint Stock Company (VN)"),  # part of a name
        ("Hotan", "Hetian Taida Apparel Company Limited (CN)"),  # the city, as its list spells the name
        # a city in 17 addresses: the facilities there tie however long their address, riskiest first
        ("Gazipur", "Karatoya Knit Composite Ltd (BD)"),
        ("Tiruppur", "Noyyal Valley Spinning Mills Pvt. Ltd. (IN)"),
    ],
)
def test_search_finds_the_right_facility_first(demo_home, query, expected):
    result = flrisk(demo_home, "search", query)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("  1. FLR-") and expected in first, result.stdout


def test_a_city_finds_facilities_named_or_located_there(demo_home):
    result = flrisk(demo_home, "search", "Shanghai", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 3 and rows[0]["facility_name"].startswith("Shanghai")
    assert all("shanghai" in row["matched_text"].lower() for row in rows)
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)


def test_country_and_brand_narrow_the_results(demo_home):
    by_country = json.loads(flrisk(demo_home, "search", "garment", "--country", "vn", "--json").stdout)
    assert by_country and {row["country_code"] for row in by_country} == {"VN"}
    by_brand = json.loads(flrisk(demo_home, "search", "garment", "--brand", "northwind", "--json").stdout)
    assert by_brand and all("Northwind Apparel" in row["contributors"] for row in by_brand)


def test_a_country_may_be_a_name_and_an_unknown_one_is_refused(demo_home):
    by_name = json.loads(flrisk(demo_home, "search", "garment", "--country", "Viet Nam", "--json").stdout)
    assert by_name and {row["country_code"] for row in by_name} == {"VN"}
    unknown = flrisk(demo_home, "search", "garment", "--country", "ZZ")
    assert unknown.returncode == 2 and "unknown country 'ZZ'" in unknown.stderr, unknown.stderr
    assert unknown.stdout == ""


def test_nothing_found_exits_1(demo_home):
    result = flrisk(demo_home, "search", "Zzyzx Quantum Widgets")
    assert result.returncode == 1 and "no facility matches" in result.stderr


def test_facility_takes_a_single_good_candidate_and_lists_several_best_first(demo_home):
    single = flrisk(demo_home, "facility", "Taida")
    assert single.returncode == 0, single.stderr
    assert single.stdout.startswith("Hetian Taida Apparel Company Limited (CN)")
    several = flrisk(demo_home, "facility", "Shanghai")
    assert several.returncode == 1
    lines = several.stderr.splitlines()
    assert "ambiguous" in lines[0] and "best first" in lines[0]
    assert "the 10 best matches" in lines[0] and "--limit 50` shows more" in lines[0]  # not "10 match"
    assert lines[1].startswith("  1. FLR-") and "Shanghai" in lines[1]
