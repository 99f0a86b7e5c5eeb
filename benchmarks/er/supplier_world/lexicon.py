"""The word lists the supplier world is built from, read once from `data/*.csv`.

Each CSV says in its header comment what it holds and where its spellings come from; this module only
loads them into Polars frames and adds derived columns (list-valued variants, the v1 benchmark's legal
forms for the real seed facilities). Nothing here is random.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from benchmarks.er.vocabulary import LEGAL_PREFIXES, LEGAL_SUFFIXES

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> pl.DataFrame:
    """A data file as strings, comment lines skipped, empty cells as nulls."""
    return pl.read_csv(DATA / name, comment_prefix="#", infer_schema_length=0)


@dataclass(frozen=True)
class Lexicon:
    """Every vocabulary table, keyed by ISO alpha-2 country where it applies."""

    countries: pl.DataFrame
    places: pl.DataFrame
    parks: pl.DataFrame
    industries: pl.DataFrame
    legal: pl.DataFrame
    words: pl.DataFrame
    streets: pl.DataFrame
    districts: pl.DataFrame

    def of(self, table: str, country: str) -> pl.DataFrame:
        """The rows of `table` for one country, in file order."""
        return getattr(self, table).filter(pl.col("country") == country)


def _legal() -> pl.DataFrame:
    """Legal-form groups: the supplier world's own plus the v1 benchmark's (for the real seed names)."""
    own = read("legal.csv").with_columns(
        pl.col("spellings").fill_null("").str.split("|"), pl.col("native").fill_null("")
    )
    v1 = [
        {"group": f"v1s{i}", "side": "suffix", "native": "", "spellings": list(group)}
        for i, group in enumerate(LEGAL_SUFFIXES)
    ] + [
        {"group": f"v1p{i}", "side": "prefix", "native": "", "spellings": list(group)}
        for i, group in enumerate(LEGAL_PREFIXES)
    ]
    return pl.concat([own, pl.DataFrame(v1, schema=own.schema)])


@cache
def load() -> Lexicon:
    """All tables (cached: the files never change while a process runs)."""
    countries = read("countries.csv").with_columns(
        pl.col("share").cast(pl.Float64),
        pl.col("postcode_digits").cast(pl.Int64),
        pl.col("variants").str.split("|"),
    )
    places = (
        read("places.csv")
        .with_columns(
            pl.col("lat", "lng", "spread_km", "weight").cast(pl.Float64),
            pl.col("city_variants").fill_null("").str.split("|"),
        )
        .with_row_index("place_id")
    )
    industries = read("industries.csv").with_columns(pl.col("alternates").fill_null("").str.split("|"))
    return Lexicon(
        countries=countries,
        places=places,
        parks=read("parks.csv"),
        industries=industries,
        legal=_legal(),
        words=read("words.csv"),
        streets=read("streets.csv"),
        districts=read("districts.csv"),
    )
