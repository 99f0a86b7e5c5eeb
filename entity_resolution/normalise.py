"""Name and address normalisation: one documented pipeline with a fixed step order.

Steps, in order (the same for the scalar functions and the Polars expressions):
0. repair mojibake (`repaired`: "YÃ¼cel" -> "Yücel", UTF-8 once read as cp1252), then romanise
   Chinese characters the way Latin-script lists spell them (`native_scripts`:
   "和田泰达服装有限公司" -> "hetian taida apparel"; in Cantonese for Hong Kong and Macau records and
   Wade-Giles for Taiwan ones when `name_columns` / `address_column` are given the countries);
1. transliterate Unicode to ASCII (anyascii: "Công ty" -> "Cong ty", "Şti" -> "Sti");
2. lower-case; "&" becomes " and ";
3. punctuation becomes spaces, whitespace collapses;
   and letter-spaced words are rejoined ("S A I G O N" -> "saigon"); ordinals become numbers
   ("1st", "first" -> "number 1", `reference/ordinal_words.csv`, as "No. 1" and 第一 read);
4. expand common abbreviations (`reference/abbreviations.csv`: rd -> road, ind -> industrial) and read
   other Latin spellings of Chinese places as their pinyin (Hotan -> hetian, Kashgar -> kashi); in
   addresses, pinyin address words as English (`reference/address_words.csv`: lu -> road, zhen -> town);
4b. a unit number written one way or another ("Unit IV", "Branch No. 3") as "unit 4", "branch 3";
5. names only: read trade words in any language as one English word (`reference/industry_words.csv`:
   garment, may mac, fuzhuang -> apparel; a trade word or legal form mistyped by one letter as the one
   it misspells, `misspellings`; a word of a legal form of two or more words mistyped by one letter
   beside the form's other words, "conu ty tnhh", "co ltdd", as the word it misspells), then remove
   legal forms (`reference/legal_forms.csv`,
   longest phrase first, anywhere in the name, e.g. "co ltd", "pvt ltd", "cong ty tnhh"), then a
   first unit ("Unit 1", "Plant No. 1") left out unless nothing else is left: lists name a first
   site with and without it (the unit guard still reads it);
6. names only: a whole name that is a known name of a firm on a public forced-labour list
   (`known_names`: "昌吉溢达纺织有限公司", "Changji Esquel Textile") becomes that firm's canonical name.
A Latin-script name of a Chinese-speaking country (given through `name_columns`) has its words printed
run together written apart first ("XinyiSolarHoldingsLimited", `native_scripts.english_words_apart`), and
then its pinyin syllables written apart joined ("hong jing" -> "hongjing", `native_scripts.join_syllables`).
Unit, plant and building numbers are extracted separately as a guard: "Jeans Knit Unit 3" and
"Jeans Knit Unit 4" normalise to the same name but carry different units, and never auto-merge.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
from anyascii import anyascii

from connectors.parsing import repaired
from entity_resolution.known_names import canonical_names, read_known_names
from entity_resolution.misspellings import OneEditCorrector, PhraseWordCorrector
from entity_resolution.native_scripts import (
    CHINESE_SPEAKING,
    HAN,
    MANDARIN,
    chinese_place_pinyin,
    dialect_expr,
    english_words_apart,
    has_han,
    is_pinyin,
    join_syllables,
    latin_place_variants,
    romanise_chinese,
)
from entity_resolution.parallel_map import map_values

LATIN_CHINESE = "latin-chinese"
"""The reading of a Latin-script name of a Chinese-speaking country: its words printed run together
written apart (`native_scripts.english_words_apart`), read as any name, then its pinyin syllables written
apart joined (`native_scripts.join_syllables`)."""
REFERENCE = Path(__file__).parent / "reference"
_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_SPACED_LETTERS = re.compile(r"\b(?:[a-z] ){2,}[a-z]\b ?")
_PARENTHESISED = re.compile(r"[(（【][^)）】]*[)）】]")
"""A parenthesised part, in ASCII or full-width brackets (（绍兴）, 【香港】), as Chinese names write them."""
_UNIT_WORDS = ("unit", "plant", "factory", "building", "bldg", "block", "blk", "phase", "branch")
"""Every match of `_UNIT` contains one of these: a text without any has no unit number."""
_UNIT = re.compile(
    r"\b(unit|plant|factory|building|bldg|block|blk|phase|branch)\s*(?:no\s*)?([0-9]+|[ivx]+)\b"
    r"|\B(unit|plant|factory)(?:no)?([0-9]+)\b"
)


_WORDS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


@cache
def _plain_replacements() -> bool:
    """Whether every word the steps before a phrase substitution put into a name (abbreviation
    expansions, place pinyin, English trade words) is made of lower-case letters, digits and single
    spaces, as `PhraseSubstitution`'s shortcut needs."""
    values = [
        *_abbreviations().values(),
        *latin_place_variants().values(),
        *(row["canonical"] for row in _read_reference("industry_words.csv")),
    ]
    return all(_WORDS.fullmatch(value) for value in values)


class PhraseSubstitution:
    """`pattern.sub(replace, text)` for a `phrase_pattern`, skipped outright when no word of the text
    is a phrase's first word. Exact for texts of lower-case letters, digits and spaces (what steps
    0-3 produce, and what every replacement in the reference lists is made of): there, a phrase can
    only match where a whole word equals its first word. Phrases of other characters turn the
    shortcut off."""

    def __init__(self, phrases, replace) -> None:
        phrases = sorted(set(phrases))
        self.pattern = phrase_pattern(phrases)
        self.replace = replace
        plain = _plain_replacements() and all(_WORDS.fullmatch(phrase) for phrase in phrases)
        self.first_words = frozenset(phrase.split(" ")[0] for phrase in phrases) if plain else None

    def __call__(self, text: str) -> str:
        if self.first_words is not None and self.first_words.isdisjoint(text.split()):
            return text
        return self.pattern.sub(self.replace, text)


def phrase_pattern(phrases, suffix: str = r"\b") -> re.Pattern[str]:
    """`\b(?:p1|p2|...)` + `suffix` for many literal phrases, compiled as a trie (one character
    test per level instead of one test per phrase at every position of the text). It matches what
    the plain alternation sorted longest first matches: at each position the longest phrase that is
    followed by `suffix` (greedy optional branches try the longer phrase first, then backtrack)."""
    return re.compile(r"\b" + _trie_regex(sorted(set(phrases))) + suffix)


def _trie_regex(phrases: list[str]) -> str:
    """A regex matching exactly `phrases` (non-empty, sorted), longest alternative first."""
    ends_here = "" in phrases
    branches: dict[str, list[str]] = {}
    for phrase in phrases:
        if phrase:
            branches.setdefault(phrase[0], []).append(phrase[1:])
    parts = [re.escape(first) + _trie_regex(rests) for first, rests in sorted(branches.items())]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if ends_here else body


def _read_reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def _abbreviations() -> dict[str, str]:
    return {row["abbreviation"]: row["expansion"] for row in _read_reference("abbreviations.csv")}


@cache
def _without_legal_forms() -> PhraseSubstitution:
    """Legal forms replaced by a space."""
    return PhraseSubstitution((row["phrase"] for row in _read_reference("legal_forms.csv")), " ")


def _basic(text: str | None, where: str = "name", dialect: str = MANDARIN) -> str:
    """Steps 0-3: Chinese romanised (in `dialect`, `native_scripts.DIALECTS`), ASCII, lower-case,
    punctuation to single spaces, letter-spaced words rejoined ("S A I G O N" -> "saigon"). `where` is
    "name" or "address"."""
    if not text:
        return ""
    romanised = text if text.isascii() else romanise_chinese(repaired(text), where, dialect)  # ASCII: no Han
    ascii_text = anyascii(romanised).lower().replace("&", " and ")
    spaced = _PUNCTUATION.sub(" ", ascii_text).strip()
    rejoined = _SPACED_LETTERS.sub(lambda match: match.group(0).replace(" ", "") + " ", spaced).strip()
    return _ordinals_as_numbers(rejoined)


@cache
def _ordinal_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    words = {row["word"]: row["number"] for row in _read_reference("ordinal_words.csv")}
    return re.compile(r"\b(?:([0-9]+)(?:st|nd|rd|th)|(" + "|".join(sorted(words)) + r"))\b"), words


def _ordinals_as_numbers(text: str) -> str:
    """Step 3b: ordinals as the number Latin lists also write ("1st" and "first" -> "number 1", as
    "No. 1" becomes and Chinese 第一 is read), so that the number is compared on both sides."""
    pattern, words = _ordinal_pattern()
    return pattern.sub(lambda match: "number " + (match.group(1) or words[match.group(2)]), text)


@cache
def _place_variants() -> PhraseSubstitution:
    places = latin_place_variants()
    return PhraseSubstitution(places, lambda match: places[match.group(0)])


@cache
def _abbreviated_phrases() -> PhraseSubstitution:
    """Abbreviations written as several words ("ha noi" -> "hanoi")."""
    phrases = {key: value for key, value in _abbreviations().items() if " " in key}
    return PhraseSubstitution(phrases, lambda match: phrases[match.group(0)])


def _expand(text: str) -> str:
    """Step 4: expand abbreviations token by token and the few written as phrases ("ha noi" ->
    "hanoi"), then read Latin spellings of Chinese places as their pinyin."""
    abbreviations = _abbreviations()
    expanded = " ".join(abbreviations.get(token, token) for token in text.split())
    return _place_variants()(_abbreviated_phrases()(expanded))


@cache
def _industry_words() -> tuple[PhraseSubstitution, dict[str, str]]:
    words = {row["variant"]: row["canonical"] for row in _read_reference("industry_words.csv")}
    return PhraseSubstitution(words, lambda match: words[match.group(0)]), words


@cache
def legal_form_words() -> frozenset[str]:
    """Every word of two or more letters of the legal forms removed from names ("co", "ltd", "tnhh")."""
    return frozenset(
        word for row in _read_reference("legal_forms.csv") for word in row["phrase"].split() if len(word) >= 2
    )


def names_no_firm(names: pl.Series) -> np.ndarray:
    """Per normalised name, whether it names no firm: empty, or nothing but legal-form words ("Co.,
    Ltd.", "有限公司", "Company Limited"). Two such records share nothing that tells them apart from
    every other firm, so their names are no evidence that they are one facility."""
    words = names.fill_null("").str.split(" ")
    return (
        words.list.eval(pl.element().is_in(list(legal_form_words())) | (pl.element() == ""))
        .list.all()
        .to_numpy()
    )


@cache
def trade_words() -> frozenset[str]:
    """Every word of the English trade words names are compared by (apparel, textile, knitting, ...)."""
    return frozenset(word for canonical in _industry_words()[1].values() for word in canonical.split())


def _canonical_trades(text: str) -> str:
    """Step 5a: trade words in any language as their one English word (a trade word or legal form
    mistyped by one letter read as the word it misspells, `_spelt_right`)."""
    return _industry_words()[0](" ".join(_unglued(_spelt_right(word)) for word in text.split()))


GLUED_PART = 3
"""Either part of a glued word is at least this long ("companyltd" -> "company ltd")."""
GLUED_TAILS = frozenset(
    (
        "garment", "garments", "apparel", "apparels", "textile", "textiles", "fashion", "fashions",
        "knitting", "knitwear", "factory", "industry", "industries", "limited", "company",
    )
)  # fmt: skip
"""The English words lists end a name with that end a glued word whatever its first part
("huhaigarment"); other known words only after a known word (so "woodstock" keeps its "stock")."""


@cache
def _glue_words() -> frozenset[str]:
    """The words a glued word is split into: one-word trade words (variants and English words), legal
    forms, and the words lists write after a name ("factory", "group", "mills")."""
    trades = _industry_words()[1]
    words = {word for word in [*trades, *trades.values()] if " " not in word}
    words |= {row["phrase"] for row in _read_reference("legal_forms.csv") if " " not in row["phrase"]}
    words |= {"factory", "group", "mill", "mills", "international"}
    return frozenset(word for word in words if len(word) >= GLUED_PART)


@cache
def _unglued(word: str) -> str:
    """Step 5a: a word that is two words written together, as PDF extraction and some lists print
    them, written apart: a known word after a known word ("companyltd", "garmentfactory"), "co" after
    a known word ("GarmentCo., Ltd." -> "garment co"), or one of `GLUED_TAILS` after any first part
    ("huhaigarment" -> "huhai garment").
    Known words, abbreviations and short words are left as written. (Whole English names printed run
    together in CamelCase, "XinyiSolarHoldingsLimited", are written apart earlier, before lower-casing:
    `native_scripts.english_words_apart`.)"""
    known = _glue_words()
    if len(word) < 2 * GLUED_PART or word in known or word in _abbreviations() or not word.isalpha():
        return word
    if word.endswith("co") and word[:-2] in known:  # "garmentco", "textileco": the one short tail
        return f"{word[:-2]} co"
    for split in range(GLUED_PART, len(word) - GLUED_PART + 1):
        head, tail = word[:split], word[split:]
        if tail in GLUED_TAILS or (tail in known and head in known):
            return f"{head} {tail}"
    return word


MISSPELT_FROM = 7
"""Words this long or longer are read as the trade word or legal form they misspell by one letter."""


@cache
def _misspellings() -> OneEditCorrector:
    """The one-word trade words (variants and English words, 5+ letters) and legal forms (6+ letters),
    ready to read a word mistyped by one letter as the one it misspells."""
    trades = _industry_words()[1]
    words = {word for word in [*trades, *trades.values()] if " " not in word and len(word) >= 5}
    words |= {
        row["phrase"]
        for row in _read_reference("legal_forms.csv")
        if " " not in row["phrase"] and len(row["phrase"]) >= 6
    }
    return OneEditCorrector(words, MISSPELT_FROM, meaning=trades)


@cache
def _spelt_right(word: str) -> str:
    """`word`, or the trade word or legal form it misspells by one letter ("clothidg" -> "clothing",
    "limitted" -> "limited"; "holding" stays beside the legal form "holdings"): `misspellings`."""
    if len(word) < MISSPELT_FROM and is_pinyin(word):
        return word  # "hengyi" is a name, not "chengyi" (成衣) mistyped
    return _misspellings().corrected(word)


_NUMBERED_UNIT = re.compile(
    r"\b(unit|plant|factory|building|block|phase|branch)(?: number)? ([ivx]+|[0-9]+)\b"
)


def _numbered_units(text: str) -> str:
    """Step 4b: a unit number written one way ("unit iv", "branch number 3", "plant no 2") as
    "unit 4", "branch 3", "plant 2", as the unit guard reads it, so the names compare alike too."""
    if not _has_unit_word(text):
        return text
    return _NUMBERED_UNIT.sub(lambda match: f"{match.group(1)} {arabic(match.group(2))}", text)


_FIRST_UNIT = re.compile(r"\b(?:unit|plant|factory|building|block|phase|branch) 1\b")


def _without_first_unit(text: str) -> str:
    """Step 5c: a first unit ("unit 1", "plant 1", after step 4b) left out of the name, unless nothing
    else is left: lists name a firm's first or only site with and without "Unit 1", while a second
    unit is always numbered. The unit guard still reads it (`unit_numbers`), so "X Unit 1" and
    "X Unit 2" stay apart."""
    if " 1" not in text:
        return text
    return " ".join(_FIRST_UNIT.sub(" ", text).split()) or text


@cache
def _legal_words_spelt_right() -> PhraseWordCorrector:
    """Step 5b: a word of a legal form of two or more words mistyped by one letter beside the form's
    other words ("conu ty tnhh", "co ltdd"), read as the word it misspells, so the form is removed
    whole instead of leaving a stray word that no other spelling of the name shares."""
    phrases = (row["phrase"] for row in _read_reference("legal_forms.csv"))
    return PhraseWordCorrector(phrases, keep=trade_words())


def _name_from_basic(basic: str) -> str:
    """Steps 4-5 of a name, from its steps 0-3 (`_basic`)."""
    expanded = _legal_words_spelt_right()(_canonical_trades(_numbered_units(_expand(basic))))
    stripped = " ".join(_without_legal_forms()(expanded).split())
    return _without_first_unit(stripped) if stripped else expanded


@cache
def _plain_name(name: str | None) -> str:
    """Steps 0-5 of a name, without the known-names step."""
    return _name_from_basic(_basic(name))


_KNOWN_NAMES: dict = {"enabled": True, "given": None}


@cache
def _known_name_table() -> dict[str, str]:
    if not _KNOWN_NAMES["enabled"]:
        return {}
    return _KNOWN_NAMES["given"] or canonical_names(read_known_names(), _plain_name)


def _known(plain: str) -> str:
    """Step 6: a plain normalised name read as its firm's canonical name when it is a known name."""
    return _known_name_table().get(plain, plain)


def normalise_name_plain(name: str | None) -> str:
    """`normalise_name` without the known-names step (what romanisation and translation alone give)."""
    return _plain_name(name)


def known_name_keys() -> frozenset[str]:
    """Every normalised known name (empty while the step is switched off)."""
    return frozenset(_known_name_table())


def use_known_names(enabled: bool) -> None:
    """Switch step 6 on (the default) or off, e.g. to measure what romanisation alone links."""
    _KNOWN_NAMES["enabled"] = enabled
    for cached in (_known_name_table, normalise_name, core_name):
        cached.cache_clear()


def known_name_table() -> dict[str, str]:
    """Step 6's table: normalised known name -> its firm's canonical normalised name (built on first
    use; empty while the step is switched off)."""
    return dict(_known_name_table())


def use_known_name_table(table: dict[str, str]) -> None:
    """Let step 6 use `table`, a `known_name_table()` built earlier by this same code from these same
    reference files (the caller keys a saved table by both, e.g. `assets.known_names_cache`), instead
    of building it: that romanises every Chinese known name, which loads pypinyin's dictionaries."""
    _KNOWN_NAMES["given"] = dict(table)
    for cached in (_known_name_table, normalise_name, core_name):
        cached.cache_clear()


@cache
def normalise_name(name: str | None) -> str:
    """Normalised facility name for comparison (legal forms removed; a known name of a listed firm
    read as the firm's canonical name); "" for a missing name."""
    return _known(_plain_name(name))


@cache
def _place_words() -> frozenset[str]:
    return frozenset(chinese_place_pinyin())


@cache
def core_name(name: str | None) -> str:
    """The normalised name without parenthesised parts ("Soutinho (Lusenrg/Electrabel)" -> "soutinho"),
    which often carry an owner or a place rather than the facility's name, and without the Chinese
    place names that lists add, drop or move ("Yantai Jinxiang Sporting Goods", "Jinxiang Sporting
    Goods (Yantai)" -> "jinxiang sporting goods"), unless only trade words would be left."""
    core = normalise_name(_PARENTHESISED.sub(" ", name or "")) or normalise_name(name)
    return _without_places(core)


def _without_places(core: str) -> str:
    """The core name without Chinese place names, unless only trade words would be left."""
    places, trades = _place_words(), trade_words()
    kept = [token for token in core.split() if token not in places]
    return " ".join(kept) if any(token not in trades for token in kept) else core


@cache
def _trailing_legal_form() -> re.Pattern[str]:
    phrases = {row["phrase"].replace(" ", "") for row in _read_reference("legal_forms.csv")}
    return re.compile("(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")+$")


def despaced(name: str) -> str:
    """A normalised name with its spaces removed and a trailing legal form (spaces removed too) dropped:
    what is compared when spacing is broken ("qua nmada la appa rel pv t lt d" -> "quanmadalaapparel")."""
    compact = name.replace(" ", "")
    return _trailing_legal_form().sub("", compact) or compact


def core_name_expr(column: str | pl.Expr) -> pl.Expr:
    """Polars expression applying `core_name`."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.map_batches(lambda s: _map_unique(s, core_name), return_dtype=pl.String)


@cache
def _address_words() -> dict[str, str]:
    return {row["word"]: row["english"] for row in _read_reference("address_words.csv")}


@cache
def normalise_address(address: str | None) -> str:
    """Normalised address for comparison (abbreviations expanded, pinyin address words in English:
    `reference/address_words.csv`, legal forms kept)."""
    return _address_text(address)


def normalise_address_in(address: str | None, dialect: str) -> str:
    """`normalise_address` with Chinese romanised in `dialect` (`native_scripts.DIALECTS`), uncached."""
    return _address_text(address, dialect)


def _address_text(address: str | None, dialect: str = MANDARIN) -> str:
    """`normalise_address` without its cache (Chinese romanised in `dialect`)."""
    words = _address_words()
    return " ".join(words.get(token, token) for token in _expand(_basic(address, "address", dialect)).split())


_ROMAN = re.compile(r"(x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_ONES = {"": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}


def arabic(numeral: str) -> str:
    """A roman numeral up to xxxix as an arabic number ("iv" -> "4"); anything else unchanged."""
    match = _ROMAN.fullmatch(numeral)
    if not numeral or match is None:
        return numeral
    return str(10 * len(match.group(1)) + _ROMAN_ONES[match.group(2)])


def unit_numbers(name: str | None) -> str:
    """The unit/plant/building numbers named in `name`, roman numerals as arabic, sorted and joined
    ("Unit II" -> "unit 2"), or ""."""
    return _units_from_basic(_basic(name))


def _has_unit_word(text: str) -> bool:
    return any(word in text for word in _UNIT_WORDS)


def _units_from_basic(basic: str) -> str:
    if not _has_unit_word(basic):
        return ""
    found = sorted(
        {
            f"{kind or glued} {arabic(number or glued_number)}"
            for kind, number, glued, glued_number in _UNIT.findall(basic)
        }
    )
    return "|".join(found)


_NUMBER = re.compile(r"\b[0-9]+\b")


_ROMAN_WORDS = frozenset(("ii", "iii", "iv", "vi", "vii", "viii", "ix"))
"""Roman numerals read as numbers anywhere in a name; "i", "v" and "x" only as its last word ("Djerdap
I"), and "xi" never (a common pinyin syllable)."""
_ROMAN_LIKE = _ROMAN_WORDS | {"i", "v", "x"}


def name_numbers(name: str | None) -> str:
    """Numbers in a name that are not unit numbers, roman numerals as arabic ("Delta Power 2" -> "2",
    "Decew Falls II" -> "2"), sorted and joined, or "". Read after legal forms are removed, so that
    "S.A. de C.V." is not taken for a 5."""
    return _numbers_from_basic(_basic(name))


def _numbers_from_basic(basic: str) -> str:
    without_units = _UNIT.sub(" ", basic) if _has_unit_word(basic) else basic
    found = set(_NUMBER.findall(without_units))
    legal_forms = _without_legal_forms()
    if legal_forms.first_words is not None and _ROMAN_LIKE.isdisjoint(without_units.split()):
        # removing legal forms only deletes whole words: no roman numeral could be read after it
        return "|".join(sorted(found))
    words = legal_forms(without_units).split()
    found |= {arabic(word) for word in words if word in _ROMAN_WORDS}
    if len(words) > 1 and words[-1] in {"i", "v", "x"} and len(words[-2]) > 2:
        found.add(arabic(words[-1]))
    return "|".join(sorted(found))


def name_numbers_expr(column: str | pl.Expr) -> pl.Expr:
    """Polars expression applying `name_numbers`."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.map_batches(lambda s: _map_unique(s, name_numbers), return_dtype=pl.String)


def normalise_name_expr(column: str | pl.Expr) -> pl.Expr:
    """Polars expression applying `normalise_name` (computed once per distinct value)."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.map_batches(lambda s: _map_unique(s, normalise_name), return_dtype=pl.String)


def normalise_address_expr(column: str | pl.Expr) -> pl.Expr:
    """Polars expression applying `normalise_address` (computed once per distinct value)."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.map_batches(lambda s: _map_unique(s, normalise_address), return_dtype=pl.String)


def unit_numbers_expr(column: str | pl.Expr) -> pl.Expr:
    """Polars expression applying `unit_numbers`."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.map_batches(lambda s: _map_unique(s, unit_numbers), return_dtype=pl.String)


def _apply_each(function, values: list) -> list:
    return [function(value) for value in values]


NAME_COLUMNS = ("name_norm", "core_norm", "units", "numbers")


def name_fields(name: str | None, dialect: str = MANDARIN) -> tuple[str, str, str, str]:
    """`normalise_name`, `core_name`, `unit_numbers` and `name_numbers` of one name, with the steps
    they share (romanising, transliterating, punctuation) done once, and no cache kept. A Chinese name
    is romanised in `dialect` (`native_scripts.DIALECTS`), unless read in pinyin it is a known name of
    a listed firm: that firm's one canonical name then wins in every dialect."""
    if dialect == LATIN_CHINESE:
        return _with_syllables_joined(name_fields(english_words_apart(name)))
    if dialect != MANDARIN and (not has_han(name) or _plain_name(name) in _known_name_table()):
        dialect = MANDARIN
    basic = _basic(name, dialect=dialect)
    normalised = _known(_name_from_basic(basic))
    text = name or ""
    without_parentheses = _PARENTHESISED.sub(" ", text)
    if without_parentheses != text:
        core = _known(_name_from_basic(_basic(without_parentheses, dialect=dialect))) or normalised
    else:
        core = normalised
    return normalised, _without_places(core), _units_from_basic(basic), _numbers_from_basic(basic)


def _with_syllables_joined(fields: tuple[str, str, str, str]) -> tuple[str, str, str, str]:
    """Name fields with the pinyin syllables of the name and core name joined; a joined name that is
    a known name of a listed firm becomes that firm's canonical name."""
    normalised, core, units, numbers = fields
    joined = join_syllables(normalised)
    return _known(joined), join_syllables(core), units, numbers


def _name_fields_in(name_and_dialect: tuple[str | None, str]) -> tuple[str, str, str, str]:
    return name_fields(*name_and_dialect)


def _address_in(address_and_dialect: tuple[str | None, str]) -> str:
    address, dialect = address_and_dialect
    return _address_text(address, MANDARIN if dialect == LATIN_CHINESE else dialect)


def _load_each_dialect(function, uniques: pl.DataFrame) -> None:
    """Run `function` once on a text of each dialect among `uniques` (key, dialect), here, before
    `map_values` forks its workers: a dialect's romaniser loads its dictionary on first use (ToJyutping
    takes ~1.2 s), and loaded once here it is inherited by every worker instead of loaded in each."""
    for sample in uniques.unique(subset="dialect", keep="first", maintain_order=True).iter_rows():
        function(sample)


def _with_dialects(texts: pl.Series, countries: pl.Series | None) -> pl.DataFrame:
    """(key, dialect): each text with the romanisation its record's country uses for Chinese
    (`native_scripts.DIALECTS`); a text without Han characters reads the same in every dialect: as
    `LATIN_CHINESE` in a Chinese-speaking country (its syllables joined), else plainly (pinyin)."""
    frame = pl.DataFrame({"key": texts.cast(pl.String)})
    if countries is None:
        return frame.with_columns(dialect=pl.lit(MANDARIN))
    country = countries.cast(pl.String)
    dialect = dialect_expr(country)
    han = frame["key"].str.contains(HAN.pattern).fill_null(False)
    latin = (
        pl.when(country.is_in(list(CHINESE_SPEAKING))).then(pl.lit(LATIN_CHINESE)).otherwise(pl.lit(MANDARIN))
    )
    return frame.with_columns(dialect=pl.when(han).then(dialect).otherwise(latin))


def name_columns(names: pl.Series, countries: pl.Series | None = None) -> pl.DataFrame:
    """`NAME_COLUMNS` for each of `names`, in order: computed once per distinct name (and, for Chinese
    names, the dialect of the record's country in `countries`; on every core when there are many:
    `parallel_map`), then joined."""
    keyed = _with_dialects(names, countries)
    uniques = keyed.unique(maintain_order=True)
    _load_each_dialect(_name_fields_in, uniques)
    fields = map_values(_name_fields_in, list(uniques.iter_rows()))
    mapping = uniques.with_columns(
        pl.Series(column, [f[i] for f in fields], dtype=pl.String) for i, column in enumerate(NAME_COLUMNS)
    )
    return keyed.join(
        mapping, on=["key", "dialect"], how="left", nulls_equal=True, maintain_order="left"
    ).drop("key", "dialect")


def address_column(addresses: pl.Series, countries: pl.Series | None = None) -> pl.Series:
    """`normalise_address` of each address, computed once per distinct address (and, for Chinese
    addresses, dialect of the record's country in `countries`; no cache kept; on every core when there
    are many)."""
    keyed = _with_dialects(addresses, countries)
    uniques = keyed.unique(maintain_order=True)
    _load_each_dialect(_address_in, uniques)
    mapping = uniques.with_columns(
        value=pl.Series(map_values(_address_in, list(uniques.iter_rows())), dtype=pl.String)
    )
    return keyed.join(mapping, on=["key", "dialect"], how="left", nulls_equal=True, maintain_order="left")[
        "value"
    ]


def _map_unique(series: pl.Series, function, mapper=_apply_each) -> pl.Series:
    """Apply a scalar string function once per distinct value (through `mapper`) and broadcast back."""
    uniques = series.unique()
    mapping = pl.DataFrame(
        {"key": uniques, "value": mapper(function, uniques.to_list())},
        schema={"key": pl.String, "value": pl.String},
    )
    frame = pl.DataFrame({"key": series.cast(pl.String)})
    return frame.join(mapping, on="key", how="left", nulls_equal=True, maintain_order="left")["value"]
