"""Ordinal numbers and the Xinjiang Production and Construction Corps (XPCC) in either script (issue 14,
sixth pass): 第一, "First", "1st" and "No. 1" are one number; a Corps division or regiment is compared
by its number (农八师 = 第八师 = "Eighth Division" = "8th Division"), and two different numbers keep two
firms apart. Pairs are resolved with the known-names step switched off, so only the general rules can
link them."""

from __future__ import annotations

import pytest

from entity_resolution.native_scripts import chinese_number
from entity_resolution.normalise import (
    name_numbers,
    normalise_address,
    normalise_name_plain,
    repaired,
    use_known_names,
)
from tests.entity_resolution.test_native_scripts_general_rules import linked


@pytest.fixture(autouse=True)
def without_known_names():
    use_known_names(False)
    yield
    use_known_names(True)


@pytest.mark.parametrize(
    "numeral, number",
    [
        ("八", 8),
        ("十", 10),
        ("十四", 14),
        ("二十", 20),
        ("二十一", 21),
        ("一百零五", 105),
        ("两", 2),
        ("０８", 8),
    ],
)
def test_chinese_numerals_are_read_as_numbers(numeral: str, number: int):
    assert chinese_number(numeral) == number


def test_a_run_of_digits_without_a_place_value_is_not_a_number():
    assert chinese_number("一二") is None


@pytest.mark.parametrize(
    "spelling",
    [
        "上海第一服装厂",
        "Shanghai First Garment Factory",
        "Shanghai 1st Garment Factory",
        "Shanghai No. 1 Garment Factory",
    ],
)
def test_an_ordinal_in_either_script_is_the_number_lists_also_write(spelling: str):
    assert normalise_name_plain(spelling) == "shanghai number 1 apparel factory"
    assert name_numbers(spelling) == "1"


@pytest.mark.parametrize(
    "native, english",
    [
        (
            "新疆生产建设兵团农八师天山铝业有限公司",
            "Xinjiang Production and Construction Corps Eighth Division Tianshan Aluminum Co., Ltd.",
        ),
        ("新疆兵团第八师棉麻有限公司", "XPCC 8th Division Cotton and Linen Co., Ltd."),
        ("新疆生产建设兵团第十四团", "Xinjiang Bingtuan 14th Regiment"),
    ],
)
def test_a_corps_division_or_regiment_links_to_its_english_name(native: str, english: str):
    assert normalise_name_plain(native) == normalise_name_plain(english)
    assert linked(native, english)


def test_two_corps_divisions_stay_apart_however_alike_their_names():
    assert name_numbers("新疆兵团第七师棉麻有限公司") == "7"
    assert not linked("新疆兵团第七师棉麻有限公司", "XPCC 8th Division Cotton and Linen Co., Ltd.")
    assert not linked("新疆兵团农一师棉麻有限公司", "新疆兵团农二师棉麻有限公司")


def test_two_numbered_factories_of_one_city_stay_apart():
    assert not linked("上海第一服装厂", "Shanghai No. 2 Garment Factory")
    assert not linked("Shanghai First Garment Factory", "Shanghai Second Garment Factory")


def test_an_ordinal_in_an_address_reads_alike_in_either_script():
    assert normalise_address("宝安区第三工业区") == "baoan district number 3 industrial zone"
    assert normalise_address("3rd Industrial Zone") == normalise_address("Third Industrial Zone")


def test_a_regiment_farm_is_not_read_as_a_regiment():
    assert normalise_name_plain("第三团场") == "number 3 regiment farm"


def test_words_that_merely_contain_an_ordinal_are_left_alone():
    assert normalise_name_plain("Firstline Seconda Tenthouse Knits") == "firstline seconda tenthouse knitting"


def utf8_read_as_cp1252(text: str) -> str:
    """What a UTF-8 text becomes when a program once decoded its bytes as cp1252 (bytes cp1252 leaves
    undefined kept as the C1 control of the same number, as such programs do)."""
    return "".join(
        bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in text.encode("utf-8")
    )


@pytest.mark.parametrize(
    "written",
    [
        "Yücel Toprak Giyim San. Tic. Ltd. Şti.",
        "Công ty TNHH May Việt Tiến",
        "和田泰达服装有限公司",
        "Plásticos del Valle",
    ],
)
def test_a_name_once_decoded_as_cp1252_normalises_as_written(written: str):
    mangled = utf8_read_as_cp1252(written)
    assert mangled != written
    assert normalise_name_plain(mangled) == normalise_name_plain(written)
    assert normalise_address(mangled) == normalise_address(written)


@pytest.mark.parametrize("written", ["CAFÉ–BAR", "ÉTABLISSEMENTS ÂGE D’OR", "Señor Ñoño"])
def test_text_that_only_looks_like_mojibake_is_left_as_written(written: str):
    assert repaired(written) == written
