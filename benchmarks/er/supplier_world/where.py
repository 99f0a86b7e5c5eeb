"""Where a record says its facility is: the address, the country and the coordinates as a list writes them.

Used by `render.records` on the joined (mention, facility, list habits) frame. The Latin-script address
takes the list's completeness (full, without province, street and city, city only, none) and order
(smallest part first or largest first), "No." / "#" before the number, district and postcode or not, the
city's variant spelling ("Chittagong" / "Chattogram", "Bangalore", "Nantong City") and, on Vietnamese-
language lists, Vietnamese place names. The country is a code, a name or a variant spelling; the
coordinates exact, jittered, rounded, offset like a geocoder's guess, at the city centre, or missing.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pycountry

from benchmarks.er.supplier_world.kit import KM_PER_DEGREE
from benchmarks.er.supplier_world.lexicon import Lexicon


def country_table(lexicon: Lexicon, codes: list[str]) -> pl.DataFrame:
    """Name, alpha-3, variant spellings and native name of every country present (pycountry for the
    seed facilities' countries outside the synthetic ones)."""
    known = lexicon.countries.select(
        "country", pl.col("name").alias("c_name"), pl.col("alpha3").alias("c_alpha3"),
        pl.col("variants").alias("c_variants"), pl.col("native_country").alias("c_native"),
    )  # fmt: skip
    rows = []
    for code in sorted(set(codes) - set(known["country"].to_list())):
        entry = pycountry.countries.get(alpha_2=code)
        name = (getattr(entry, "common_name", None) or entry.name) if entry else code
        rows.append({"country": code, "c_name": name, "c_alpha3": entry.alpha_3 if entry else code,
                     "c_variants": [name], "c_native": None})  # fmt: skip
    return pl.concat([known, pl.DataFrame(rows, schema=known.schema)]) if rows else known


def address() -> pl.Expr:
    """The Latin-script address in the list's order and completeness (see module docstring)."""
    c = pl.col
    style = c("h_number_style")
    number = (
        pl.when(style == "No. {n}").then(pl.format("No. {}", c("addr_number")))
        .when(style == "#{n}").then(pl.format("#{}", c("addr_number")))
        .when(style == "No.{n}").then(pl.format("No.{}", c("addr_number")))
        .otherwise(c("addr_number"))
    )  # fmt: skip
    street = pl.concat_str([number, c("addr_street")], separator=" ", ignore_nulls=True)
    vietnamese = c("script") == "vietnamese"
    local_city = (c("country").is_in(["TR", "MX"]) & ~c("h_fold")) | vietnamese
    city = (
        pl.when((c("u_variant") < c("h_city_variant")) & c("addr_city_variant").is_not_null())
        .then(c("addr_city_variant"))
        .when(local_city & c("addr_city_native").is_not_null()).then(c("addr_city_native"))
        .otherwise(c("addr_city"))
    )  # fmt: skip
    province = pl.when(vietnamese).then(c("addr_province_native")).otherwise(c("addr_province"))
    park = (
        pl.when(vietnamese & c("addr_park_native").is_not_null())
        .then(c("addr_park_native"))
        .otherwise(c("addr_park"))
    )
    district = pl.when(c("h_district")).then(c("addr_district"))
    postcode = pl.when(c("h_postcode")).then(c("addr_postcode"))
    modes = {
        "full": [c("addr_plot"), street, park, district, city, province, postcode],
        "no_province": [c("addr_plot"), street, park, district, city, postcode],
        "street_city": [c("addr_plot"), street, park, city],
        "city_only": [city, province],
    }
    address = pl.lit(None, pl.String)
    for mode, parts in modes.items():
        forward = pl.concat_str(parts, separator=", ", ignore_nulls=True)
        backward = pl.concat_str(parts[::-1], separator=", ", ignore_nulls=True)
        written = pl.when(c("h_reversed")).then(backward).otherwise(forward)
        address = pl.when(c("h_address") == mode).then(written).otherwise(address)
    address = pl.when(c("pattern") == "seed").then(c("addr_street")).otherwise(address)
    address = pl.when(c("h_address") == "none").then(None).otherwise(address)
    return (
        pl.when(c("h_country_in_address"))
        .then(pl.concat_str([address, c("c_name")], separator=", "))
        .otherwise(address)
    )


def country() -> pl.Expr:
    c = pl.col
    style = c("h_country_style")
    variant = c("c_variants").list.get(
        (c("u_country") * c("c_variants").list.len()).cast(pl.Int64), null_on_oob=True
    )
    return (
        pl.when((c("script") == "native") & c("c_native").is_not_null() & (c("u_country") < 0.5))
        .then(c("c_native"))
        .when(style == "name").then(c("c_name"))
        .when(style == "upper_name").then(c("c_name").str.to_uppercase())
        .when(style == "alpha3").then(c("c_alpha3"))
        .when(style == "variant").then(variant)
        .otherwise(c("country"))
    )  # fmt: skip


def positions(frame: pl.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates at the list's quality: missing, exact, jittered (metres), rounded, offset by up to
    ~2 km (a geocoder's guess at the street) or at the city centre."""
    mode = frame["h_coords"].to_numpy()
    lat, lng = frame["lat"].to_numpy().astype(float), frame["lng"].to_numpy().astype(float)
    n = len(lat)
    angle = rng.random(n) * 2 * np.pi
    km = np.select(
        [mode == "jitter", mode == "offset", mode == "centroid"],
        [
            np.abs(rng.normal(0, 1, n)) * frame["h_jitter_m"].to_numpy() / 1000,
            rng.uniform(0.3, 1, n) * frame["h_offset_km"].to_numpy(),
            rng.uniform(0, 3, n),
        ],
        0.0,
    )
    base_lat = np.where(mode == "centroid", frame["city_lat"].to_numpy().astype(float), lat)
    base_lng = np.where(mode == "centroid", frame["city_lng"].to_numpy().astype(float), lng)
    new_lat = base_lat + km * np.cos(angle) / KM_PER_DEGREE
    new_lng = base_lng + km * np.sin(angle) / (KM_PER_DEGREE * np.maximum(np.cos(np.radians(base_lat)), 0.01))
    digits = frame["h_round_digits"].to_numpy()
    rounded = mode == "rounded"
    new_lat = np.where(rounded, np.where(digits == 2, np.round(lat, 2), np.round(lat, 3)), new_lat)
    new_lng = np.where(rounded, np.where(digits == 2, np.round(lng, 2), np.round(lng, 3)), new_lng)
    missing = (
        (mode == "missing")
        | (frame["u_coords"].to_numpy() < frame["h_coords_missing"].to_numpy())
        | np.isnan(lat)
        | np.isnan(lng)
    )
    return np.where(missing, np.nan, new_lat), np.where(missing, np.nan, new_lng)
