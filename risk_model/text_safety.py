"""Invisible and confusable characters: strip them before names are compared, show them when printed.

A name can hide from screening behind characters a reader never sees or cannot tell apart:
zero-width spaces and joiners, bidirectional controls, a soft hyphen or byte-order mark, full-width
letters (ＡＢＣ), or Cyrillic and Greek letters that look Latin ("Hоshine" with a Cyrillic о).

- `comparable(text)` is what screening compares: Unicode NFKC (full-width -> ASCII forms), every
  invisible or bidi control removed, and confusable letters read as the Latin letter they imitate.
  entity_resolution's normalisation then runs on the result.
- `visible(text)` is what terminals and HTML show: every invisible or bidi control as ⟨U+200B⟩, and a
  confusable letter inside a Latin word as ⟨о U+043E⟩, so a reader sees what the data holds.
- `suspicious(text)` tells whether a text holds any such character (screening never confirms such a
  name automatically).
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufeff\uffa0"
)
"""Zero-width spaces and joiners, bidi marks, embeddings, overrides and isolates, invisible operators,
soft hyphen, byte-order mark and the Hangul fillers that render as nothing."""
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
CONFUSABLES = {
    # Cyrillic letters that look Latin
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    # Greek letters that look Latin
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_CONFUSABLE_RE = re.compile("[" + "".join(CONFUSABLES) + "]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def comparable(text: str | None) -> str:
    """`text` ready for comparison: NFKC, invisible and bidi controls removed, confusables as Latin."""
    if not text:
        return ""
    folded = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))
    return _CONFUSABLE_RE.sub(lambda match: CONFUSABLES[match.group(0)], folded)


def suspicious(text: str | None) -> bool:
    """True when `text` holds an invisible or bidi control, a full-width letter or a confusable letter
    inside a word that is otherwise Latin."""
    if not text:
        return False
    return visible(text) != text or any(0xFF01 <= ord(char) <= 0xFF5E for char in text if char.isalnum())


def _mark_confusables(word: str) -> str:
    if not any("a" <= char.lower() <= "z" for char in word):
        return word  # a word wholly in Cyrillic or Greek is that script, not a disguise
    return _CONFUSABLE_RE.sub(lambda match: f"⟨{match.group(0)} U+{ord(match.group(0)):04X}⟩", word)


def visible(text: str | None) -> str:
    """`text` with every invisible or bidi control spelled ⟨U+XXXX⟩ and confusable letters inside
    Latin words marked ⟨о U+043E⟩; ordinary text (Chinese included) is unchanged."""
    if not text:
        return text or ""
    shown = _INVISIBLE_RE.sub(lambda match: f"⟨U+{ord(match.group(0)):04X}⟩", text)
    return _LATIN_WORD.sub(lambda match: _mark_confusables(match.group(0)), shown)
