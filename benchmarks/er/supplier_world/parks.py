"""Industrial parks: many distinct firms at one street address.

A park is a real zone of its city half the time when data/parks.csv lists one (Dhaka Export Processing
Zone, Tan Tao Industrial Park, Demirtaş Organize Sanayi Bölgesi, ...), else the country's pattern filled
with the city and a local word. Its 12-60 tenants are ordinary firms (own brand, trade and legal form)
that share the park's street, number, district and city, sit within 400 m of its centre, and carry a
plot or building number written one way per park ("Plot B-12", "Building 5", "Block C, Unit 3") - or
none at all, as many lists write them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.er.supplier_world import firms, sites
from benchmarks.er.supplier_world.kit import Kit
from benchmarks.er.supplier_world.lexicon import Lexicon

PARK_SIZE = (12, 60)


def _park_names(k: Kit, parks_table: pl.DataFrame, place: np.ndarray, rng: np.random.Generator):
    """A park name (and native name) per park: a real zone of its city half the time when one is
    listed, else the country's pattern filled with the city and a local word."""
    cities = k.places["city"].to_list()
    natives = k.places["city_native"].to_list()
    real = {
        c: parks_table.filter((pl.col("country") == k.country) & (pl.col("city") == c)) for c in set(cities)
    }
    patterns = parks_table.filter((pl.col("country") == k.country) & (pl.col("city") == "*"))
    names, native_names = [], []
    for p, u, w in zip(place, rng.random(len(place)), rng.integers(0, len(k.words), len(place)), strict=True):
        known = real[cities[p]]
        row = (
            known.row(int(u * 2 * known.height))
            if known.height and u < 0.5
            else patterns.row(int(u * patterns.height))
        )
        fill = {
            "city": cities[p],
            "city_native": natives[p] or cities[p],
            "word": k.words[w][:1].upper() + k.words[w][1:],
            "word_native": k.words_native[w] or k.words[w],
        }
        names.append(row[2].format(**fill))
        native_names.append(row[3].format(**fill) if row[3] else None)
    return names, native_names


def tenants(k: Kit, lexicon: Lexicon, count: int, rng: np.random.Generator) -> pl.DataFrame:
    """Tenants of industrial parks: distinct firms at their park's one street address, near its centre,
    most with a plot or building number (one way of writing it per park)."""
    if count < PARK_SIZE[0]:
        return pl.DataFrame()
    sizes = rng.integers(PARK_SIZE[0], PARK_SIZE[1] + 1, count // PARK_SIZE[0] + 1)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), count)) + 1]
    place = rng.choice(k.places.height, len(sizes), p=k.place_weights)
    names, native_names = _park_names(k, lexicon.parks, place, rng)
    site = sites.addresses(k, place, rng) | sites.city_columns(k, place, rng)
    park = np.repeat(np.arange(len(sizes)), sizes)
    frame = firms.draw(k, len(park), rng)
    lat, lng = sites.offset_points(
        site["lat"][park], site["lng"][park], rng.uniform(0.05, 0.4, len(park)), rng
    )
    style = rng.integers(0, 4, len(sizes))[park]
    plotted = rng.random(len(park)) < rng.uniform(0.3, 0.9, len(sizes))[park]
    letter = np.array(list("ABCDEF"), dtype=object)[rng.integers(0, 6, len(park))]
    number = rng.integers(1, 40, len(park)).astype(str).astype(object)
    plot = np.select(
        [style == 0, style == 1, style == 2],
        ["Plot " + letter + "-" + number, "Building " + number, "Block " + letter + ", Unit " + number],
        "Plot No. " + number,
    )
    shared = {c: site[c][park] for c in site if c not in ("lat", "lng")}
    return frame.with_columns(
        *(pl.Series(c, list(v) if v.dtype == object else v) for c, v in shared.items()),
        pl.Series("lat", lat),
        pl.Series("lng", lng),
        pl.Series("addr_park", np.array(names, dtype=object)[park].tolist(), dtype=pl.String),
        pl.Series("addr_park_native", np.array(native_names, dtype=object)[park].tolist(), dtype=pl.String),
        pl.Series("addr_plot", np.where(plotted, plot, None).tolist(), dtype=pl.String),
        family=pl.lit("park"),
        kind=pl.lit("tenant"),
        family_id=pl.Series([f"{k.country}p{i}" for i in park], dtype=pl.String),
    )
