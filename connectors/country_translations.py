"""pycountry's translated country names as a lookup table: generated once into
``reference/country_translations.csv`` instead of being derived on every run.

Deriving the table reads every locale pycountry ships (163 gettext catalogues, ~0.3 s of CPU); a small
`flrisk load` needs it on every address it checks, so the result is kept as reference data, like
Open Supply Hub's spellings. Regenerate after a pycountry or anyascii upgrade:
``uv run python -m connectors.country_translations`` (a test fails while the file is stale).

``country_key`` is the normalisation every country lookup uses (``connectors.countries``). Rules:
names in Latin script, and the Chinese, Japanese and Korean names (written in their own scripts,
matched through their romanised form). Romanised Arabic, Hebrew or Indic names lose their vowels
("msr", "hn") and would turn junk into countries, so they are left out; so are keys shorter than four
characters and a name that means two countries in two languages.
"""

from __future__ import annotations

import csv
import gettext
import io
import os
import re
import sys
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry
from anyascii import anyascii

TRANSLATION_DOMAIN = "iso3166-1"
CJK_LOCALES = frozenset({"zh_CN", "zh_HK", "zh_TW", "ja", "ko"})
MIN_TRANSLATED_KEY = 4
FILE_NAME = "country_translations.csv"
HEADER = ("key", "alpha2")
_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def country_key(value: str) -> str:
    """Normalise a country value for lookup: "Côte d'Ivoire " -> "cote d ivoire"."""
    text = anyascii(value).casefold().replace("&", " and ")
    return " ".join(_NON_ALPHANUMERIC.sub(" ", text).split())


def derive() -> dict[str, str]:
    """Normalised (`country_key`) country names in every locale pycountry ships -> alpha-2; a name that
    means two countries in two languages is left out (ambiguous)."""
    english_names = [
        (country.alpha_2, english)
        for country in pycountry.countries
        for attribute in ("name", "common_name", "official_name")
        if (english := getattr(country, attribute, None))
    ]
    found: dict[str, set[str]] = {}
    for locale in sorted(os.listdir(pycountry.LOCALES_DIR)):
        try:
            translation = gettext.translation(TRANSLATION_DOMAIN, pycountry.LOCALES_DIR, languages=[locale])
        except OSError:
            continue
        for alpha2, english in english_names:
            translated = translation.gettext(english)
            if translated and translated != english and _usable(translated, locale):
                key = country_key(translated)
                if len(key) >= MIN_TRANSLATED_KEY:
                    found.setdefault(key, set()).add(alpha2)
    return {key: codes.pop() for key, codes in sorted(found.items()) if len(codes) == 1}


def _usable(name: str, locale: str) -> bool:
    """A translated name in Latin script, or any name of a CJK locale (see CJK_LOCALES)."""
    if locale in CJK_LOCALES:
        return True
    return all(_latin_letter(char) for char in set(name) if char.isalpha())


@cache
def _latin_letter(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


def render(names: dict[str, str]) -> str:
    """The CSV text of the table (sorted by key)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(sorted(names.items()))
    return out.getvalue()


@cache
def translated_names() -> dict[str, str]:
    """The shipped table: normalised translated name -> alpha-2."""
    text = resources.files("connectors.reference").joinpath(FILE_NAME).read_text(encoding="utf-8")
    return {row["key"]: row["alpha2"] for row in csv.DictReader(io.StringIO(text, newline=""))}


def main(argv: list[str] | None = None) -> int:
    """Write the table (to the path given, else into connectors/reference)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).with_name("reference") / FILE_NAME
    names = derive()
    path.write_text(render(names), encoding="utf-8")
    print(f"wrote {path} ({len(names)} names)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
