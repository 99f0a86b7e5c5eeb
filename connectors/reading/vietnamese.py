"""Whether bytes are Vietnamese text saved as Windows-1258 (cp1258).

cp1258 writes most Vietnamese tone marks as *combining* characters after their vowel ("ệ" is "ê" and
the byte 0xF2, a combining dot below; "ố" is "ô" and 0xEC, a combining acute), and letters such as
ơ ư đ ă as bytes that cp1252 and cp1254 read as õ ý ð ã (cp1254: ğ ı). Read as cp1252, cp1250 or
cp1254, Vietnamese therefore comes out as accented letters in impossible places ("Việt", "Dương" as
"Vięňt", "Dýőng" in cp1250, "Phước" as "Phýõìc" in cp1252), which the Latin plausibility checks do
not always catch.

The rule is positive evidence instead: the bytes are read as cp1258, normalised to NFC (so each
vowel and its combining marks become the one character a UTF-8 file would hold), and the reading is
Vietnamese when its words with a letter outside ASCII are, nearly all, well-formed Vietnamese
syllables: an optional initial consonant (b, ch, đ, gh, ngh, qu, tr, ...), one to three vowels, an
optional final (c, ch, k, m, n, ng, nh, p, t), with ă only before a final consonant and no mark
left uncombined. Western and Turkish text read as cp1258 fails that at once: "Müller", "Peña" or
"İstanbul" (read "Ưstanbul") are no syllables, "São" (read "Săo") puts ă before a vowel, Turkish
"ğ"/"ş" (read "đ"/"₫") end words, and "Ş" reads as S with a loose tilde.
"""

from __future__ import annotations

import re
import unicodedata

ENCODING = "cp1258"
VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_SYLLABLE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[{VOWELS}]{{1,3}}(?:ng|nh|ch|[cmnptk])?"
)
_SHORT_A_OPEN = re.compile("[ăằắẳẵặ](?![cmnptk])")  # ă closes on a consonant: ăn, ăng, ắc, Đắk
_WORD = re.compile(r"[^\W\d_]+")
_LOOSE_MARK = re.compile(r"[\u0300-\u036f]")
MIN_SYLLABLE_SHARE = 0.9
"""Share of non-ASCII words that must be Vietnamese syllables: a few foreign or ethnic-minority
place names ("Krông Pắc") may not fit the pattern, a wrong encoding misses by far."""


def read_vietnamese(data: bytes) -> str | None:
    """The NFC text of `data` read as cp1258 when it reads as Vietnamese (module docstring), else None."""
    try:
        text = normalised(data.decode(ENCODING))
    except UnicodeDecodeError:
        return None
    return text if is_vietnamese(text) else None


def normalised(text: str) -> str:
    """cp1258 text in NFC: a vowel and its combining tone marks as one character, as UTF-8 holds them."""
    return unicodedata.normalize("NFC", text)


def is_vietnamese(text: str) -> bool:
    """True when `text` (NFC) holds words outside ASCII and at least `MIN_SYLLABLE_SHARE` of them,
    counting each uncombined mark as one more failing word, are Vietnamese syllables."""
    words = [word.lower() for word in _WORD.findall(text) if not word.isascii()]
    if not words:
        return False
    syllables = sum(1 for word in words if _SYLLABLE.fullmatch(word) and not _SHORT_A_OPEN.search(word))
    return syllables >= MIN_SYLLABLE_SHARE * (len(words) + len(_LOOSE_MARK.findall(text)))
