"""Incremental matching of a new list against already-resolved facilities."""

from __future__ import annotations

import polars as pl

from entity_resolution.incremental import build_index, match_new
from entity_resolution.resolve import resolve
from tests.entity_resolution.test_resolve import DECISIONS, records

EXISTING = [
    {
        "record_id": "e1",
        "name": "Jiangsu Golden Empire Apparel Co., Ltd",
        "country_code": "CN",
        "address": "11 Changjiang Road, Yancheng Economic Development Zone",
    },
    {
        "record_id": "e2",
        "name": "Dongguan Quality Knitwear Limited",
        "country_code": "CN",
        "address": "Shujiu Village, Changping Town",
    },
    {"record_id": "e3", "name": "Evergreen Jeans Knit Unit 3", "country_code": "BD", "address": "Gazipur"},
]


def test_a_new_list_links_to_existing_facilities_and_dedupes_itself():
    existing = records(EXISTING)
    resolved = resolve(existing, DECISIONS)
    index = build_index(
        existing.join(resolved.record_links.select("record_id", "facility_id"), on="record_id")
    )
    new = records(
        [
            {
                "record_id": "n1",
                "name": "JIANGSU GOLDEN EMPIRE APPAREL COMPANY LIMITED",
                "country_code": "CN",
                "address": "11 Changjiang Rd, Yancheng Economy Development Zone",
            },
            {
                "record_id": "n2",
                "name": "Evergreen Jeans Knit Unit 4",
                "country_code": "BD",
                "address": "Gazipur",
            },
            {
                "record_id": "n3",
                "name": "Brand New Weaving Mill",
                "country_code": "VN",
                "address": "Nam Dinh",
            },
            {
                "record_id": "n4",
                "name": "Brand New Weaving Mills",
                "country_code": "VN",
                "address": "Nam Dinh",
            },
            {
                "record_id": "e1",
                "name": "Jiangsu Golden Empire Apparel Co., Ltd",
                "country_code": "CN",
                "address": "11 Changjiang Road, Yancheng Economic Development Zone",
            },
        ]
    )
    result = {row["record_id"]: row for row in match_new(index, new).iter_rows(named=True)}
    facility = dict(resolved.record_links.select("record_id", "facility_id").iter_rows())
    assert result["n1"]["decision"] == "auto" and result["n1"]["facility_id"] == facility["e1"]
    assert result["e1"]["facility_id"] == facility["e1"]  # the same record sent again
    assert result["n2"]["facility_id"] != facility["e3"]  # unit 4 is not unit 3
    assert result["n3"]["decision"] == "new" and result["n3"]["facility_id"] == result["n4"]["facility_id"]
    assert set(facility.values()).isdisjoint({result["n3"]["facility_id"]})
    assert pl.Series([r["match_score"] for r in result.values()]).is_between(0, 1).all()


def test_a_big_supplier_at_a_new_address_is_found_by_its_name_when_every_word_is_common():
    """A supplier named on thirty lists with thirty spellings of its address, beside namesakes sharing
    each of its words (so every name token, gram and pair key is held by more than `max_block_size`
    records): a new list naming it with yet another spelling of its address still links to it, through
    its core name."""
    heads = ["No. 100 Xinhua Road", "100 Xinhua Rd.", "No.100 Xinhua Rd", "100 Xinhua Road", "#100 Xinhua Lu"]
    tails = [
        ", Rugao",
        ", Rugao City",
        ", Rugao, Jiangsu",
        ", Rugao, Nantong",
        ", Rugao, 226500",
        ", Rugao, China",
    ]
    supplier = [
        {
            "record_id": f"s{i:02d}",
            "name": "Jiangsu Huafeng Home Textiles Co., Ltd",
            "country_code": "CN",
            "address": heads[i % 5] + tails[i // 5],
        }
        for i in range(30)
    ]
    namesakes = [
        {
            "record_id": f"k{i:02d}",
            "name": f"Huafeng {word} Home Textiles",
            "country_code": "CN",
            "address": f"{200 + i} Binhai Road, Yancheng",
        }
        for i, word in enumerate(["Bright", "Star", "Golden", "Ocean", "Royal", "Lucky"] * 5)
    ]
    existing = records(supplier + namesakes)
    resolved = resolve(existing, DECISIONS)
    links = resolved.record_links.select("record_id", "facility_id")
    supplier_facilities = set(links.filter(pl.col("record_id").str.starts_with("s"))["facility_id"])
    assert len(supplier_facilities) == 1
    index = build_index(existing.join(links, on="record_id"))
    new = records(
        [
            {
                "record_id": "n1",
                "name": "JIANGSU HUAFENG HOME TEXTILES CO LTD",
                "country_code": "CN",
                "address": "Xinhua Road 100, Rugao Town",
            }
        ]
    )
    matched = match_new(index, new)
    assert matched["facility_id"].to_list() == list(supplier_facilities)
    assert matched["decision"].to_list() == ["auto"]
