"""Entity resolution where real supplier data is hard: big suppliers named on dozens of lists beside
namesakes that share their distinctive word, names in Chinese characters, trade words in other
languages, and exact duplicates after normalisation."""

from __future__ import annotations

import polars as pl

from entity_resolution.blocking import PASSES, candidate_pairs, passes_of, spellings
from entity_resolution.normalise import normalise_address, normalise_name
from entity_resolution.resolve import NO_DECISIONS, prepare, resolve
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import INPUT_SCHEMA, resolve_frame, to_records

SCHEMA = INPUT_SCHEMA


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame([(f"r{i:05d}", *row) for i, row in enumerate(rows)], schema=SCHEMA, orient="row")


def facility_of(result: pl.DataFrame) -> dict[str, str]:
    return dict(result.select("record_id", "facility_id").iter_rows())


def test_chinese_names_and_addresses_read_as_their_romanised_spelling():
    assert normalise_name("和田泰达服装有限公司") == normalise_name("Hetian Taida Apparel Co., Ltd.")
    assert normalise_name("江苏华峰家纺有限公司") == "jiangsu huafeng home textile"
    assert normalise_address("新疆和田市北京西路88号") == "xinjiang hetian city beijing west road 88 number"
    assert normalise_name("Hotan Taida Apparel") == normalise_name("和田泰达服装")  # Hotan is 和田 (hetian)
    assert normalise_name("和田昌达服装") != normalise_name("和田泰达服装")  # another firm of the same town
    assert normalise_name("Urumqi Mingcheng Toys") == normalise_name("乌鲁木齐明诚玩具有限公司")


def test_trade_words_in_other_languages_compare_as_one_english_word():
    assert normalise_name("VIET THIEN MAY MAC CO., LTD.") == normalise_name(
        "Viet Thien Apparel Company Limited"
    )
    assert normalise_name("Baisheng Garment (Yiwu) Co Ltd") == normalise_name("Baisheng Apparel Yiwu")
    assert normalise_name("Jiangyin Tongde Yinran") == normalise_name("Jiangyin Tongde Printing and Dyeing")


def test_a_chinese_name_links_to_its_english_spelling_and_a_look_alike_stays_apart():
    records = frame(
        [
            ("和田泰达服装有限公司", "新疆和田市北京西路88号", "CN", None, None),
            (
                "Hetian Taida Apparel Co., Ltd.",
                "88 Beijing West Road, Hotan City, Xinjiang",
                "China",
                None,
                None,
            ),
            ("和田昌达服装有限公司", "新疆和田市团结路12号", "中国", None, None),
        ]
    )
    ids = facility_of(resolve_frame(records))
    assert ids["r00000"] == ids["r00001"]
    assert ids["r00002"] not in {ids["r00000"], ids["r00001"]}


def big_supplier_world(namesakes: int) -> pl.DataFrame:
    """One supplier named on 60 lists (a few spellings), plus `namesakes` other firms of the same
    province sharing its distinctive word "huafeng", each named once."""
    spellings_of_supplier = [
        ("Jiangsu Huafeng Home Textiles Co., Ltd.", "No. 18 Changjiang Road, Rugao, Jiangsu"),
        ("JIANGSU HUAFENG HOME TEXTILES CO LTD", "18 CHANGJIANG ROAD, RUGAO CITY, JIANGSU"),
        ("Jiangsu Huafeng Home Textile (Co Ltd)", "Changjiang Rd 18, Rugao"),
        ("江苏华峰家纺有限公司", "江苏省如皋市长江路18号"),
    ]
    rows = [(*spellings_of_supplier[i % 4], "CN", None, None) for i in range(60)]
    for i in range(namesakes):
        rows.append(
            (
                f"Huafeng {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}x Trading {i}",
                f"{i} Renmin Road, Wuxi",
                "CN",
                None,
                None,
            )
        )
    return frame(rows)


def test_a_big_supplier_stays_one_facility_however_many_namesakes_share_its_word():
    """The old rule dropped a token shared by more than `max_block_size` records: with enough
    namesakes the supplier's mentions were never compared. Spellings block once and large blocks
    become sorted neighbourhoods, so the result no longer depends on how much data surrounds it."""
    for namesakes in (5, 120):
        ids = facility_of(resolve_frame(big_supplier_world(namesakes)))
        supplier = {ids[f"r{i:05d}"] for i in range(60)}
        assert len(supplier) == 1, (namesakes, len(supplier))
        others = {ids[f"r{60 + i:05d}"] for i in range(namesakes)}
        assert not supplier & others


def test_identical_spellings_are_paired_with_their_first_record_only():
    records = frame([("Alpha Knit", "1 Mill Road, Dhaka", "BD", None, None)] * 30)
    prepared = prepare(to_records(records))
    spelled = spellings(prepared)
    assert spelled["leader"].n_unique() == 1
    pairs = candidate_pairs(prepared, ResolutionSettings())
    assert pairs.height == 29  # one per duplicate, not 435
    assert all(passes_of(mask) == ["same_spelling"] for mask in pairs["pass_mask"].to_list())
    assert "same_spelling" in PASSES


def test_pairs_per_record_stay_bounded_as_a_common_token_grows():
    """A token shared by hundreds of spellings yields a sorted neighbourhood (each record a few
    neighbours), never all pairs of the block."""
    rows = [(f"Cotton Firm {i:04d} Apparel", f"{i} Road, Dhaka", "BD", None, None) for i in range(600)]
    records = to_records(frame(rows))
    result = resolve(records, NO_DECISIONS)
    assert result.report["pairs_per_record"] < 20


def test_every_spelling_of_a_name_is_compared_with_the_first_spelling_of_that_name():
    """A big supplier listed at forty different addresses, beside namesakes that share every word of
    its name: each of its spellings is compared with the first one (the name is the thread between
    lists), and no spelling of another name is paired that way."""
    supplier = [
        ("Jiangsu Huafeng Home Textiles Co., Ltd.", f"No. {i} Xinhua Road, Rugao", "CN", None, None)
        for i in range(40)
    ]
    namesakes = [
        (f"Huafeng {word} Home Textiles", f"{i} Binhai Road, Nantong", "CN", None, None)
        for i, word in enumerate(["Bright", "Star", "Golden", "Ocean", "Royal"] * 6)
    ]
    prepared = prepare(to_records(frame(supplier + namesakes)))
    pairs = candidate_pairs(prepared, ResolutionSettings())
    by_name = pairs.filter(
        pl.col("pass_mask").map_elements(lambda m: "name_neighbourhood" in passes_of(m), pl.Boolean)
    )
    first = int(prepared.filter(pl.col("record_id") == "r00000")["idx"][0])
    supplier_idx = set(prepared.filter(pl.col("record_id") < "r00040")["idx"].to_list())
    partners_of_first = set(by_name.filter(pl.col("left") == first)["right"].to_list())
    assert supplier_idx - {first} <= partners_of_first
    assert len(partners_of_first - supplier_idx) <= 2 * ResolutionSettings().neighbourhood_window
