"""Tell which encoding a text file's bytes are in, and refuse a file rather than garble it.

Order: a byte-order mark (UTF-8, UTF-16) decides; else UTF-16 without a byte-order mark when the
high bytes of its ASCII characters show as NULs (checked first: ASCII-only UTF-16 is also valid,
NUL-ridden UTF-8); else text that is valid UTF-8 is UTF-8; else bytes that read as well-formed
Vietnamese in cp1258 are cp1258, in NFC (`connectors.reading.vietnamese`: its combining tone marks
read as Turkish or Czech letters in impossible places in any other Latin encoding); else
charset-normalizer ranks the legacy encodings suppliers' spreadsheets are saved in (cp1252, GBK /
GB18030, Big5, Shift-JIS, cp1250, cp1254), and the first one whose reading is *plausible* is taken.
A reading is implausible when it shows the marks of a wrong guess:

- a Latin reading (cp1252 / cp1250 / cp1254) with a currency, fraction or other symbol glued to a
  letter ("ºÍÌï", "£ódŸ") or an accented capital right after a small letter inside a word;
- a CJK reading (GBK, GB18030, Big5, Shift-JIS) with a private-use or replacement character, or a
  lone CJK character glued to a Latin letter ("M乱ller": Latin bytes read as CJK pairs).

So a Chinese list saved as GBK reads as Chinese (never as "ºÍÌïÌ©´ï·þ×°"), and bytes that fit no
encoding plausibly are refused with ``undecodable_encoding`` naming every encoding tried. Among Latin
readings that are all plausible, cp1252 is preferred (it was flrisk's only legacy encoding before).
A caller that knows the encoding passes it (``--encoding``); the bytes must then decode in it, and
plausibly (cp1258 text is put in NFC there too).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from connectors.reading import vietnamese
from connectors.reading.errors import MalformedFileError

LATIN = ("cp1252", "cp1250", "cp1254")
CJK = ("gb18030", "big5", "shift_jis")
LEGACY = ("cp1252", "gb18030", "big5", "shift_jis", "cp1250", "cp1254")
TRIED = "utf-8, utf-16, cp1258 (Vietnamese), cp1252, gbk/gb18030, big5, shift_jis, cp1250, cp1254"
CHAOS_THRESHOLD = 0.3
_GLUED_SYMBOL = re.compile(
    r"(?<=[^\W\d_])[¢£¤¥¦§¨©¬®¯±²³´µ¶·¸¹¼½¾×÷]|[¢£¤¥¦§¨©¬®¯±²³´µ¶·¸¹¼½¾×÷](?=[^\W\d_])"
)
_CAPITAL_AFTER_SMALL = re.compile(r"[a-zà-ÿ][À-ÞŠŒŽŸ]")
_LONE_NON_ASCII = re.compile(
    r"(?<=[A-Za-z])[^\x00-\x7f](?![^\x00-\x7f])|(?<![^\x00-\x7f])[^\x00-\x7f](?=[A-Za-z])"
)
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_ICELANDIC = re.compile(r"[ÞþÐðÝý]")  # in a cp1252 reading: almost always Turkish (cp1254) bytes
MIN_CJK_EVIDENCE = 20  # CJK characters needed to tell GBK from Big5 from Shift-JIS
_BROKEN = re.compile(r"[\ue000-\uf8ff\ufffd\x80-\x9f]")


def plausible(text: str, encoding: str) -> bool:
    """False when ``text`` shows the marks of bytes read in the wrong encoding (module doc)."""
    if _BROKEN.search(text):
        return False
    if encoding in LATIN:
        wrong_latin = _GLUED_SYMBOL.search(text) or _CAPITAL_AFTER_SMALL.search(text)
        return not (wrong_latin or (encoding == "cp1252" and _ICELANDIC.search(text)))
    if encoding in CJK:
        return not _LONE_NON_ASCII.search(text)
    return True


def label(data: bytes, encoding: str) -> str:
    """GB18030 text that is also valid GBK is reported as GBK (what Excel calls it)."""
    if encoding == "gb18030":
        try:
            data.decode("gbk")
            return "gbk"
        except UnicodeDecodeError:
            return "gb18030"
    return encoding


def decode_text(data: bytes, source_file: str, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding label) of a text file's bytes; MalformedFileError when no encoding fits."""
    if declared:
        return _declared(data, source_file, declared)
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, source_file, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, source_file, "utf-16"), "utf-16"
    utf16 = _utf16_without_bom(data) if b"\x00" in data else None
    if utf16 is not None:  # before UTF-8: ASCII-only UTF-16 is also valid UTF-8, full of NULs
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = vietnamese.read_vietnamese(data)
    if text is not None:
        return text, vietnamese.ENCODING
    readings = []
    for encoding in _ranked(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausible(text, encoding):
            readings.append((text, encoding))
    if readings and readings[0][1] in CJK:
        _refuse_ambiguous_cjk(readings, source_file)
    if readings:
        return readings[0][0], label(data, readings[0][1])
    row, column = _first_non_ascii(data)
    raise MalformedFileError(
        source_file,
        row,
        column,
        f"cannot decode the text from this byte on: it reads plausibly as none of {TRIED}; save the "
        "file as UTF-8 (CSV UTF-8 in Excel) or give the encoding with --encoding",
        "undecodable_encoding",
    )


def _first_non_ascii(data: bytes) -> tuple[int, int]:
    """1-based (line, character) of the first byte above 0x7F (CR, LF or CRLF line ends)."""
    offset = next((index for index, byte in enumerate(data) if byte > 0x7F), 0)
    lines = data[:offset].decode("ascii").splitlines(keepends=True) or [""]
    if lines[-1].endswith(("\n", "\r")):
        return len(lines) + 1, 1
    return len(lines), len(lines[-1]) + 1


def _refuse_ambiguous_cjk(readings: list[tuple[str, str]], source_file: str) -> None:
    """Several CJK encodings read the bytes plausibly but differently, and the text is too short to
    tell them apart: refuse rather than guess (GBK and Big5 share most byte pairs)."""
    text, encoding = readings[0]
    others = [e for t, e in readings[1:] if e in CJK and t != text]
    if others and len(_CJK_CHAR.findall(text)) < MIN_CJK_EVIDENCE:
        raise MalformedFileError(
            source_file,
            1,
            None,
            f"the text reads as Chinese or Japanese in {', '.join([encoding, *others])} alike and is too "
            "short to tell which; give the encoding with --encoding (gbk, big5, shift_jis) or save as UTF-8",
            "undecodable_encoding",
        )


def _ranked(data: bytes) -> list[str]:
    """The legacy encodings, charset-normalizer's plausible guesses first, cp1252 first among Latin."""
    guesses = [
        match.encoding
        for match in charset_normalizer.from_bytes(data, cp_isolation=list(LEGACY), threshold=CHAOS_THRESHOLD)
    ]
    ranked = [g for g in guesses if g in LEGACY] + [e for e in LEGACY if e not in guesses]
    if ranked[0] in LATIN:  # among Latin readings cp1252 goes first; plausibility weeds it out if wrong
        ranked = ["cp1252", *[e for e in ranked if e != "cp1252"]]
    return ranked


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark: NUL in many high bytes (ASCII characters: commas, line
    ends, digits) and in almost no low bytes; the text must decode and hold no NUL."""
    if len(data) < 4 or len(data) % 2:
        return None
    for encoding, high, low in (("utf-16-le", data[1::2], data[0::2]), ("utf-16-be", data[0::2], data[1::2])):
        if high.count(0) >= 0.3 * len(high) and low.count(0) <= 0.05 * len(low):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return (text, encoding) if "\x00" not in text else None
    return None


def _strict(data: bytes, source_file: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise MalformedFileError(
            source_file,
            1,
            None,
            f"cannot decode byte {error.object[error.start]:#04x} at offset {error.start} as {encoding}",
            "undecodable_encoding",
        ) from error


def _declared(data: bytes, source_file: str, declared: str) -> tuple[str, str]:
    """Decode in the encoding the sender named; refuse bytes that are not that encoding."""
    try:
        name = codecs.lookup(declared).name
    except LookupError as error:
        raise MalformedFileError(
            source_file, 1, None, f"unknown encoding {declared!r}", "undecodable_encoding"
        ) from error
    if name.startswith("utf-8") and data.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"
    text = _strict(data, source_file, name)
    if name == vietnamese.ENCODING:
        text = vietnamese.normalised(text)
    if not plausible(text, "gb18030" if name in ("gbk", "gb2312", "big5hkscs") else name):
        raise MalformedFileError(
            source_file,
            1,
            None,
            f"the bytes do not read plausibly as {declared} (letters mixed with symbols or lone "
            "characters of another script); check the encoding the file was saved in",
            "undecodable_encoding",
        )
    return text, name
