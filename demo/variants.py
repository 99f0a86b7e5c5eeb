"""Realistic spelling variation: how the same facility is written by different contributors.

Each function takes a value and a random stream and returns a varied value (or the value itself
when the variation does not apply). None of them changes a unit or building number, so a varied
mention stays matchable to its facility.
"""

from __future__ import annotations

import random
import re
import unicodedata

from anyascii import anyascii

from demo.facilities import country_alpha3, country_name

LEGAL_FORMS = {
    "pvt_ltd": ["Pvt. Ltd.", "Private Limited", "Pvt Ltd"],
    "co_ltd": ["Co., Ltd.", "Co.,Ltd", "Co Ltd", "Company Limited", "Co. Ltd", "Co., Limited"],
    "ltd": ["Ltd", "Ltd.", "Limited"],
}
LEGAL_PATTERNS = [
    ("pvt_ltd", re.compile(r"(pvt\.?\s*ltd\.?|private\s+limited)$", re.IGNORECASE)),
    ("co_ltd", re.compile(r"(co\.?\s*,?\s*ltd\.?|company\s+limited|co\.?,?\s*limited)$", re.IGNORECASE)),
    ("ltd", re.compile(r"(ltd\.?|limited)$", re.IGNORECASE)),
]
ADDRESS_ABBREVIATIONS = [
    ("Road", "Rd"),
    ("Street", "St."),
    ("Avenue", "Ave"),
    ("Industrial", "Ind."),
    ("District", "Dist."),
    ("Building", "Bldg"),
    ("Province", "Prov."),
    ("Development", "Dev."),
    ("Economic", "Econ."),
    ("Village", "Vill."),
]
ADDRESS_EXPANSIONS = [("Rd", "Road"), ("Ind.", "Industrial"), ("Dist.", "District"), ("Bldg", "Building")]
NAME_ABBREVIATIONS = [
    ("Industrial", "Ind."),
    ("Manufacturing", "Mfg."),
    ("International", "Intl"),
    ("Garments", "Gmts"),
    ("Mfg.", "Manufacturing"),
]
VIETNAMESE = {
    "Viet": "Việt",
    "Thanh": "Thành",
    "Hung": "Hưng",
    "Phu": "Phú",
    "Duc": "Đức",
    "Tien": "Tiến",
    "Dong": "Đông",
    "Hoa": "Hòa",
    "Binh": "Bình",
    "Tan": "Tân",
    "Phuoc": "Phước",
    "Thai": "Thái",
    "Dai": "Đại",
    "Hai": "Hải",
    "Song": "Sông",
    "Nghe": "Nghệ",
    "Quang": "Quảng",
    "Trung": "Trung",
    "Loc": "Lộc",
    "Nam": "Nam",
}
EXTRA_COUNTRY_SPELLINGS = {
    "CN": ["China", "CN", "CHINA", "CHN", "People's Republic of China"],
    "VN": ["Viet Nam", "Vietnam", "VN", "VIETNAM", "VNM"],
    "TR": ["Turkey", "Türkiye", "TR"],
    "GB": ["UK", "United Kingdom", "GB"],
    "US": ["USA", "United States", "US"],
}


def _keep_case(found: str, replacement: str) -> str:
    return replacement.upper() if found.isupper() and len(found) > 1 else replacement


def _replace_words(text: str, pairs: list[tuple[str, str]], rng: random.Random, limit: int) -> str:
    """Replace up to `limit` of the (word, replacement) pairs that occur in text."""
    present = [
        (old, new)
        for old, new in pairs
        if re.search(rf"(?<![A-Za-z]){re.escape(old)}(?![A-Za-z])", text, re.IGNORECASE)
    ]
    for old, new in rng.sample(present, min(limit, len(present))):
        pattern = rf"(?<![A-Za-z]){re.escape(old)}(?![A-Za-z])"
        text = re.sub(pattern, lambda m, new=new: _keep_case(m.group(0), new), text, flags=re.IGNORECASE)
    return text


def legal_form(name: str, rng: random.Random) -> str:
    """Swap the legal-form suffix for another spelling of the same form."""
    stripped = name.rstrip()
    for group, pattern in LEGAL_PATTERNS:
        match = pattern.search(stripped)
        if match:
            found = match.group(0)
            options = [form for form in LEGAL_FORMS[group] if form.lower() != found.lower()]
            return stripped[: match.start()] + _keep_case(found, rng.choice(options))
    return name


def typo(name: str, rng: random.Random) -> str:
    """Swap two adjacent letters or drop one letter inside a word of six letters or more."""
    words = [(m.start(), m.group(0)) for m in re.finditer(r"[A-Za-z]{6,}", name)]
    if not words:
        return name
    start, word = rng.choice(words)
    position = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5 and word[position] != word[position + 1]:
        changed = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    else:
        changed = word[:position] + word[position + 1 :]
    return name[:start] + changed + name[start + len(word) :]


def change_case(text: str, rng: random.Random) -> str:
    """Upper-case a mixed-case value; title-case an upper-case one."""
    if text.isupper():
        return text.title() if rng.random() < 0.6 else text.lower()
    return text.upper()


def transliterate(name: str, rng: random.Random) -> str:
    """Drop diacritics from a name that has them, or add Vietnamese ones to a name without."""
    if any(ord(char) > 127 for char in name):
        decomposed = unicodedata.normalize("NFKD", name)
        stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
        return anyascii(stripped) if rng.random() < 0.5 else stripped.replace("Đ", "D")
    return _replace_words(name, list(VIETNAMESE.items()), rng, limit=3)


def abbreviate_name(name: str, rng: random.Random) -> str:
    """Abbreviate or expand a common word of a facility name."""
    return _replace_words(name, NAME_ABBREVIATIONS, rng, limit=1)


def vary_name(name: str, rng: random.Random, weights: dict[str, float], country: str) -> str:
    """Apply one or two weighted name variations (transliteration only for Vietnam)."""
    functions = {
        "legal": legal_form,
        "typo": typo,
        "case": change_case,
        "abbrev": abbreviate_name,
        "translit": transliterate,
    }
    choices = [k for k in weights if k != "translit" or country == "VN" or not name.isascii()]
    count = 1 if rng.random() < 0.75 else 2
    varied = name
    for kind in rng.choices(choices, [weights[k] for k in choices], k=count):
        varied = functions[kind](varied, rng)
    return varied


def vary_address(address: str, rng: random.Random, abbreviate: float, case: float) -> str:
    """Abbreviate or expand street words, sometimes change case or drop the last component."""
    varied = address
    if rng.random() < abbreviate:
        pairs = ADDRESS_EXPANSIONS if rng.random() < 0.3 else ADDRESS_ABBREVIATIONS
        varied = _replace_words(varied, pairs, rng, limit=rng.randint(1, 3))
    if rng.random() < 0.12 and varied.count(",") >= 3:
        varied = varied.rsplit(",", 1)[0]
    if rng.random() < case:
        varied = change_case(varied, rng)
    return varied


def country_spelling(code: str, rng: random.Random, style: str) -> str:
    """Return one way a contributor writes a country: style is name, code or mixed."""
    name = country_name(code)
    if style == "name":
        options = [name, name, name] + EXTRA_COUNTRY_SPELLINGS.get(code, [])[:2]
    elif style == "code":
        options = [code, code, code, country_alpha3(code)]
    else:
        options = [name.upper(), name, code] + EXTRA_COUNTRY_SPELLINGS.get(code, [])
    return rng.choice(options)


def jitter(value: float | None, rng: random.Random, spread: float = 0.004) -> float | None:
    """Move a coordinate by up to `spread` degrees (about 450 m at 0.004)."""
    if value is None:
        return None
    return value + rng.uniform(-spread, spread)


def to_cp1252(text: str) -> str:
    """Degrade characters that cp1252 cannot encode to their ASCII transliteration."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            out.append(anyascii(char) or "?")
    return "".join(out)
