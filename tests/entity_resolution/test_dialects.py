"""Chinese names of Hong Kong, Macau and Taiwan records read as those lists spell them (issue 14, sixth
pass): Cantonese for Hong Kong and Macau (聯泰 -> Luen Thai, 裕元 -> Yue Yuen), Wade-Giles for Taiwan
(年興 -> Nien Hsing); pinyin elsewhere; known names of listed firms keep their one canonical name."""

from __future__ import annotations

import polars as pl
import pytest

from entity_resolution.native_scripts import (
    CANTONESE,
    MANDARIN,
    WADE_GILES,
    english_words_apart,
    hong_kong_spelling,
    join_syllables,
)
from entity_resolution.normalise import (
    known_name_table,
    name_columns,
    name_fields,
    normalise_name_plain,
    use_known_names,
)
from tests.entity_resolution.test_native_scripts_general_rules import linked


@pytest.mark.parametrize(
    "jyutping, spelt",
    [("bou2", "po"), ("jyun4", "yuen"), ("jyu6", "yue"), ("lyun4", "luen"), ("coeng4", "cheung")]
    + [("gwok3", "kwok"), ("si1", "sze"), ("jip6", "yip"), ("zing1", "ching"), ("taai3", "tai")],
)
def test_jyutping_syllables_are_spelt_as_hong_kong_names_spell_them(jyutping: str, spelt: str):
    assert hong_kong_spelling(jyutping) == spelt


@pytest.fixture
def without_known_names():
    use_known_names(False)
    yield
    use_known_names(True)


@pytest.mark.parametrize(
    "native, english, country",
    [
        ("聯泰控股有限公司", "LUEN THAI HOLDINGS LIMITED", "HK"),
        ("裕元工業(集團)有限公司", "YUE YUEN INDUSTRIAL (HOLDINGS) LIMITED", "HK"),
        ("年興紡織", "Nien Hsing Textile Co Ltd", "TW"),
    ],
)
def test_a_firm_links_to_its_name_in_its_own_places_romanisation(
    native: str, english: str, country: str, without_known_names
):
    assert linked(native, english, country)
    assert not linked(native, english, "CN")  # read in pinyin (liantai, yuyuan, nianxing) it does not


def test_look_alikes_of_one_place_stay_apart_in_its_romanisation(without_known_names):
    assert not linked("聯泰控股有限公司", "Stella International Holdings Limited", "HK")
    assert not linked("九興控股有限公司", "LUEN THAI HOLDINGS LIMITED", "HK")
    assert not linked("年興紡織", "Far Eastern Textile Co", "TW")


def test_the_country_of_each_record_chooses_the_reading_of_its_name():
    names = pl.Series(["聯泰控股", "聯泰控股", "聯泰控股", "Luen Thai"])
    columns = name_columns(names, pl.Series(["HK", "CN", None, "HK"]))
    assert columns["name_norm"].to_list() == ["luentai", "liantai", "liantai", "luen thai"]
    assert name_columns(names)["name_norm"].to_list() == ["liantai", "liantai", "liantai", "luen thai"]


def test_a_known_name_of_a_listed_firm_keeps_its_canonical_name_in_every_dialect():
    known = "昌吉溢达纺织有限公司"
    canonical = name_fields(known)
    assert canonical[0] == known_name_table()[normalise_name_plain(known)]  # the firm's canonical name
    assert name_fields(known, CANTONESE) == canonical == name_fields(known, WADE_GILES)
    assert name_fields("Luen Thai Holdings", CANTONESE) == name_fields("Luen Thai Holdings", MANDARIN)


def test_pinyin_syllables_written_apart_are_joined_in_names_of_chinese_speaking_countries():
    names = pl.Series(["Hong Jing Cotton Textile", "Hongjing Cotton Textile Co", "Song Hong Garment"])
    columns = name_columns(names, pl.Series(["CN", "CN", "VN"]))
    assert columns["name_norm"].to_list() == [
        "hongjing cotton textile",
        "hongjing cotton textile",
        "song hong apparel",
    ]
    assert join_syllables("taizhou yong zhi weaving a") == "taizhou yongzhi weaving a"
    assert linked("Taizhou Yong Zhi Weaving Factory", "TAIZHOU YONGZHI WEAVING FACTORY CO., LTD.", "CN")


def test_a_place_written_in_syllables_stays_a_word_of_its_own_when_syllables_are_joined():
    assert join_syllables("guang dong hua feng textile") == "guangdong huafeng textile"
    assert join_syllables("hua feng shang hai") == "huafeng shanghai"
    assert join_syllables("zhe jiang tai hua new material") == "zhejiang taihua new material"
    assert join_syllables("shang hai") == "shanghai"  # a place alone is joined as before
    assert join_syllables("an hui xin ya") == "anhui xinya"
    assert linked("GUANG DONG HUA FENG TEXTILE CO LTD", "Guangdong Huafeng Textile Co., Ltd.", "CN")


def test_an_english_name_printed_run_together_is_written_apart_in_names_of_chinese_speaking_countries():
    names = pl.Series(
        [
            "HuafengSolarHoldingsLimited",
            "Huafeng Solar Holdings Limited",
            "DongnanElectronicsCo.,Ltd.",
            "Dongnan Electronics Co., Ltd.",
            "FengBorGarment",  # no legal form run in: only the name-ending trade word comes apart
            "SinoTex",
            "HuafengSolarHoldingsLimited",
        ]
    )
    countries = pl.Series(["CN", "CN", "TW", "TW", "CN", "HK", "US"])
    norm = name_columns(names, countries)["name_norm"].to_list()
    assert norm[0] == norm[1] == "huafeng solar" and norm[2] == norm[3] == "dongnan electronic"
    # outside Chinese-speaking countries only a glued last word comes apart (`normalise._unglued`)
    assert norm[4:] == ["fengbor apparel", "sinotex", "huafengsolarholdings"]
    assert english_words_apart("FengBoGarmentCo.,Ltd.") == "Feng Bo Garment Co.,Ltd."  # joined later
    assert english_words_apart("BYDCompanyLimited") == "BYD Company Limited"
    columns = name_columns(
        pl.Series(["GuangDongHuaFengTextileCoLtd", "Guangdong Huafeng Textile Co., Ltd."]),
        pl.Series(["CN", "CN"]),
    )
    assert columns["name_norm"].to_list() == ["guangdong huafeng textile"] * 2
