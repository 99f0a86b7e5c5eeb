"""The general romanisation path for firms in no list (issue 14, fourth pass): trade words translated,
Holdings / 控股 / 集团 read alike, a province before its city dropped, traditional characters read only
as their own simplified form, polyphones read as names read them, Hong Kong districts in either script;
look-alikes sharing a city or a trade word stay apart. Every pair is resolved with the known-names step
switched off, so only the general rules can link it."""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.er import native_pairs
from entity_resolution.native_scripts import simplified_forms
from entity_resolution.normalise import (
    core_name,
    known_name_keys,
    normalise_address,
    normalise_name,
    normalise_name_plain,
    use_known_names,
)
from entity_resolution.standalone import INPUT_SCHEMA, resolve_frame


def linked(left: str, right: str, country: str = "CN") -> bool:
    """Whether two names of one country, resolved alone, get one facility id."""
    rows = [("a", left, "", country, None, None), ("b", right, "", country, None, None)]
    frame = pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row")
    ids = dict(resolve_frame(frame).select("record_id", "facility_id").iter_rows())
    return ids["a"] == ids["b"]


@pytest.fixture(autouse=True)
def without_known_names():
    use_known_names(False)
    yield
    use_known_names(True)


def known_keys() -> frozenset[str]:
    """The normalised known names (read with the step on; the fixture keeps it off for linking)."""
    use_known_names(True)
    try:
        return known_name_keys()
    finally:
        use_known_names(False)


@pytest.mark.parametrize(
    ("native", "english"),
    [
        ("华新水泥股份有限公司", "Huaxin Cement Co., Ltd."),
        ("上海氯碱化工股份有限公司", "Shanghai Chlor-Alkali Chemical Co., Ltd."),
        ("南疆碳素新材料有限公司", "Nanjiang Carbon New Materials Co., Ltd."),
        ("天能动力国际有限公司", "TIANNENG POWER INTERNATIONAL LIMITED"),
        ("浙江宏昌电器科技股份有限公司", "Zhejiang Hongchang Electrical Technology Co., Ltd."),
        ("深圳市纺织(集团)股份有限公司", "SHENZHEN TEXTILE (HOLDINGS) CO., LTD."),
        ("山东晨鸣纸业集团股份有限公司", "Shandong Chenming Paper Holdings Limited"),
        ("中国西部水泥有限公司", "WEST CHINA CEMENT LIMITED"),
    ],
)
def test_real_firms_in_no_list_link_by_translation_of_their_trade_words(native: str, english: str):
    keys = known_keys()
    assert keys and not {normalise_name_plain(native), normalise_name_plain(english)} & keys
    assert linked(native, english)


@pytest.mark.parametrize(
    ("native", "english"),
    [
        ("晋江华丰运动服装有限公司", "Jinjiang Huafeng Sportswear Co., Ltd."),
        ("中山华丰牛仔洗水厂", "Zhongshan Huafeng Denim Laundry Factory"),
        ("佛山华丰童装有限公司", "Foshan Huafeng Children's Wear Co., Ltd."),
        ("宁波华丰毛衫有限公司", "Ningbo Huafeng Sweaters Co., Ltd."),
        ("义乌华丰服装辅料有限公司", "Yiwu Huafeng Garment Accessories Co., Ltd."),
        ("绍兴华丰无纺布有限公司", "Shaoxing Huafeng Nonwoven Fabric Co., Ltd."),
        ("宁波华丰服饰有限公司", "Ningbo Huafeng Dress Co., Ltd."),  # "Dress" as Chinese firms print 服饰
        ("芜湖华丰染织有限公司", "Wuhu Huafeng Dye and Weave Co., Ltd."),  # 染织 printed "Dye and Weave"
    ],
)
def test_apparel_trade_words_are_read_as_english_lists_write_them(native: str, english: str):
    assert linked(native, english)


def test_holdings_and_konggu_are_dropped_like_legal_forms_but_a_singular_holding_stays():
    assert normalise_name("江苏华丰控股有限公司") == normalise_name("Jiangsu Huafeng Holdings Co., Ltd.")
    assert normalise_name("Grace Holding GmbH") == "grace holding"


def test_a_province_before_its_city_is_dropped_and_a_province_alone_is_kept():
    assert normalise_name("广东东莞华丰制衣有限公司") == "dongguan huafeng apparel"
    assert normalise_name("广东省东莞市华丰制衣有限公司") == "dongguan huafeng apparel"
    assert normalise_name("广东华丰制衣有限公司") == "guangdong huafeng apparel"
    assert linked("广东东莞华丰制衣有限公司", "Dongguan Huafeng Garment Co., Ltd.")


def test_a_traditional_character_is_read_only_as_its_own_simplified_form():
    assert simplified_forms()["豐"] == "丰" and simplified_forms()["紡"] == "纺"
    # 豐電 sounds like 风电 (wind power), but 豐 is 丰: the firm's own name stays huafeng
    assert normalise_name("台灣華豐電器股份有限公司") == "taiwan huafeng electric"
    traditional, simplified = normalise_name("華豐製藥有限公司"), normalise_name("华丰制药有限公司")
    assert traditional == simplified == "huafeng pharmaceutical"


def test_a_part_in_full_width_brackets_is_left_out_of_the_core_name_like_one_in_ascii_brackets():
    assert core_name("华丰纺织有限公司（原绍兴华丰织造厂）") == core_name("Huafeng Textile Co., Ltd.")
    assert core_name("华丰纺织【香港】有限公司") == core_name("華豐紡織（集團）有限公司") == "huafeng textile"
    assert linked("华丰纺织有限公司（原绍兴华丰织造厂）", "Huafeng Textile Co., Ltd.")


def test_polyphones_are_read_as_names_read_them():
    assert normalise_name("长丰纺织有限公司") == "changfeng textile"
    assert normalise_address("上海市长宁区") == "shanghai city changning district"


def test_hong_kong_districts_and_road_words_meet_in_either_script():
    native = normalise_address("香港九龍觀塘道123號")
    english = normalise_address("123 Kwun Tong Road, Kowloon, Hong Kong")
    assert set(english.split()) <= set(native.split()) | {"number"}
    assert normalise_address("新界荃灣青山公路") == "xinjie quanwan qingshan road"


@pytest.mark.parametrize(
    ("native", "english"),
    [
        ("深圳中冠纺织印染股份有限公司", "SHENZHEN TEXTILE (HOLDINGS) CO., LTD."),
        ("华新水泥股份有限公司", "WEST CHINA CEMENT LIMITED"),
        ("上海氯碱化工股份有限公司", "Guangxi Huayi Chlor-Alkali Chemical Co., Ltd."),
        ("鲁泰纺织股份有限公司", "Shandong Ruyi Woolen Textile Garment Group Co., Ltd"),
        ("深圳华丰制衣有限公司", "Shenzhen Hengfeng Garment Co., Ltd."),
        ("东莞华丰制衣有限公司", "Guangzhou Huafeng Garment Co., Ltd."),
        ("广州华丰男装有限公司", "Guangzhou Huafeng Women's Wear Co., Ltd."),
        ("义乌华丰拉链有限公司", "Yiwu Huafeng Button Co., Ltd."),
    ],
)
def test_look_alikes_sharing_a_city_or_a_trade_word_stay_apart(native: str, english: str):
    assert not linked(native, english)


def test_the_fresh2_pair_file_is_sourced_and_its_positives_are_in_no_list():
    pairs = pl.read_csv(native_pairs.FRESH2, infer_schema_length=0)
    counts = dict(pairs.group_by("label").len().iter_rows())
    assert counts["match"] >= 25 and counts["distinct"] >= 15
    assert pairs["source"].str.contains("http").all() and pairs["list"].is_not_null().all()
    assert pairs.select("left_name", "right_name").is_unique().all()
    positives = pairs.filter(pl.col("label") == "match")
    names = set(positives["left_name"].to_list()) | set(positives["right_name"].to_list())
    keys = known_keys()
    assert keys and not {name for name in names if normalise_name_plain(name) in keys}


@pytest.mark.parametrize(
    ("native", "expected"),
    [
        ("天合光能股份有限公司", "tianhe solar"),  # 光能, light energy: the photovoltaic trade writes Solar
        ("华丰宠物玩具有限公司", "huafeng pet toys"),
        ("華豐寵物玩具有限公司", "huafeng pet toys"),
        ("江苏华丰针纺有限公司", "jiangsu huafeng knitting and textile"),
        ("江蘇華豐針紡有限公司", "jiangsu huafeng knitting and textile"),
        ("华丰新材", "huafeng new materials"),  # 新材, the stock short name's form of 新材料
        ("華豐鋰電", "huafeng lithium battery"),
    ],
)
def test_sector_words_of_supplier_names_are_read_in_either_script(native: str, expected: str):
    assert normalise_name(native) == expected


def test_an_english_name_printed_run_together_links_to_its_chinese_name_but_not_a_sister_firms():
    assert linked("华丰光能控股有限公司", "HuafengSolarHoldingsLimited")
    assert not linked("华丰光能控股有限公司", "HuafengGlassHoldingsLimited")
    assert not linked("华丰玻璃控股有限公司", "HuafengSolarHoldingsLimited")


@pytest.mark.parametrize(
    ("native", "expected"),
    [
        ("华丰新能", "huafeng new energy"),  # 新能, the stock short name's form of 新能源
        ("华丰重工", "huafeng heavy industry"),
        ("華豐紡機", "huafeng textile machinery"),
        ("华丰鋁製品廠", "huafeng aluminium products factory"),
    ],
)
def test_short_forms_and_product_words_are_read_in_either_script(native: str, expected: str):
    assert normalise_name(native) == expected
