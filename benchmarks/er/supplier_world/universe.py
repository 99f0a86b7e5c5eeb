"""The supplier world's true facilities, in families that never straddle the development / test split.

Families (`family` column) and the facilities in them (`kind`):
- seed: one real Open Supply Hub facility (benchmarks/data/oshub_facilities.csv) as its row writes it;
- single: one synthetic firm at one site (`firm`);
- group: a firm with sibling sites (`sibling`: the same name in another city, "Huafeng Home Textiles
  Rugao" / "... Nantong", with another product word, or a unit number) and/or namesakes (`namesake`:
  other firms sharing its distinctive brand word in the same city, "Hengda Garment" / "Hengda Toys");
- park: an industrial park or export processing zone whose 12-60 `tenant` firms share one street
  address, told apart by plot or building numbers or not at all.
Facilities sit in sourcing countries by the shares in data/countries.csv. Each facility draws how many
lists mention it: P(k) proportional to k^-2.1 for k = 1..80 (64% on one list, 79% on one or two, about
1% on 30 or more: the big suppliers every brand names). Deterministic for a seed.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import polars as pl

from benchmarks.er import noise, seeds
from benchmarks.er.supplier_world import firms, kit, parks, relatives
from benchmarks.er.supplier_world.lexicon import Lexicon, load

MAX_MENTIONS = 80
MENTION_EXPONENT = 2.1
PARK_SHARE = 0.12
GROUP_SHARE, NAMESAKE_SHARE = 0.08, (0.25, 0.04)  # namesakes: of group heads, of single firms


def mention_counts(n: int, rng: np.random.Generator) -> np.ndarray:
    """Lists per facility, heavy-tailed (see module docstring)."""
    k = np.arange(1, MAX_MENTIONS + 1)
    p = k**-MENTION_EXPONENT
    return rng.choice(k, n, p=p / p.sum())


def seed_facilities(lexicon: Lexicon) -> pl.DataFrame:
    """The real seed facilities, each a family of its own, with its legal form split off."""
    rows = seeds.load_oshub().with_columns(pl.col("address").fill_null(""))
    split = [noise.split_legal_form(name.strip()) for name in rows["name"].to_list()]
    legal = [f"v1{'s' if side > 0 else 'p'}{group}" if side else "none" for _, _, group, side in split]
    return rows.select(
        pl.Series("brand", [core for core, *_ in split]),
        pl.Series("brand_spaced", [core for core, *_ in split]),
        pl.Series("legal_group", legal),
        pl.Series("legal_written", [written for _, written, *_ in split]),
        pl.col("country_code").alias("country"),
        pl.col("address").alias("addr_street"),
        "lat",
        "lng",
        pl.col("lat").alias("city_lat"),
        pl.col("lng").alias("city_lng"),
    ).with_columns(
        family=pl.lit("seed"),
        kind=pl.lit("seed"),
        pattern=pl.lit("seed"),
        family_id=pl.format("seed{}", pl.int_range(pl.len())),
    )


GENERIC = frozenset(
    (
        "garment",
        "garments",
        "textile",
        "textiles",
        "tekstil",
        "apparel",
        "apparels",
        "fashion",
        "fashions",
        "industries",
        "industrial",
        "industry",
        "international",
        "group",
        "company",
        "factory",
        "manufacturing",
        "limited",
        "trading",
        "export",
        "exports",
        "knit",
        "knitting",
        "knitwear",
        "sweater",
        "sweaters",
        "denim",
        "washing",
        "dyeing",
        "clothing",
        "wear",
        "mills",
        "mill",
        "private",
        "sanayi",
        "ticaret",
        "anonim",
        "sirketi",
        "şirketi",
        "limitet",
        "global",
        "enterprise",
        "enterprises",
        "corporation",
        "holdings",
        "design",
        "designs",
        "products",
        "accessories",
        "footwear",
        "shoes",
        "leather",
        "fabrics",
        "fabric",
        "cotton",
        "spinning",
        "weaving",
    )
)


def seed_words(lexicon: Lexicon) -> dict[str, list[str]]:
    """Distinctive words of the real seed names per country (in 1-2 names, 4+ letters, not a trade or
    legal word), which join that country's brand words: Turkish, Bengali-English and other real naming
    styles (not used where brands are built from syllables: CN, HK, VN, KH)."""
    rows = seeds.load_oshub()
    stop = set(GENERIC) | {
        w.casefold()
        for spellings in lexicon.legal["spellings"].to_list()
        for s in spellings
        for w in s.split()
    }
    stop |= {w.casefold() for text in lexicon.industries["english"].to_list() for w in text.split()}
    names = rows["name"].to_list()
    counts = Counter(w.casefold() for n in names for w in set(re.findall(r"[^\W\d_]{4,}", n)))
    found: dict[str, set[str]] = {}
    for name, country in rows.select("name", "country_code").iter_rows():
        for word in re.findall(r"[^\W\d_]{4,}", name):
            folded = word.casefold()
            if counts[folded] <= 2 and folded not in stop and word[:1].isupper() and not word.isupper():
                found.setdefault(country, set()).add(word)
    return {country: sorted(words) for country, words in found.items()}


def country_facilities(k: kit.Kit, lexicon: Lexicon, n: int, rng: np.random.Generator) -> pl.DataFrame:
    """About `n` facilities of one country: park tenants, then firms with their relatives. Firms and
    tenants get distinct names; a namesake that would repeat another firm's name is left out."""
    park_frame = parks.tenants(k, lexicon, round(n * PARK_SHARE), rng)
    firm_n = max(1, round((n - park_frame.height) / 1.33))
    both = pl.concat([firms.draw(k, firm_n, rng), park_frame], how="diagonal_relaxed")
    both = relatives.unique_names(k, both, rng)
    frame, park_frame = both.head(firm_n), both.slice(firm_n)
    head = rng.random(firm_n) < GROUP_SHARE
    named = rng.random(firm_n) < np.where(head, NAMESAKE_SHARE[0], NAMESAKE_SHARE[1])
    frame = frame.with_columns(
        family=pl.Series(np.where(head | named, "group", "single")),
        kind=pl.lit("firm"),
        family_id=pl.Series([f"{k.country}f{i}" for i in range(firm_n)], dtype=pl.String),
    )
    parts = [frame, relatives.siblings(k, frame.filter(pl.Series(head)), rng)]
    others = relatives.namesakes(k, frame.filter(pl.Series(named)), rng)
    key = relatives.name_key(k)
    if others.height:
        others = others.unique(key, keep="first", maintain_order=True)
        parts.append(others.join(both.select(key), on=key, how="anti"))
    return pl.concat([p for p in (*parts, park_frame) if p.height], how="diagonal_relaxed")


def _native_address(frame: pl.DataFrame) -> pl.Expr:
    """The full address in Chinese characters (CN, HK), largest unit first, as Chinese lists write it."""
    cn = pl.concat_str(
        pl.col("addr_province_native").fill_null(""),
        pl.col("addr_city_native"),
        pl.lit("市"),
        pl.col("addr_district_native").fill_null(""),
        pl.col("addr_park_native").fill_null(""),
        pl.col("addr_street_native"),
        pl.col("addr_number"),
        pl.lit("号"),
    )
    hk = pl.concat_str(
        pl.col("addr_district_native").fill_null(""),
        pl.col("addr_street_native"),
        pl.col("addr_number"),
        pl.lit("號"),
        pl.col("addr_park_native").fill_null(""),
    )
    return pl.when(pl.col("country") == "CN").then(cn).when(pl.col("country") == "HK").then(hk)


def build(count: int, seed: int) -> pl.DataFrame:
    """About `count` true facilities (all real seed facilities first), with ids, families, the
    canonical spelling of each legal form, native-script names' parts and mention counts."""
    lexicon, rng = load(), np.random.default_rng(seed)
    parts = [seed_facilities(lexicon)]
    synthetic, words = max(count - parts[0].height, 0), seed_words(lexicon)
    for spec in lexicon.countries.iter_rows(named=True):
        k = kit.kit(lexicon, spec["country"], words.get(spec["country"], []))
        parts.append(
            country_facilities(k, lexicon, round(synthetic * spec["share"]), rng).with_columns(
                pattern=pl.lit(spec["pattern"])
            )
        )
    frame = pl.concat(parts, how="diagonal_relaxed")
    spellings = lexicon.legal.select(
        pl.col("group").alias("legal_group"), pl.col("spellings"), pl.col("native").alias("legal_native")
    )
    pick = pl.Series(rng.random(frame.height))
    frame = (
        frame.join(spellings, on="legal_group", how="left", maintain_order="left")
        .with_columns(
            legal_written=pl.coalesce(
                "legal_written",
                pl.col("spellings").list.get(
                    (pick * pl.col("spellings").list.len().clip(1, 3)).cast(pl.Int64).clip(0),
                    null_on_oob=True,
                ),
            ),
            place=pl.when(pl.col("country") == "CN")
            .then("addr_city")
            .when(pl.col("country") == "KH")
            .then(pl.lit("Cambodia")),
            place_native=pl.when(pl.col("country") == "CN").then("addr_city_native"),
        )
        .drop("spellings")
    )
    return frame.with_columns(
        addr_native=_native_address(frame),
        facility_id=pl.format("W{}", pl.int_range(pl.len()).cast(pl.String).str.zfill(7)),
        mentions=pl.Series(mention_counts(frame.height, rng)),
    )
