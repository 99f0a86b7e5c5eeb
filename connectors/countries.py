"""Country codes: resolve free-text country values to ISO 3166-1 alpha-2, and a coarse
bounding-box plausibility check for coordinates.

Lookups are exact after normalisation (ASCII transliteration, case-folding, punctuation and
whitespace collapsed) against, in this order of precedence: pycountry's alpha-2, alpha-3, name,
common and official names; ``reference/country_variants.csv``; Kosovo (``XK``, a user-assigned code
that Open Supply Hub, the EU and the World Bank use); Open Supply Hub's own accepted spellings
(``reference/oshub_country_spellings.csv``, its country table); and pycountry's translated names in
every locale it ships. A later source never overrides an earlier one: a translated name that means
two countries in two languages, or an OS Hub spelling that disagrees with ISO (OS Hub maps
"Congo (Brazzaville)" to CD; Brazzaville is the capital of CG), keeps the earlier meaning. No fuzzy
matching: a value that does not match is unknown.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import NamedTuple

import pycountry

from connectors.country_translations import country_key, translated_names
from connectors.vocabulary import read_reference_csv

BOX_MARGIN_DEGREES = 0.5
KOSOVO = ("XK", "XKX", ("Kosovo", "Republic of Kosovo", "Kosova", "Kosovë"))


def _add(index: dict[str, str], value: str | None, alpha2: str, origin: str) -> None:
    if not value:
        return
    key = country_key(value)
    previous = index.setdefault(key, alpha2)
    if previous != alpha2:
        raise ValueError(f"country lookup conflict for {value!r} ({origin}): {previous} vs {alpha2}")


@cache
def _country_index() -> dict[str, str]:
    """Every source but the translated names, in order of precedence (see the module docstring)."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        alpha2 = country.alpha_2
        _add(index, alpha2, alpha2, "pycountry alpha_2")
        _add(index, country.alpha_3, alpha2, "pycountry alpha_3")
        for attribute in ("name", "common_name", "official_name"):
            _add(index, getattr(country, attribute, None), alpha2, f"pycountry {attribute}")
    for row in read_reference_csv("country_variants.csv"):
        if not is_country_code(row["alpha2"]):
            raise ValueError(f"country_variants.csv: {row['alpha2']!r} is not an ISO alpha-2 code")
        _add(index, row["variant"], row["alpha2"], "country_variants.csv")
    alpha2, alpha3, names = KOSOVO
    for value in (alpha2, alpha3, *names):
        _add(index, value, alpha2, "Kosovo")
    for row in read_reference_csv("oshub_country_spellings.csv"):
        if not is_country_code(row["alpha2"]):
            raise ValueError(f"oshub_country_spellings.csv: {row['alpha2']!r} is not a country code")
        index.setdefault(country_key(row["spelling"]), row["alpha2"])
    return index


def is_country_code(alpha2: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code and for XK (Kosovo)."""
    return alpha2 == KOSOVO[0] or pycountry.countries.get(alpha_2=alpha2) is not None


@lru_cache(maxsize=8192)
def to_alpha2(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for a country value, or None when unknown/empty."""
    if value is None:
        return None
    key = country_key(value)
    if not key:
        return None
    # the translated names come last and never override an earlier source
    found = _country_index().get(key)
    return found if found is not None else translated_names().get(key)


class CountryBox(NamedTuple):
    """Approximate extent of a country in degrees (see reference/country_bounds.csv)."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


@cache
def country_boxes() -> dict[str, CountryBox]:
    """alpha-2 -> approximate bounding box, for the countries listed in country_bounds.csv."""
    return {
        row["alpha2"]: CountryBox(
            float(row["min_lat"]),
            float(row["max_lat"]),
            float(row["min_lng"]),
            float(row["max_lng"]),
        )
        for row in read_reference_csv("country_bounds.csv")
    }


def coordinates_plausible(alpha2: str, lat: float, lng: float) -> bool:
    """False only when the point is clearly outside the country's box (plus a 0.5° margin).

    Countries without a box are always plausible: an unknown extent flags no mismatch.
    """
    box = country_boxes().get(alpha2)
    if box is None:
        return True
    margin = BOX_MARGIN_DEGREES
    return (
        box.min_lat - margin <= lat <= box.max_lat + margin
        and box.min_lng - margin <= lng <= box.max_lng + margin
    )
