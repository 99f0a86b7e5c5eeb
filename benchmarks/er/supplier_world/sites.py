"""Where a firm is: its city (with province, native and variant spellings, and the city centre), a
street address there (number, street, district, postcode; Chinese characters for CN) and a position
spread around the city centre. Vectorised over many firms at once, like `firms.py`.
"""

from __future__ import annotations

import numpy as np

from benchmarks.er.supplier_world.kit import KM_PER_DEGREE, Kit, join, stable_hash, title


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
        name = join(title(k.words[syllables[:, 0]]), k.words[syllables[:, 1]])
        district = np.where(town, name + " Town", name + " District")
        native = join(k.words_native[syllables[:, 0]], k.words_native[syllables[:, 1]])
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
