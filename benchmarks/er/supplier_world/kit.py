"""One country's vocabulary as arrays (`Kit`), and the small helpers the vectorised draws share.

`kit(lexicon, country, extra_words)` gathers a country's brand words (with native spellings), trades,
cities with their weights, streets and districts from `lexicon.py`; `firms.py` and `sites.py` draw from it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from benchmarks.er.supplier_world.lexicon import Lexicon

SYLLABLE_BRANDS = {"CN": "CN", "KH": "CN", "HK": "HK", "VN": "VN"}
"""Countries whose brands are two syllables, and whose syllable list they use."""
KM_PER_DEGREE = 111.32


def stable_hash(text: str) -> int:
    """A process-independent hash (Python's own string hash is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True)
class Kit:
    """One country's vocabulary as arrays, ready for vectorised draws."""

    country: str
    pattern: str
    legal_default: str
    street_format: str
    postcode_digits: int
    words: np.ndarray
    words_native: np.ndarray
    industries: pl.DataFrame
    places: pl.DataFrame
    place_weights: np.ndarray
    streets: np.ndarray
    streets_native: np.ndarray
    districts: np.ndarray
    districts_native: np.ndarray


def kit(lexicon: Lexicon, country: str, extra_words: list[str]) -> Kit:
    """The vocabulary of `country`; `extra_words` (from the real seed names) join its brand words."""
    spec = lexicon.countries.filter(pl.col("country") == country).row(0, named=True)
    source = SYLLABLE_BRANDS.get(country, country)
    words = lexicon.of("words", source)
    extra = [] if country in SYLLABLE_BRANDS else extra_words
    latin = words["word"].to_list() + extra
    native = words["native"].fill_null("").to_list() + extra
    places = lexicon.of("places", country)
    streets = lexicon.of("streets", country)
    districts = lexicon.of("districts", country)
    return Kit(
        country=country,
        pattern=spec["pattern"],
        legal_default=spec["legal"],
        street_format=spec["street_format"],
        postcode_digits=spec["postcode_digits"],
        words=np.array(latin, dtype=object),
        words_native=np.array(native, dtype=object),
        industries=lexicon.of("industries", country),
        places=places,
        place_weights=(places["weight"] / places["weight"].sum()).to_numpy(),
        streets=np.array(streets["base"].to_list(), dtype=object),
        streets_native=np.array(streets["native"].fill_null("").to_list(), dtype=object),
        districts=np.array(districts["name"].to_list(), dtype=object),
        districts_native=np.array(districts["native"].fill_null("").to_list(), dtype=object),
    )


def title(words: np.ndarray) -> np.ndarray:
    """First letter upper case, the rest as written ("hua" -> "Hua")."""
    return np.array([w[:1].upper() + w[1:] for w in words], dtype=object)


def join(*parts: np.ndarray, sep: str = "") -> np.ndarray:
    out = parts[0].astype(object)
    for part in parts[1:]:
        out = out + sep + part.astype(object)
    return out
