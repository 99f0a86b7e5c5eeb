"""Synthetic firms of one country: a brand, what they make, a legal form, a city and a street address.

A firm is drawn from its country's vocabulary (`lexicon.py`) the way registered names are built:
Chinese names as registered location + chosen name + trade + company type ("Nantong Huafeng Home
Textiles Co., Ltd." / 南通华峰家纺有限公司), Vietnamese as "Công ty TNHH May Việt Thành" beside the
English "Viet Thanh Garment Co., Ltd", Indonesian with the "PT" prefix, elsewhere brand + trade + legal
form. Every column is a numpy array of strings (or floats), one entry per firm, so a million firms are
drawn in a few vectorised steps. `Kit` holds one country's vocabulary as arrays.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.er.supplier_world import sites
from benchmarks.er.supplier_world.kit import SYLLABLE_BRANDS, Kit, join, title

LEGAL_MIX = {
    "CN": (("cn_co_ltd", 0.8), ("cn_stock", 0.1), ("cn_factory", 0.1)),
    "VN": (("vn_tnhh", 0.8), ("vn_jsc", 0.2)),
    "TR": (("tr_ltd_sti", 0.75), ("tr_as", 0.25)),
    "MX": (("sa_de_cv", 0.7), ("srl_de_cv", 0.3)),
    "BD": (("ltd", 0.7), ("pvt_ltd", 0.3)),
    "IN": (("pvt_ltd", 0.7), ("ltd", 0.2), ("none", 0.1)),
    "PK": (("pvt_ltd", 0.8), ("ltd", 0.2)),
    "LK": (("pvt_ltd", 0.85), ("plc", 0.15)),
    "EG": (("sae", 0.6), ("none", 0.4)),
}


def brands(k: Kit, n: int, rng: np.random.Generator, longer: bool = False) -> dict[str, np.ndarray]:
    """`brand` (as English-language lists write it), `brand_spaced` (syllables apart) and
    `brand_native` (characters or diacritics) for `n` new firms; `longer` adds a third syllable or
    word (used when a country's two-part names run out: "Việt Thành Phát", "Huafengda")."""
    first, second = rng.integers(0, len(k.words), n), rng.integers(0, len(k.words), n)
    third = rng.integers(0, len(k.words), n)
    native_words = np.where(k.words_native == "", k.words, k.words_native)
    if k.country in SYLLABLE_BRANDS:
        a, b, c = title(k.words[first]), title(k.words[second]), title(k.words[third])
        if k.country in ("HK", "VN"):
            sep = " " if k.country == "VN" else ""
            brand = join(a, b, c, sep=" ") if longer else join(a, b, sep=" ")
            parts = (native_words[first], native_words[second]) + ((native_words[third],) if longer else ())
            return {"brand": brand, "brand_spaced": brand, "brand_native": join(*parts, sep=sep)}
        tail = (k.words[third],) if longer else ()
        joined = join(a, k.words[second], *tail)
        spaced = join(a, b, *((c,) if longer else ()), sep=" ")
        native_parts = (native_words[first], native_words[second]) + (
            (native_words[third],) if longer else ()
        )
        native = join(*native_parts) if k.country == "CN" else np.full(n, None)
        return {"brand": joined, "brand_spaced": spaced, "brand_native": native}
    two = (longer | (rng.random(n) < 0.45)) & (first != second)
    brand = np.where(two, join(k.words[first], k.words[second], sep=" "), k.words[first])
    native = np.where(two, join(native_words[first], native_words[second], sep=" "), native_words[first])
    if longer:
        brand, native = join(brand, k.words[third], sep=" "), join(native, native_words[third], sep=" ")
    if k.country == "TR":  # Turkish firms are registered with Turkish letters; lists may fold them
        brand = native
    return {
        "brand": brand,
        "brand_spaced": brand,
        "brand_native": np.full(n, None) if k.country != "TR" else native,
    }


def industries(k: Kit, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """What each firm makes: its usual English word, one alternative translation, the local word
    (pinyin for China) and the native form."""
    table = k.industries
    weights = np.where(np.arange(table.height) < 8, 3.0, 1.0)
    pick = rng.choice(table.height, n, p=weights / weights.sum())
    english = np.array(table["english"].to_list(), dtype=object)[pick]
    alternates = table["alternates"].to_list()
    alt = np.array(
        [alternates[i][int(u * len(alternates[i]))] for i, u in zip(pick, rng.random(n), strict=True)],
        dtype=object,
    )
    local = np.array(table["local"].to_list(), dtype=object)[pick]
    native = np.array(table["native"].to_list(), dtype=object)[pick]
    if k.country == "TR":
        english = native
    return {
        "industry_key": np.array(table["key"].to_list(), dtype=object)[pick],
        "industry": english,
        "industry_alt": alt,
        "industry_local": local,
        "industry_native": native,
    }


def legal_forms(k: Kit, n: int, rng: np.random.Generator) -> np.ndarray:
    """Each firm's legal-form group (see data/legal.csv)."""
    mix = LEGAL_MIX.get(k.country, ((k.legal_default, 1.0),))
    groups = np.array([g for g, _ in mix], dtype=object)
    return groups[rng.choice(len(mix), n, p=[w for _, w in mix])]


def draw(k: Kit, n: int, rng: np.random.Generator) -> pl.DataFrame:
    """`n` new firms of the country, each at its own address (names not yet de-duplicated)."""
    place = rng.choice(k.places.height, n, p=k.place_weights)
    columns = (
        brands(k, n, rng)
        | industries(k, n, rng)
        | sites.city_columns(k, place, rng)
        | sites.addresses(k, place, rng)
    )
    columns["legal_group"] = legal_forms(k, n, rng)
    columns["country"] = np.full(n, k.country, dtype=object)
    return pl.DataFrame(
        {name: list(values) if values.dtype == object else values for name, values in columns.items()}
    )
