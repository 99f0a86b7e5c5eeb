"""Noise operations: how one facility's name, address and position vary between lists.

Each operation is a pure function of its inputs and a `random.Random` stream, and never changes
what the value identifies: a unit number stays the same unit, a legal form is swapped only for
another spelling of the same form, a postcode is dropped but never altered. Operations that do
not apply return the value unchanged.
"""

from __future__ import annotations

import math
import random
import re
from functools import cache

from anyascii import anyascii

from benchmarks.er.vocabulary import (
    ABBREVIATIONS,
    GERMAN_FOLDS,
    KEYBOARD_NEIGHBOURS,
    LEGAL_PREFIXES,
    LEGAL_SUFFIXES,
    PINYIN_TO_WADE,
    VIETNAMESE,
)

_POSTCODE = re.compile(
    r"\b(?:\d{5,6}|\d{2}-\d{3}|\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b(?=[\s,.)]|$)"
)
_SYLLABLE_SPLIT = re.compile(r"(?:(?<=[aeiou])|(?<=[aeiou]n)|(?<=[aeiou]ng))(?=[b-df-hj-np-tv-z][aeiou])")
_DIGITS = re.compile(r"\d+(?!\d|st\b|nd\b|rd\b|th\b)")
_WORD_START = re.compile(r"\b([a-z])")


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


@cache
def _legal_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int], dict[str, int]]:
    suffix_index = {form.casefold(): i for i, group in enumerate(LEGAL_SUFFIXES) for form in group}
    prefix_index = {form.casefold(): i for i, group in enumerate(LEGAL_PREFIXES) for form in group}
    suffix = re.compile(rf"(?:^|[\s,]+)({_alternation(list(suffix_index))})\s*$", re.IGNORECASE)
    prefix = re.compile(rf"^({_alternation(list(prefix_index))})\s+", re.IGNORECASE)
    return suffix, prefix, suffix_index, prefix_index


def split_legal_form(name: str) -> tuple[str, str, int, int]:
    """(core, legal form as written, group index, +1 suffix / -1 prefix / 0 none)."""
    suffix, prefix, suffix_index, prefix_index = _legal_patterns()
    found = suffix.search(name)
    if (
        found
        and len(found.group(1)) <= 3
        and not found.group(1).isupper()
        and found.group(1) not in suffix_index
    ):
        found = None  # "Visa Sa": a short word in lower case is part of the name, not "SA"
    if found and found.start() > 0:
        return name[: found.start()].rstrip(" ,-"), found.group(1), suffix_index[found.group(1).casefold()], 1
    found = prefix.match(name)
    if found and found.end() < len(name):
        return name[found.end() :], found.group(1), prefix_index[found.group(1).casefold()], -1
    return name, "", -1, 0


def render_legal_form(core: str, written: str, group: int, side: int, mode: str, rng: random.Random) -> str:
    """Write the legal form the list's way: keep, drop, short, long or another spelling."""
    if side == 0:
        return core
    spellings = (LEGAL_SUFFIXES if side > 0 else LEGAL_PREFIXES)[group]
    form = {
        "keep": written,
        "drop": "",
        "short": min(spellings, key=len),
        "long": max(spellings, key=len),
    }.get(mode) or (rng.choice(spellings) if mode == "other" else "")
    if not form:
        return core
    return f"{core} {form}" if side > 0 else f"{form} {core}"


def change_case(text: str, mode: str) -> str:
    """keep, upper, lower or title case."""
    if mode == "upper":
        return text.upper()
    if mode == "lower":
        return text.lower()
    if mode == "title":
        return _WORD_START.sub(lambda m: m.group(1).upper(), text.lower())
    return text


@cache
def _abbreviation_pattern(direction: str, dot: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    suffix = "." if dot else ""
    if direction == "abbreviate":
        table = {full.casefold(): short + suffix for full, short in ABBREVIATIONS}
        return re.compile(rf"\b(?:{_alternation([f for f, _ in ABBREVIATIONS])})\b", re.IGNORECASE), table
    table = {short.casefold(): full for full, short in ABBREVIATIONS}
    return re.compile(rf"\b(?:{_alternation([a for _, a in ABBREVIATIONS])})\b\.?", re.IGNORECASE), table


def abbreviate(text: str, direction: str, dot: bool) -> str:
    """Abbreviate ("Road" -> "Rd") or expand ("Rd" -> "Road") the words of ABBREVIATIONS."""
    if direction == "none" or not text:
        return text
    pattern, table = _abbreviation_pattern(direction, dot)
    return pattern.sub(lambda m: _same_case(m.group(0), table[m.group(0).rstrip(".").casefold()]), text)


def _same_case(found: str, replacement: str) -> str:
    if found.isupper() and len(found) > 1:
        return replacement.upper()
    if found[:1].islower():
        return replacement.lower()
    return replacement


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip on a letter: neighbour key, dropped, doubled or swapped letters."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])
    kind = rng.random()
    if kind < 0.35:
        near = KEYBOARD_NEIGHBOURS.get(text[i].lower())
        if not near:
            return text
        char = rng.choice(near)
        return text[:i] + (char.upper() if text[i].isupper() else char) + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def reorder(core: str, rng: random.Random) -> str:
    """Word order as lists differ: swap two neighbours, or move the leading words to the end."""
    words = core.split()
    if len(words) < 2:
        return core
    if rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    cut = rng.randrange(1, len(words))
    return " ".join(words[cut:] + words[:cut])


def drop_word(core: str, generic: frozenset[str], rng: random.Random) -> str:
    """Leave out one generic word ("Garments", "Power Station" words), keeping at least two words."""
    words = core.split()
    candidates = [i for i, w in enumerate(words) if w.casefold() in generic]
    if len(words) < 3 or not candidates:
        return core
    del words[rng.choice(candidates)]
    return " ".join(words)


def split_or_join(core: str, rng: random.Random) -> str:
    """Syllable spacing as romanisations differ: "Jinjiang" <-> "Jin Jiang", "Sonha" <-> "Son Ha"."""
    words = core.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if long_words and rng.random() < 0.6:
        i = rng.choice(long_words)
        cuts = [
            m.start() for m in _SYLLABLE_SPLIT.finditer(words[i].lower()) if 2 < m.start() < len(words[i]) - 2
        ]
        if cuts:
            cut = rng.choice(cuts)
            second = words[i][cut:]
            words[i] = words[i][:cut] + " " + (second.capitalize() if words[i][:1].isupper() else second)
            return " ".join(words)
    pairs = [i for i in range(len(words) - 1) if words[i].isalpha() and words[i + 1].isalpha()]
    if not pairs:
        return core
    i = rng.choice(pairs)
    joined = words[i] + (words[i + 1].lower() if not words[i].isupper() else words[i + 1])
    return " ".join(words[:i] + [joined] + words[i + 2 :])


def broken_spacing(text: str, rng: random.Random) -> str:
    """Spaces lost or scattered as text extracted from PDFs shows them in real lists: a word spelled
    out ("m e r c u r y") or spaces inside words ("appar e l se e th awaka")."""
    words = text.split()
    if rng.random() < 0.5:
        i = max(range(len(words)), key=lambda k: len(words[k]))
        words[i] = " ".join(words[i])
        return " ".join(words)
    rate = rng.uniform(0.2, 0.5)
    return " ".join("".join(c + (" " if rng.random() < rate else "") for c in w[:-1]) + w[-1:] for w in words)


def transliterate(text: str, mode: str) -> str:
    """keep, strip (ASCII fold) or german ("ü" -> "ue", then ASCII fold)."""
    if mode == "keep" or text.isascii():
        return text
    if mode == "german":
        text = "".join(GERMAN_FOLDS.get(c, c) for c in text)
    return anyascii(text)


def wade_giles(text: str) -> str:
    """An older romanisation of pinyin words: "Zhongshan Xinda" -> "Chungshan Hsinda"."""
    words = []
    for word in text.split():
        lowered = word.lower()
        for pinyin, older in PINYIN_TO_WADE:
            lowered = (
                lowered.replace(pinyin, older)
                if pinyin in ("ong", "ian")
                else _initial(lowered, pinyin, older)
            )
        words.append(
            lowered.upper() if word.isupper() else lowered.capitalize() if word[:1].isupper() else lowered
        )
    return " ".join(words)


def _initial(word: str, pinyin: str, older: str) -> str:
    return older + word[len(pinyin) :] if word.startswith(pinyin) else word


def vietnamese_diacritics(text: str) -> str:
    """Vietnamese words with their diacritics, as written in Viet Nam: "Viet Thanh" -> "Việt Thành"."""
    return " ".join(VIETNAMESE.get(w.capitalize(), w) if w.isalpha() else w for w in text.split())


def drop_postcode(address: str) -> str:
    """Remove postcodes (5-6 digits, PL, NL and UK styles) and tidy the separators left behind."""
    stripped = _POSTCODE.sub("", address)
    tidy = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", stripped))
    return re.sub(r",\s*(,\s*)+", ", ", tidy).strip(" ,")


def truncate(address: str, rng: random.Random) -> str:
    """Keep only the first components of a comma-separated address."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) < 2:
        return address
    return ", ".join(parts[: rng.randrange(1, len(parts))])


def last_component(address: str) -> str:
    """The last comma-separated component (usually the city or district)."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    return parts[-1] if parts else ""


def join_components(address: str, rng: random.Random) -> str:
    """A lost separator: "Norte, Edificio 11" -> "NorteEdificio 11"."""
    cuts = [m.start() for m in re.finditer(r",\s*", address)]
    if not cuts:
        return address
    cut = rng.choice(cuts)
    return address[:cut] + re.sub(r"^,\s*", "", address[cut:])


def renumber(text: str, rng: random.Random) -> str:
    """Every number replaced by another of the same length (a neighbouring plot or building)."""
    return _DIGITS.sub(lambda m: str(rng.randrange(10 ** (len(m.group(0)) - 1), 10 ** len(m.group(0)))), text)


def offset(lat: float, lng: float, metres: float, rng: random.Random) -> tuple[float, float]:
    """A point `metres` away from (lat, lng) in a random direction."""
    angle = rng.random() * 2 * math.pi
    dlat = metres * math.cos(angle) / 111_320
    dlng = metres * math.sin(angle) / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return max(-89.9, min(89.9, lat + dlat)), (lng + dlng + 180) % 360 - 180
