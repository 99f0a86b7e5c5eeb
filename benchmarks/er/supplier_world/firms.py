"""Synthetic firms of one country: a brand, what they make, a legal form, a city and a street address.

A firm is drawn from its country's vocabulary (`lexicon.py`) the way registered names are built:
Chinese names as registered location + chosen name + trade + company type ("Nantong Huafeng Home
Textiles Co., Ltd." / 南通华峰家纺有限公司), Vietnamese as "Công ty TNHH May Việt Thành" beside the
English "Viet Thanh Garment Co., Ltd", Indonesian with the "PT" prefix, elsewhere brand + trade + legal
form. Every column is a numpy array of strings (or floats), one entry per firm, so a million firms are
drawn in a few vectorised steps. `Kit` holds one country's vocabulary as arrays.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from benchmarks.er.supplier_world.lexicon import Lexicon

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


def _title(words: np.ndarray) -> np.ndarray:
    """First letter upper case, the rest as written ("hua" -> "Hua")."""
    return np.array([w[:1].upper() + w[1:] for w in words], dtype=object)


def _join(*parts: np.ndarray, sep: str = "") -> np.ndarray:
    out = parts[0].astype(object)
    for part in parts[1:]:
        out = out + sep + part.astype(object)
    return out


def brands(k: Kit, n: int, rng: np.random.Generator, longer: bool = False) -> dict[str, np.ndarray]:
    """`brand` (as English-language lists write it), `brand_spaced` (syllables apart) and
    `brand_native` (characters or diacritics) for `n` new firms; `longer` adds a third syllable or
    word (used when a country's two-part names run out: "Việt Thành Phát", "Huafengda")."""
    first, second = rng.integers(0, len(k.words), n), rng.integers(0, len(k.words), n)
    third = rng.integers(0, len(k.words), n)
    native_words = np.where(k.words_native == "", k.words, k.words_native)
    if k.country in SYLLABLE_BRANDS:
        a, b, c = _title(k.words[first]), _title(k.words[second]), _title(k.words[third])
        if k.country in ("HK", "VN"):
            sep = " " if k.country == "VN" else ""
            brand = _join(a, b, c, sep=" ") if longer else _join(a, b, sep=" ")
            parts = (native_words[first], native_words[second]) + ((native_words[third],) if longer else ())
            return {"brand": brand, "brand_spaced": brand, "brand_native": _join(*parts, sep=sep)}
        tail = (k.words[third],) if longer else ()
        joined = _join(a, k.words[second], *tail)
        spaced = _join(a, b, *((c,) if longer else ()), sep=" ")
        native_parts = (native_words[first], native_words[second]) + (
            (native_words[third],) if longer else ()
        )
        native = _join(*native_parts) if k.country == "CN" else np.full(n, None)
        return {"brand": joined, "brand_spaced": spaced, "brand_native": native}
    two = (longer | (rng.random(n) < 0.45)) & (first != second)
    brand = np.where(two, _join(k.words[first], k.words[second], sep=" "), k.words[first])
    native = np.where(two, _join(native_words[first], native_words[second], sep=" "), native_words[first])
    if longer:
        brand, native = _join(brand, k.words[third], sep=" "), _join(native, native_words[third], sep=" ")
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


def offset_points(lat: np.ndarray, lng: np.ndarray, km: np.ndarray, rng: np.random.Generator):
    """Points `km` away from (lat, lng) in random directions."""
    angle = rng.random(len(lat)) * 2 * np.pi
    dlat = km * np.cos(angle) / KM_PER_DEGREE
    dlng = km * np.sin(angle) / (KM_PER_DEGREE * np.maximum(np.cos(np.radians(lat)), 0.01))
    return lat + dlat, lng + dlng


def addresses(k: Kit, place: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A street address and position in each firm's city (`place`: row indexes into `k.places`)."""
    n = len(place)
    street = rng.integers(0, len(k.streets), n)
    base = k.streets[street]
    street_text = np.array([k.street_format.format(base=b) for b in base], dtype=object)
    street_native = k.streets_native[street]
    if k.country == "CN":
        street_native = street_native + "路"
        syllables = rng.integers(0, len(k.words), (n, 2))
        town = rng.random(n) < 0.5
        name = _join(_title(k.words[syllables[:, 0]]), k.words[syllables[:, 1]])
        district = np.where(town, name + " Town", name + " District")
        native = _join(k.words_native[syllables[:, 0]], k.words_native[syllables[:, 1]])
        district_native = np.where(town, native + "镇", native + "区")
    else:
        pick = rng.integers(0, len(k.districts), n)
        district, district_native = k.districts[pick], k.districts_native[pick]
    cities = k.places
    spread = cities["spread_km"].to_numpy()[place]
    lat, lng = offset_points(
        cities["lat"].to_numpy()[place],
        cities["lng"].to_numpy()[place],
        np.abs(rng.normal(0, spread / 2.5)),
        rng,
    )
    city_codes = np.array([stable_hash(c) for c in cities["city"].to_list()])[place]
    digits = k.postcode_digits
    postcode = (
        np.array(
            [
                str(c % 10 ** (digits - 1) * 10 + d).zfill(digits)
                for c, d in zip(city_codes, rng.integers(0, 10, n), strict=True)
            ],
            dtype=object,
        )
        if digits
        else np.full(n, None)
    )
    return {
        "addr_number": rng.integers(1, 999, n).astype(str).astype(object),
        "addr_street": street_text,
        "addr_street_native": street_native,
        "addr_district": district,
        "addr_district_native": district_native,
        "addr_postcode": postcode,
        "lat": lat,
        "lng": lng,
    }


def city_columns(k: Kit, place: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """City, province (with native spellings), one variant spelling of the city, and its centre."""
    cities = k.places
    variants = cities["city_variants"].to_list()
    chosen = [
        variants[p][int(u * len(variants[p]))] if variants[p] and variants[p][0] else None
        for p, u in zip(place, rng.random(len(place)), strict=True)
    ]
    column = lambda name: np.array(cities[name].to_list(), dtype=object)[place]  # noqa: E731
    return {
        "place_id": place,
        "addr_city": column("city"),
        "addr_city_native": column("city_native"),
        "addr_city_variant": np.array(chosen, dtype=object),
        "addr_province": column("province"),
        "addr_province_native": column("province_native"),
        "city_lat": cities["lat"].to_numpy()[place],
        "city_lng": cities["lng"].to_numpy()[place],
    }


def draw(k: Kit, n: int, rng: np.random.Generator) -> pl.DataFrame:
    """`n` new firms of the country, each at its own address (names not yet de-duplicated)."""
    place = rng.choice(k.places.height, n, p=k.place_weights)
    columns = (
        brands(k, n, rng) | industries(k, n, rng) | city_columns(k, place, rng) | addresses(k, place, rng)
    )
    columns["legal_group"] = legal_forms(k, n, rng)
    columns["country"] = np.full(n, k.country, dtype=object)
    return pl.DataFrame(
        {name: list(values) if values.dtype == object else values for name, values in columns.items()}
    )
