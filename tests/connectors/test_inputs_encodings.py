"""Encodings of supplier lists (issue 15): each legacy encoding a supplier's spreadsheet is saved in
reads back exactly; bytes that fit no encoding plausibly are refused naming the encodings tried; a
Chinese list saved as GBK is never read as cp1252; a declared encoding must fit the bytes."""

from __future__ import annotations

import pytest

from connectors.reading.encodings import decode_text
from connectors.reading.errors import MalformedFileError
from connectors.reading.files import read_table_file

HEADER = "country,name,address\n"
CHINESE = HEADER + (
    "China,和田泰达服装有限公司,新疆和田市北京工业园区88号\n"
    "China,深圳市华强电子厂,广东省深圳市福田区华强北路1号\n"
    "China,宁波申洲针织有限公司,浙江省宁波市北仑区大港工业城甬江路18号\n"
)
TRADITIONAL = HEADER + (
    "Taiwan,台灣紡織股份有限公司,台北市中山區民生東路一段12號\n"
    "Taiwan,新竹電子製造廠,新竹市東區光復路二段101號\n"
)
JAPANESE = HEADER + (
    "Japan,株式会社東京縫製,東京都江東区豊洲3丁目2番\n"
    "Japan,大阪テキスタイル株式会社,大阪府大阪市中央区本町1丁目\n"
)
TEXTS = {
    "gbk": CHINESE,
    "gb18030": CHINESE + "China,䶮记服饰有限公司,广州市番禺区\n",  # 䶮 is outside GBK
    "big5": TRADITIONAL,
    "shift_jis": JAPANESE,
    "cp1252": HEADER
    + "France,Café Müller Textiles,12 Rue de la Paix\nSpain,Confecciones Ñandú,Calle Mayor 5\n",
    "cp1250": HEADER + "Poland,Łódź Szwalnia Sp. z o.o.,ul. Piotrkowska 12\nCzechia,Textil Žďár,Náměstí 5\n",
    "cp1254": HEADER + "Turkey,Şişli Tekstil A.Ş.,Büyükdere Cad. No:12 İstanbul\n",
    "utf-16-le": HEADER + "China,和田泰达服装有限公司,新疆和田市\n",
    "utf-8": CHINESE,
}


@pytest.mark.parametrize("encoding", list(TEXTS))
def test_each_encoding_reads_back_exactly(tmp_path, encoding):
    path = tmp_path / "list.csv"
    path.write_bytes(TEXTS[encoding].encode(encoding))
    raw_file = read_table_file(path)
    assert raw_file.encoding == encoding
    text, _ = decode_text(TEXTS[encoding].encode(encoding), "list.csv")
    assert text == TEXTS[encoding]


def test_a_gbk_list_is_never_read_as_cp1252():
    data = CHINESE.encode("gbk")
    assert decode_text(data, "f")[1] == "gbk"
    with pytest.raises(MalformedFileError) as refused:
        decode_text(data, "f", "cp1252")
    assert refused.value.reason_code == "undecodable_encoding" and "cp1252" in str(refused.value)


def test_bytes_that_fit_no_encoding_are_refused_naming_the_encodings_tried():
    with pytest.raises(MalformedFileError) as refused:
        decode_text(b"country,name\nCN,A\x81\x8d\n", "list.csv")
    message = str(refused.value)
    assert refused.value.reason_code == "undecodable_encoding"
    for name in ("utf-8", "cp1252", "gbk", "big5", "shift_jis", "cp1250", "cp1254"):
        assert name in message
    assert "row 2" in message and "--encoding" in message


def test_too_little_chinese_to_tell_gbk_from_big5_is_refused_not_guessed():
    with pytest.raises(MalformedFileError, match="too short to tell"):
        decode_text((HEADER + "China,Hetian Taida Garment,和田市\n").encode("gbk"), "f")
    text, encoding = decode_text((HEADER + "China,Hetian Taida Garment,和田市\n").encode("gbk"), "f", "gbk")
    assert encoding == "gbk" and "和田市" in text


def test_a_declared_encoding_is_used_and_must_exist():
    data = TEXTS["cp1250"].encode("cp1250")
    assert decode_text(data, "f", "cp1250") == (TEXTS["cp1250"], "cp1250")
    with pytest.raises(MalformedFileError, match="unknown encoding"):
        decode_text(data, "f", "klingon")
