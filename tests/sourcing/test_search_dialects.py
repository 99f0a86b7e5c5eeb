"""Search reads a Hong Kong, Macau or Taiwan facility's Chinese name as its country's lists spell it
(Cantonese, Wade-Giles) as well as in pinyin, and a query's words are also tried joined ("Luen Thai"
meets "luentai"): the ranking function itself, on texts shaped like the search query's rows."""

from __future__ import annotations

import polars as pl

from cli.facility_search import rank

TEXTS = pl.DataFrame(
    {
        "facility_id": ["FLR-HK-LUEN", "FLR-HK-STELLA", "FLR-CN-LIAN", "FLR-TW-NIEN"],
        "field": ["name"] * 4,
        "text": ["聯泰控股有限公司", "九興控股有限公司", "联泰服装", "年興紡織"],
        "risk_score": [10.0, 90.0, 50.0, 20.0],
        "country_code": ["HK", "HK", "CN", "TW"],
    }
)


def ids(query: str, texts: pl.DataFrame = TEXTS) -> list[str]:
    return [match.facility_id for match in rank(texts, query)]


def test_a_hong_kong_or_taiwan_name_is_found_by_its_own_romanisation():
    assert ids("Luen Thai") == ["FLR-HK-LUEN"]
    assert ids("Nien Hsing") == ["FLR-TW-NIEN"]


def test_pinyin_still_finds_them_and_mainland_namesakes():
    assert set(ids("liantai")) == {"FLR-HK-LUEN", "FLR-CN-LIAN"}
    assert set(ids("Lian Tai")[:2]) == {
        "FLR-HK-LUEN",
        "FLR-CN-LIAN",
    }


def test_without_countries_only_pinyin_is_read():
    assert ids("Luen Thai", TEXTS.drop("country_code")) == []
