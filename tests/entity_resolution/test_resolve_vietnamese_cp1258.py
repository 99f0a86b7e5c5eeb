"""Vietnamese lists saved as Windows-1258 are detected as cp1258, not cp1254 or cp1250 (issue 14's
leftovers): read in NFC exactly as their UTF-8 twin, and resolved by `flrisk resolve` as it would be.
Turkish, Western and Portuguese lists keep their encodings."""

from __future__ import annotations

import unicodedata

import pytest

from connectors.reading.encodings import decode_text
from tests.entity_resolution.test_resolve_hostile_input import HEADER, assert_merged, resolve, write


def cp1258(text: str) -> bytes:
    """`text` as a Vietnamese Windows program saves it: each letter cp1258 holds whole as its byte,
    the others as a base letter cp1258 holds and the combining tone marks it lacks (as Python's codec
    does not decompose)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        for mark in list(marks):  # fold in the marks cp1258 has a whole letter for (â, ơ, ư, ă, ...)
            whole = unicodedata.normalize("NFC", base + mark)
            if len(whole) == 1 and _fits(whole):
                base = whole
                marks.remove(mark)
        out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def _fits(char: str) -> bool:
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


VIETNAMESE = {
    "hcmc": HEADER
    + '1,Công ty TNHH May Mặc Việt Tiến,"7 Lê Minh Xuân, Phường 7, Quận Tân Bình, Hồ Chí Minh",VN,,\n'
    '2,Cong ty TNHH May Mac Viet Tien,"7 Le Minh Xuan, Phuong 7, Quan Tan Binh, Ho Chi Minh",VN,,\n'
    '3,Xí nghiệp Dệt Phước Long,"Khu công nghiệp Biên Hòa 2, Đồng Nai",VN,,\n',
    "binh-duong": HEADER + '1,Công ty Cổ phần Dệt May Bình Dương,"Thủ Dầu Một, Bình Dương",VN,,\n'
    '2,CÔNG TY CỔ PHẦN DỆT MAY BÌNH DƯƠNG,"Thủ Dầu Một, tỉnh Bình Dương",Việt Nam,,\n'
    '3,Nhà máy Giày Thái Bình,"Dĩ An, Bình Dương",VN,,\n',
    "dong-nai": HEADER + '1,Xí nghiệp Dệt Phước Long,"Khu công nghiệp Biên Hòa 2, Đồng Nai",VN,10.93,106.85\n'
    '2,Xi nghiep Det Phuoc Long,"KCN Bien Hoa 2, Dong Nai",VN,10.93,106.85\n',
    "highlands": HEADER + '1,Công ty TNHH Sản xuất Hàng may mặc Đắk Lắk,"Buôn Ma Thuột, Đắk Lắk",VN,,\n'
    '2,Công ty TNHH Sản xuất Hàng may mặc Đắk Lắk,"TP Buôn Ma Thuột, Đắk Lắk",VN,,\n'
    '3,Xưởng may Quảng Ngãi,"Khu công nghiệp Tịnh Phong, huyện Sơn Tịnh",VN,,\n',
    "hue-saigon": HEADER + '1,Nhà máy sợi Nguyễn Huy,"Số 12 đường Trần Hưng Đạo, Quận 5, Hồ Chí Minh",VN,,\n'
    '2,Nha may soi Nguyen Huy,"So 12 duong Tran Hung Dao, Quan 5, Ho Chi Minh",VN,,\n'
    '3,Công ty Giày da Huế,"Phú Vang, Thừa Thiên Huế",VN,,\n',
}


@pytest.mark.parametrize("name", list(VIETNAMESE))
def test_a_vietnamese_cp1258_list_is_read_as_written(name):
    data = cp1258(VIETNAMESE[name])
    assert any(byte in data for byte in (0xEC, 0xDE, 0xD2, 0xF2, 0xCC))  # combining tone marks
    assert data.decode("cp1258") != VIETNAMESE[name]  # decomposed: read back only through NFC
    assert decode_text(data, f"{name}.csv") == (VIETNAMESE[name], "cp1258")


@pytest.mark.parametrize("name", list(VIETNAMESE))
def test_flrisk_resolve_detects_cp1258_and_resolves_as_the_utf8_twin(tmp_path, name):
    code, output, rows = resolve(write(tmp_path, f"{name}.csv", cp1258(VIETNAMESE[name])))
    assert code == 0, output
    twin_code, _, twin = resolve(write(tmp_path, f"{name}-utf8.csv", VIETNAMESE[name]))
    assert twin_code == 0 and rows == twin
    assert_merged(rows, ("1", "2"), ("3",) if "3" in rows else ())


def test_a_declared_cp1258_is_read_in_nfc():
    data = cp1258(VIETNAMESE["hcmc"])
    assert decode_text(data, "f.csv", "cp1258") == (VIETNAMESE["hcmc"], "cp1258")


OTHERS = [
    ("cp1254", HEADER + '1,Yıldız Örme,"Bağcılar, İstanbul",TR,,\n2,Işık Konfeksiyon,Denizli,TR,,\n'),
    ("cp1254", HEADER + '1,Dağ Tekstil,"Güngören, İstanbul",TR,,\n2,Şişli Tekstil A.Ş.,İstanbul,TR,,\n'),
    ("cp1252", HEADER + '1,Tecelagem São João,"Rua Direita, São Paulo",BR,,\n'),
    ("cp1252", HEADER + "1,Fábrica Têxtil do Ave,Guimarães,PT,,\n2,Maglificio Può,Città di Prato,IT,,\n"),
]


@pytest.mark.parametrize(("encoding", "text"), OTHERS)
def test_turkish_and_western_lists_are_not_taken_for_vietnamese(tmp_path, encoding, text):
    assert decode_text(text.encode(encoding), "f.csv") == (text, encoding)
    code, output, rows = resolve(write(tmp_path, "list.csv", text.encode(encoding)))
    assert code == 0 and rows is not None, output
