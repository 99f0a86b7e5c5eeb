"""Known names of listed firms, traditional and simplified characters, Vietnamese with and without
diacritics, and place names in either script."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from entity_resolution.known_names import KNOWN_NAMES, ambiguous_names, canonical_names, read_known_names
from entity_resolution.normalise import (
    known_name_keys,
    normalise_address,
    normalise_name,
    normalise_name_plain,
    use_known_names,
)
from entity_resolution.standalone import INPUT_SCHEMA, resolve_frame

SCHEMA = INPUT_SCHEMA
HEADER = "group_id,name,script,kind,list,source,note\n"


def linked(left: tuple, right: tuple) -> bool:
    """Whether two records (name, address, country) resolved alone get one facility id."""
    frame = pl.DataFrame([("a", *left, None, None), ("b", *right, None, None)], schema=SCHEMA, orient="row")
    ids = dict(resolve_frame(frame).select("record_id", "facility_id").iter_rows())
    return ids["a"] == ids["b"]


@pytest.fixture
def without_known_names():
    use_known_names(False)
    yield
    use_known_names(True)


def test_a_brand_name_and_its_chinese_name_link_through_the_known_names_list():
    chinese = ("昌吉溢达纺织有限公司", "", "CN")
    english = ("Changji Esquel Textile Co., Ltd.", "", "China")
    assert normalise_name(chinese[0]) == normalise_name(english[0]) == "changji esquel textile"
    assert linked(chinese, english)
    assert normalise_name("今创集团") == normalise_name("KTK Group")
    assert normalise_name("XPCC") == normalise_name("新疆生产建设兵团")


def test_without_the_list_romanisation_alone_does_not_link_a_brand(without_known_names):
    assert normalise_name("昌吉溢达纺织有限公司") == "changji yida textile"
    assert not linked(("昌吉溢达纺织有限公司", "", "CN"), ("Changji Esquel Textile Co., Ltd.", "", "CN"))


def test_without_the_list_a_province_dropped_on_one_side_and_legal_forms_still_link(without_known_names):
    assert linked(("準噶爾棉麻有限公司", "", "CN"), ("Xinjiang Junggar Cotton and Linen Co.", "", "CN"))
    assert linked(("和田市泰達服裝有限公司", "", "CN"), ("Hotan Taida Apparel Company Limited", "", "CN"))


def test_a_known_name_never_links_across_a_country_conflict():
    assert not linked(("昌吉溢达纺织有限公司", "", "CN"), ("Changji Esquel Textile Co., Ltd.", "", "VN"))


def test_only_a_whole_known_name_counts_and_look_alikes_stay_apart():
    assert normalise_name("Guangzhou Meiling Garment") == "guangzhou meiling apparel"  # not Hefei Meiling
    assert normalise_name("Xinjiang Nonferrous") != normalise_name("Xinjiang East Hope Nonferrous Metals")
    assert not linked(
        ("新疆东方希望有色金属有限公司", "", "CN"),
        ("Xinjiang Nonferrous Metals Industry Group Co., Ltd.", "", "CN"),
    )
    assert not linked(("新疆大全新能源有限公司", "", "CN"), ("Xinjiang GCL New Energy Material Co", "", "CN"))


def test_the_magnesium_and_copper_firms_listed_in_2024_08_link_and_parent_and_subsidiary_stay_apart():
    assert linked(("世紀陽光集團控股有限公司", "", "HK"), ("Century Sunshine Group Holdings, Ltd.", "", "HK"))
    assert linked(("稀镁科技", "", "HK"), ("Rare Earth Magnesium Technology Group Holdings, Ltd.", "", "HK"))
    assert linked(("新疆哈巴河阿舍勒铜业股份有限公司", "", "CN"), ("Ashele Copper", "", "CN"))
    parent = ("Century Sunshine Group Holdings, Ltd.", "", "HK")
    assert not linked(("稀鎂科技集團控股有限公司", "", "HK"), parent)
    copper = ("Xinjiang Habahe Ashele Copper Co., Ltd.", "", "CN")
    assert not linked(("新疆腾翔镁制品有限公司", "", "CN"), copper)


def test_the_shipped_list_is_unambiguous_and_every_row_has_a_source():
    rows = read_known_names()
    assert len({row.group_id for row in rows}) >= 40
    assert ambiguous_names(rows, normalise_name_plain) == {}
    frame = pl.read_csv(KNOWN_NAMES, comment_prefix="#", infer_schema_length=0)
    assert frame["source"].is_not_null().all() and frame["list"].is_not_null().all()


def test_a_name_shared_by_two_firms_is_left_out(tmp_path: Path):
    path = tmp_path / "known.csv"
    path.write_text(
        HEADER
        + "a,Alpha Textile,latin,list,L,S,\na,Shared Name,latin,short,L,S,\n"
        + "b,Beta Textile,latin,list,L,S,\nb,Shared Name,latin,short,L,S,\n",
        encoding="utf-8",
    )
    rows = read_known_names(path)
    table = canonical_names(rows, normalise_name_plain)
    assert "shared name" not in table and table["alpha textile"] == "alpha textile"
    assert ambiguous_names(rows, normalise_name_plain) == {"shared name": {"a", "b"}}


@pytest.mark.parametrize(
    "body",
    ["a,阿尔法纺织,han,registered,L,S,\n", "a,Alpha,klingon,list,L,S,\n"],
    ids=["no Latin-script name", "unknown script"],
)
def test_a_malformed_known_names_file_is_refused(tmp_path: Path, body: str):
    path = tmp_path / "known.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(ValueError, match="known.csv"):
        read_known_names(path)


@pytest.mark.parametrize(
    "file",
    [
        "native_script_pairs_heldout.csv",
        "native_script_pairs_fresh.csv",
        "native_script_pairs_fresh3.csv",
        "native_script_pairs_fresh4.csv",
    ],
)
def test_held_out_benchmark_firms_are_not_in_the_known_names_list(file: str):
    pairs = pl.read_csv(
        Path(__file__).resolve().parents[2] / "benchmarks" / "data" / file, infer_schema_length=0
    )
    names = set(pairs["left_name"].to_list()) | set(pairs["right_name"].to_list())
    assert not {name for name in names if normalise_name_plain(name) in known_name_keys()}


def test_traditional_and_simplified_characters_read_alike():
    assert (
        normalise_name("哈爾濱工程大學")
        == normalise_name("哈尔滨工程大学")
        == normalise_name("Harbin Engineering University")
    )
    assert normalise_name("新疆東方希望有色金屬有限公司") == normalise_name("新疆东方希望有色金属有限公司")
    assert normalise_name("申洲國際集團控股有限公司") == normalise_name("申洲国际集团控股有限公司")
    assert normalise_name("申洲國際集團控股有限公司") == "shenzhou international group"  # 控股 like Holdings
    assert normalise_name("哈爾濱工業大學") != normalise_name("Harbin Engineering University")


def test_vietnamese_names_and_addresses_with_and_without_diacritics():
    assert normalise_name("Công ty TNHH May Việt Tiến") == normalise_name("CONG TY TNHH MAY VIET TIEN")
    assert normalise_name("Tổng Công ty Cổ phần Phong Phú") == normalise_name("Phong Phu Corporation")
    assert normalise_address(
        "Số 7 Lê Minh Xuân, Phường 7, Quận Tân Bình, TP. Hồ Chí Minh"
    ) == normalise_address("So 7 Le Minh Xuan, Phuong 7, Quan Tan Binh, TP. Ho Chi Minh")
    assert normalise_address("Hanoi") == normalise_address("Hà Nội")
    assert set(normalise_address("TP. Hồ Chí Minh").split()) == set(
        normalise_address("Ho Chi Minh City").split()
    )
    assert linked(
        ("Công ty TNHH May Việt Tiến", "Số 7 Lê Minh Xuân, Phường 7, Quận Tân Bình, TP. Hồ Chí Minh", "VN"),
        (
            "VIET TIEN GARMENT CO., LTD",
            "So 7 Le Minh Xuan, Phuong 7, Quan Tan Binh, Ho Chi Minh City",
            "Vietnam",
        ),
    )


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("新疆维吾尔自治区和田市", "Hotan City, Xinjiang Uygur Autonomous Region"),
        ("广东省东莞市", "Dongguan City, Guangdong Province"),
        ("廣東省東莞市", "Dongguan City, Guangdong Province"),
        ("江苏省南通市", "Nantong City, Jiangsu Province"),
        ("乌鲁木齐市", "Urumqi City"),
        ("喀什地区", "Kashgar Prefecture"),
    ],
)
def test_a_place_written_in_either_script_is_the_same_place(native: str, latin: str):
    assert set(normalise_address(native).split()) == set(normalise_address(latin).split())


def test_a_chinese_address_links_a_pinyin_record_and_a_namesake_in_another_town_stays_apart():
    chinese = ("和田浩林发饰品有限公司", "新疆和田市北京西路88号", "CN")
    assert linked(
        chinese, ("Hetian Haolin Hair Accessories Co. Ltd.", "88 Beijing West Road, Hotan, Xinjiang", "CN")
    )
    assert not linked(
        ("和田昌达服装有限公司", "新疆和田市团结路12号", "CN"), ("Hetian Taida Apparel Co., Ltd.", "", "CN")
    )
