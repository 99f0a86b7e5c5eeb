"""Relatives of a firm: sibling sites of the same group and namesakes (other firms with its brand word).

Siblings keep the group's name and differ in one way per group: another city of the country (for a
Chinese firm the registered location in its name changes too), another product word, or a unit number
("Unit 2", "Plant 3", 第2分厂) a few hundred metres away, half of them at the very same street address.
Namesakes share the brand word and city but make something else at their own address. Also here: the
rule that keeps unrelated firms' names distinct.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.er.supplier_world import firms, sites
from benchmarks.er.supplier_world.kit import Kit

SITES = ((2, 0.45), (3, 0.25), (4, 0.12), (6, 0.13), (14, 0.05))
UNIT_FORMATS = ("Unit {n}", "Unit-{n}", "Plant {n}", "Factory {n}", "No. {n} Factory")


def name_key(k: Kit) -> list[str]:
    """What two unrelated firms never share: (registered city for China,) brand and trade."""
    return ["addr_city", "brand", "industry_key"] if k.country == "CN" else ["brand", "industry_key"]


def unique_names(k: Kit, frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Redraw the brands of later firms until no two share a `name_key`; after a few rounds with a
    third syllable or word, as a country's two-part names run out at the 1M scale."""
    key = name_key(k)
    for attempt in range(24):
        clash = frame.select(~pl.struct(key).is_first_distinct()).to_series()
        if not clash.any():
            return frame
        fresh = firms.brands(k, int(clash.sum()), rng, longer=attempt >= 3)
        frame = frame.with_row_index("_i")
        rows = frame.filter(clash)["_i"]
        update = pl.DataFrame({"_i": rows, **{c: list(v) for c, v in fresh.items()}})
        frame = frame.update(update, on="_i").drop("_i")
    raise RuntimeError(f"{k.country}: could not make firm names unique")


def _copy(frame: pl.DataFrame, rows: np.ndarray) -> pl.DataFrame:
    return frame[rows.tolist()] if len(rows) else frame.clear()


def _relocate(k: Kit, frame: pl.DataFrame, rng: np.random.Generator, new_city: bool) -> pl.DataFrame:
    """The same firms at new addresses (in a new city of the country when `new_city`)."""
    n = frame.height
    place = rng.choice(k.places.height, n, p=k.place_weights) if new_city else frame["place_id"].to_numpy()
    columns = (sites.city_columns(k, place, rng) if new_city else {}) | sites.addresses(k, place, rng)
    return frame.with_columns(pl.Series(c, list(v) if v.dtype == object else v) for c, v in columns.items())


def siblings(k: Kit, heads: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Sibling sites of each head: another city, another product or a numbered unit (one way per group)."""
    sizes = np.array([s for s, _ in SITES])[rng.choice(len(SITES), heads.height, p=[p for _, p in SITES])]
    sizes = sizes + (rng.random(heads.height) < 0.5) * (sizes >= 6) * rng.integers(0, 4, heads.height)
    way = rng.choice(3, heads.height, p=[0.5, 0.3, 0.2])
    rows = np.repeat(np.arange(heads.height), sizes - 1)
    number = np.concatenate([np.arange(2, s + 1) for s in sizes]) if len(rows) else rows
    copy = _copy(heads, rows).with_columns(kind=pl.lit("sibling"))
    parts = []
    city = way[rows] == 0
    parts.append(_relocate(k, copy.filter(pl.Series(city)), rng, new_city=True))
    product = copy.filter(pl.Series(way[rows] == 1))
    fresh = firms.industries(k, product.height, rng)
    product = product.with_columns(pl.Series(c, list(v)) for c, v in fresh.items())
    parts.append(_relocate(k, product, rng, new_city=False))
    unit = copy.filter(pl.Series(way[rows] == 2))
    fmt = np.array(UNIT_FORMATS, dtype=object)[rng.integers(0, len(UNIT_FORMATS), unit.height)]
    n = number[way[rows] == 2]
    lat, lng = sites.offset_points(
        unit["lat"].to_numpy(), unit["lng"].to_numpy(), rng.uniform(0.1, 1.5, unit.height), rng
    )
    renumber = rng.random(unit.height) < 0.5
    unit = unit.with_columns(
        qualifier=pl.Series([f.format(n=i) for f, i in zip(fmt, n, strict=True)], dtype=pl.String),
        qualifier_native=pl.Series([f"第{i}分厂" for i in n], dtype=pl.String),
        lat=pl.Series(lat),
        lng=pl.Series(lng),
        addr_number=pl.when(pl.Series(renumber))
        .then(pl.Series(rng.integers(1, 999, unit.height).astype(str)))
        .otherwise("addr_number"),
    )
    parts.append(unit)
    return pl.concat(parts, how="diagonal_relaxed")


def namesakes(k: Kit, firms_frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Other firms sharing each firm's brand word and city, making something else, at their own address."""
    counts = rng.integers(1, 4, firms_frame.height)
    rows = np.repeat(np.arange(firms_frame.height), counts)
    copy = _copy(firms_frame, rows)
    fresh = firms.industries(k, copy.height, rng)
    same = fresh["industry_key"] == copy["industry_key"].to_numpy()
    copy = copy.with_columns(pl.Series(c, list(v)) for c, v in fresh.items()).filter(~pl.Series(same))
    copy = copy.with_columns(
        kind=pl.lit("namesake"),
        legal_group=pl.Series(list(firms.legal_forms(k, copy.height, rng)), dtype=pl.String),
    )
    return _relocate(k, copy, rng, new_city=False)
