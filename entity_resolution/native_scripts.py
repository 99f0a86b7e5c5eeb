"""Facility names and addresses in Chinese characters, spelled the way Latin-script lists spell them.

A supplier list may name "和田泰达服装有限公司" where another writes "Hetian Taida Apparel Co., Ltd.".
Before the usual normalisation (normalise.py), a text with Han characters is romanised in four steps:
1. known words are found longest first, by their characters or, for words of two characters or more,
   by their pinyin syllables where the characters that differ are the traditional forms of the known
   ones (`reference/traditional_characters.csv`), so traditional 哈爾濱 and 國際 match the simplified
   哈尔滨 and 国际 of the lists while homophones (方志, 国基, 豐電 for 风电) do not: place names
   (`reference/chinese_places.csv`) and company or address words (`reference/chinese_words.csv`;
   single-character address words such as 路 or 东 only in addresses, where they cannot be part of a
   firm's own name);
0. ordinal numbers are read as the number Latin lists write: 第一 -> "number 1" (as "No. 1" and
   "First" normalise), the Production and Construction Corps' divisions and regiments (农八师,
   第八师, 兵团一师, 第十四团) as "number 8 division", "number 14 regiment" (as "Eighth Division",
   "8th Division" and "14th Regiment" normalise), so that the number is compared, and guards, on both
   sides;
2. legal forms (有限公司, 股份有限公司, ...) are dropped, words become their English
   (服装 -> apparel, 路 -> road) and places their joined pinyin (和田 -> hetian);
3. the characters between known words become ONE token of joined pinyin syllables (泰达 -> taida), as
   English spellings join the syllables of a firm's own name (pypinyin reads them, phrases first); for
   a record of Hong Kong or Macau in Cantonese, of Taiwan in Wade-Giles (`DIALECTS`: 裕元 -> yueyuen,
   年興 -> nienhsing), as those lists spell them;
4. other text (digits, Latin letters) passes through.
In a name, a province written right before a city of its own (广东东莞, 浙江绍兴) is dropped, as English
names mostly keep the city alone ("Dongguan Huafeng Garment"); a province alone is kept.
Latin spellings of the same places (Hotan, Kashgar, Urumqi, ...) are read as the pinyin in every name and
address (`latin_place_variants`), so a place counts the same in either script.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

import polars as pl

REFERENCE = Path(__file__).parent / "reference"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ADMINISTRATIVE_SUFFIXES = frozenset("省市县縣区區镇鎮州")
NAME_SEPARATORS = frozenset("省市县縣区區镇鎮")
"""In a name these end an unknown place (柯桥区 -> keqiao) and are dropped, as English names drop them."""
PROVINCES = frozenset(
    ("xinjiang", "xizang", "neimenggu", "guangxi", "ningxia", "jiangsu", "zhejiang", "guangdong", "fujian")
    + ("shandong", "hebei", "henan", "hubei", "hunan", "anhui", "jiangxi", "sichuan", "yunnan", "guizhou")
    + ("gansu", "qinghai", "shaanxi", "shanxi", "liaoning", "jilin", "heilongjiang", "hainan")
)
"""Pinyin of the provinces and autonomous regions: dropped from a name when a city follows them."""


CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
CHINESE_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL = "([〇零一二两兩三四五六七八九十百0-9０-９]+)"
_ORDINALS = (
    (re.compile(f"(?:第|[农農]){_NUMERAL}[师師]"), "division"),
    (re.compile(f"(?<=[团團]){_NUMERAL}[师師]"), "division"),
    (re.compile(f"第{_NUMERAL}[团團](?![场場])"), "regiment"),
    (re.compile(f"第{_NUMERAL}"), ""),
)
"""Ordinals in Chinese text, most specific first: a division (师) after 第, 农 (agricultural) or the
Corps (兵团), a regiment (团, not 团场, a regiment's farm), any other 第 + number."""


def chinese_number(numeral: str) -> int | None:
    """A number written in Chinese numerals or digits ("八" -> 8, "十四" -> 14, "二十一" -> 21,
    "一百" -> 100, "０８" -> 8), or None when it is not a well-formed number up to 999."""
    if numeral.isdigit():
        return int("".join(str(unicodedata.digit(character)) for character in numeral))
    total, digit = 0, None
    for character in numeral:
        if character in "零〇" and total:
            continue  # a place holder: 一百零五 is 105
        if character in CHINESE_DIGITS:
            if digit is not None:
                return None  # two digits in a row ("一二") is not a number
            digit = CHINESE_DIGITS[character]
        elif character in "十百":
            total += (1 if digit is None else digit) * (10 if character == "十" else 100)
            digit = None
        else:
            return None
    return total + (digit or 0)


def _ordinals_read(text: str) -> str:
    """`text` with its Chinese ordinals written as "number N" (+ "division" / "regiment")."""
    for pattern, word in _ORDINALS:

        def read(match: re.Match[str], word: str = word) -> str:
            number = chinese_number(match.group(1))
            return match.group(0) if number is None else f" number {number} {word} "

        text = pattern.sub(read, text)
    return text


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@cache
def _lexicon(where: str) -> dict[str, str]:
    """Known words for names or addresses -> their replacement ("" drops a legal form)."""
    words = {
        row["chinese"]: row["english"]
        for row in _rows("chinese_words.csv")
        if row["where"] in {"both", where}
    }
    words |= {row["chinese"]: row["pinyin"] for row in _rows("chinese_places.csv")}
    return words


@cache
def _places() -> frozenset[str]:
    return frozenset(row["chinese"] for row in _rows("chinese_places.csv"))


@cache
def latin_place_variants() -> dict[str, str]:
    """Latin spelling of a Chinese place (lower-case, single-spaced) -> its pinyin."""
    return {
        variant: row["pinyin"]
        for row in _rows("chinese_places.csv")
        for variant in (row["variants"] or "").split("|")
        if variant
    }


@cache
def chinese_place_pinyin() -> frozenset[str]:
    """The pinyin of every known Chinese place (each a single joined word: "hetian", "zhangjiagang")."""
    return frozenset(row["pinyin"] for row in _rows("chinese_places.csv") if " " not in row["pinyin"])


def has_han(text: str | None) -> bool:
    """Whether `text` contains any Han character."""
    return bool(text) and HAN.search(text) is not None


NAME_READINGS = {"长": "chang", "長": "chang", "曾": "zeng"}
"""Characters with two readings that names and places read otherwise than pypinyin's default: 长 is
chang in 长宁, 长丰, 长盛 (pypinyin: zhang), 曾 is the surname zeng (pypinyin: ceng)."""


def readings(text: str) -> list[str]:
    """The pinyin syllables of `text` (pypinyin, phrases first), with `NAME_READINGS` for characters
    read alone."""
    from pypinyin import lazy_pinyin  # its dictionaries take a second to load: only for Han text

    syllables = lazy_pinyin(text)
    if len(syllables) != len(text):
        return syllables
    return [
        NAME_READINGS.get(character, syllable) for character, syllable in zip(text, syllables, strict=True)
    ]


MANDARIN, CANTONESE, WADE_GILES = "mandarin", "cantonese", "wade-giles"
DIALECTS = {"HK": CANTONESE, "MO": CANTONESE, "TW": WADE_GILES}
"""Where Latin-script lists spell a firm's own name in another romanisation than Hanyu Pinyin: Hong Kong
and Macau firms by their Cantonese sounds (裕元 Yue Yuen, 聯泰 Luen Thai, 長江 Cheung Kong), Taiwan
firms mostly in Wade-Giles (年興 Nien Hsing, 台南 Tainan). Known words and places keep their one
English or pinyin form in every dialect."""


CHINESE_SPEAKING = frozenset({"CN", "HK", "MO", "TW"})
"""Countries whose Latin-script names are mostly romanised Chinese: their syllables, written apart on
one list and together on another ("Hong Jing" / "Hongjing"), are compared joined (`join_syllables`)."""
SINGLE_LETTERS = frozenset({"a", "e", "o", "n", "m"})
"""Pinyin syllables that are also initials or English articles: never joined."""


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless Hanyu Pinyin syllable (`reference/pinyin_syllables.csv`) but single letters."""
    return frozenset(row["syllable"] for row in _rows("pinyin_syllables.csv")) - SINGLE_LETTERS


def is_pinyin(word: str) -> bool:
    """Whether `word` is written wholly in pinyin syllables ("hengyi" = "heng" + "yi")."""
    syllables = pinyin_syllables()
    ends = {0}
    for end in range(1, len(word) + 1):
        if any(start in ends and word[start:end] in syllables for start in range(max(0, end - 6), end)):
            ends.add(end)
    return len(word) in ends


def join_syllables(text: str) -> str:
    """`text` (normalised, space-separated) with every run of two or more words that are each one
    pinyin syllable written as one word: "hong jing cotton textile" -> "hongjing cotton textile",
    "taizhou yong zhi weaving" -> "taizhou yongzhi weaving"; other words unchanged. A known place
    written in syllables at either end of a run stays a word of its own: "guang dong hua feng" ->
    "guangdong huafeng", "hua feng shang hai" -> "huafeng shanghai" (`_place_apart`)."""
    syllables = pinyin_syllables()
    words, run = [], []
    for word in text.split():
        if word in syllables:
            run.append(word)
            continue
        words.extend(_place_apart(run))
        run = []
        words.append(word)
    words.extend(_place_apart(run))
    return " ".join(words)


def _place_apart(run: list[str]) -> list[str]:
    """A run of pinyin syllables as words: joined, with a known place of two or more syllables that
    begins or ends the run (and leaves at least two syllables of name) cut off as a word of its own."""
    if len(run) < 2:
        return run
    places = chinese_place_pinyin()
    for size in range(len(run) - 2, 1, -1):  # the longest place first
        if "".join(run[:size]) in places:
            return ["".join(run[:size]), *_place_apart(run[size:])]
        if "".join(run[-size:]) in places:
            return [*_place_apart(run[:-size]), "".join(run[-size:])]
    return ["".join(run)]


_PARTS_RUN_IN = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_RUN_IN = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
LEGAL_ENDINGS = frozenset(
    {"Limited", "Ltd", "Co", "Company", "Corp", "Corporation", "Inc", "Holdings", "Group"}
)


def english_words_apart(name: str | None) -> str | None:
    """`name` with a whole English name printed run together, legal form included, written apart, as
    filings of Chinese firms print one ("XinyiSolarHoldingsLimited" -> "Xinyi Solar Holdings Limited",
    "DongnanElectronicsCo.,Ltd." -> "Dongnan Electronics Co.,Ltd.", "BYDCompanyLimited" -> "BYD
    Company Limited"): a word of three or more capitalised parts whose last part is a legal form
    (`LEGAL_ENDINGS`) is cut before each part that is a word of four letters or more, a pinyin syllable,
    an acronym or a legal form ("GuangDongHuaFengTextileCo" -> "Guang Dong Hua Feng Textile Co", whose
    syllables `join_syllables` then reads as "guangdong huafeng"); another short part stays with the part
    before it. Other words are left as written ("SinoTex", "AiQiOu", "FengBorGarment": a name, or a typo,
    not a run-together English name). Lower-case glued words ("huhaigarment") are written apart later,
    word by word: `normalise._unglued`."""
    if not name or name.islower() or name.isupper() or not _RUN_IN.search(name):
        return name

    def apart(match: re.Match[str]) -> str:
        word = match.group(0)
        parts = _PARTS_RUN_IN.split(word)
        if len(parts) < 3 or parts[-1] not in LEGAL_ENDINGS:
            return word
        words, syllables = [parts[0]], pinyin_syllables()
        for part in parts[1:]:
            if len(part) >= 4 or part.isupper() or part in LEGAL_ENDINGS or part.lower() in syllables:
                words.append(part)
            else:
                words[-1] += part
        return " ".join(words)

    return _LATIN_WORD.sub(apart, name)


def dialect_expr(country_codes: pl.Expr | pl.Series) -> pl.Expr | pl.Series:
    """The romanisation each country's lists use for Chinese names (`DIALECTS`; pinyin elsewhere),
    as a Polars expression or Series over country codes."""
    return country_codes.replace_strict(DIALECTS, default=MANDARIN, return_dtype=pl.String)


_JYUTPING = re.compile(r"(gw|kw|ng|[bpmfdtnlgkhwzcsj]?)([a-z]+?)([1-6]?)$")
_HK_INITIALS = {"b": "p", "d": "t", "g": "k", "gw": "kw", "z": "ch", "c": "ch", "j": "y"}
_HK_FINALS = {"aa": "a", "aai": "ai", "aau": "au", "aam": "am", "aan": "an", "aang": "ang", "aap": "ap"}
_HK_FINALS |= {"aat": "at", "aak": "ak", "ou": "o", "oe": "oe", "oeng": "eung", "oek": "euk", "eoi": "ui"}
_HK_FINALS |= {"eon": "un", "eot": "ut", "yu": "ue", "yun": "uen", "yut": "uet"}


def hong_kong_spelling(jyutping: str) -> str:
    """A Cantonese syllable in Jyutping as Hong Kong names spell it (the Government's romanisation:
    bou -> po, jyun -> yuen, lyun -> luen, coeng -> cheung, gwok -> kwok, si -> sze)."""
    match = _JYUTPING.match(jyutping)
    if match is None:
        return jyutping
    initial, final = match.group(1), match.group(2)
    if initial == "s" and final == "i":
        return "sze"
    return _HK_INITIALS.get(initial, initial) + _HK_FINALS.get(final, final)


def dialect_readings(characters: str, dialect: str) -> list[str]:
    """The syllables of `characters` in `dialect` (`readings` for Mandarin; Wade-Giles from pypinyin,
    apostrophes and umlauts dropped as English names drop them; Cantonese from ToJyutping, spelt the
    Hong Kong way). A character without a reading in the dialect gets its pinyin."""
    if dialect == WADE_GILES:
        from pypinyin import Style, lazy_pinyin

        syllables = lazy_pinyin(characters, style=Style.WADEGILES)
        if len(syllables) == len(characters):
            return [syllable.replace("'", "").replace("v", "u").replace("ü", "u") for syllable in syllables]
    elif dialect == CANTONESE:
        from ToJyutping import get_jyutping_list  # its dictionary loads on first use: HK and Macau only

        pairs = get_jyutping_list(characters)
        if len(pairs) == len(characters):
            pinyin = readings(characters)
            fallback = pinyin if len(pinyin) == len(characters) else list(characters)
            return [
                hong_kong_spelling(sound.split()[0]) if sound else fallback[index]
                for index, (_, sound) in enumerate(pairs)
            ]
    return readings(characters)


def _syllable_words(characters: str, dialect: str = MANDARIN) -> list[str]:
    """Unknown characters as romanised words: up to three characters make one word (most firms' own
    names are two), longer runs are read as two-character words (华孚色纺 -> huafu sefang)."""
    syllables = dialect_readings(characters, dialect)
    if len(syllables) <= 3:
        return ["".join(syllables)]
    return ["".join(syllables[start : start + 2]) for start in range(0, len(syllables), 2)]


@cache
def _lexicon_by_sound(where: str) -> dict[tuple[str, ...], list[str]]:
    """Known words of two or more characters grouped by their pinyin syllables (國際 and 国际 are both
    guo-ji), to find a word written in the other character set."""
    words: dict[tuple[str, ...], list[str]] = {}
    for word in _lexicon(where):
        if len(word) >= 2:
            words.setdefault(tuple(readings(word)), []).append(word)
    return words


@cache
def simplified_forms() -> dict[str, str]:
    """Traditional character -> its simplified form: `reference/traditional_characters.csv`, plus the
    pairs the simplified and traditional rows of the word and place lists spell out, read alike and mean
    the same (紡織/纺织 gives 紡 -> 纺). A character given two different simplified forms is left out."""
    pairs = [(row["traditional"], row["simplified"]) for row in _rows("traditional_characters.csv")]
    by_meaning: dict[str, list[str]] = {}
    for row in _rows("chinese_words.csv"):
        by_meaning.setdefault("w:" + row["english"], []).append(row["chinese"])
    for row in _rows("chinese_places.csv"):
        by_meaning.setdefault("p:" + row["pinyin"], []).append(row["chinese"])
    for spellings in by_meaning.values():
        simplified = [word for word in spellings if not any(map(_traditional_only, word))]
        for word in spellings:
            for plain in simplified:
                if word != plain and readings(word) == readings(plain):
                    pairs += [
                        (t, s) for t, s in zip(word, plain, strict=True) if t != s and _traditional_only(t)
                    ]
    forms: dict[str, set[str]] = {}
    for traditional, simplified in pairs:
        forms.setdefault(traditional, set()).add(simplified)
    return {traditional: next(iter(found)) for traditional, found in forms.items() if len(found) == 1}


def _traditional_only(character: str) -> bool:
    """A character outside GB 2312, the simplified character set (國, 際, 紡, 織 are; 国, 方, 基 are not)."""
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def _same_word_in_other_script(text: str, word: str) -> bool:
    """`text` is `word` with some characters in their traditional form: every character that differs
    is the traditional form of the known one (`simplified_forms`), so 豐電 (丰电) is never read as
    风电, nor 方志 as 纺织, though they sound alike."""
    forms = simplified_forms()
    return all(mine == known or forms.get(mine) == known for mine, known in zip(text, word, strict=True))


def _known_word_at(
    run: str, sounds: list[str], position: int, longest: int, where: str
) -> tuple[int, str, bool] | None:
    """The longest known word starting at `position` (its length, replacement and whether it is a
    place): by its characters or, for two characters or more, by its sound when the characters that
    differ are traditional forms."""
    lexicon, by_sound = _lexicon(where), _lexicon_by_sound(where)
    for size in range(min(longest, len(run) - position), 0, -1):
        text = run[position : position + size]
        if text in lexicon:
            return size, lexicon[text], text in _places()
        if size < 2:
            continue
        found = [
            word
            for word in by_sound.get(tuple(sounds[position : position + size]), [])
            if _same_word_in_other_script(text, word)
        ]
        if found and len({lexicon[word] for word in found}) == 1:
            return size, lexicon[found[0]], any(word in _places() for word in found)
    return None


def _romanise_run(run: str, longest: int, where: str, dialect: str = MANDARIN) -> list[str]:
    """Tokens for one run of Han characters: known words replaced, the rest as pinyin words. In a
    name, the administrative suffix after a place (绍兴市 -> shaoxing) is dropped, as English names do."""
    sounds = readings(run)
    if len(sounds) != len(run):  # a character pypinyin cannot read: compare by characters only
        sounds = list(run)
    tokens: list[str] = []
    pending = ""
    position = 0
    while position < len(run):
        known = _known_word_at(run, sounds, position, longest, where)
        if known is None:
            if where == "name" and run[position] in NAME_SEPARATORS and pending:
                tokens.extend(_syllable_words(pending, dialect))
                pending = ""
            else:
                pending += run[position]
            position += 1
            continue
        size, replacement, is_place = known
        if pending:
            tokens.extend(_syllable_words(pending, dialect))
            pending = ""
        if replacement:
            tokens.append(replacement)
        position += size
        if where == "name" and is_place and run[position : position + 1] in ADMINISTRATIVE_SUFFIXES:
            position += 1
    if pending:
        tokens.extend(_syllable_words(pending, dialect))
    return _without_province_before_city(tokens, where)


def _without_province_before_city(tokens: list[str], where: str) -> list[str]:
    """In a name, a province followed by another known place (guangdong dongguan) loses the province."""
    if where != "name":
        return tokens
    places = chinese_place_pinyin()
    return [
        token
        for index, token in enumerate(tokens)
        if not (token in PROVINCES and index + 1 < len(tokens) and tokens[index + 1] in places)
    ]


def romanise_chinese(text: str, where: str = "name", dialect: str = MANDARIN) -> str:
    """`text` with every run of Han characters romanised (see the module docstring); `where` is
    "name" or "address". Text without Han characters is returned unchanged."""
    if not has_han(text):
        return text
    if "第" in text or "师" in text or "師" in text:
        text = _ordinals_read(text)
    lexicon = _lexicon(where)
    longest = max(map(len, lexicon))
    parts = []
    last = 0
    for match in HAN.finditer(text):
        parts.append(text[last : match.start()])
        parts.append(" " + " ".join(_romanise_run(match.group(0), longest, where, dialect)) + " ")
        last = match.end()
    parts.append(text[last:])
    return " ".join("".join(parts).split())
