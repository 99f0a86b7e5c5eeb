"""Subnational risk regions: is a facility located in one (the XUAR first), by its address or coordinates?

The regions, their legal basis and source are data (`risk_regions/regions.csv`), with the place names
that put an address in them (`risk_regions/places.csv`: English, pinyin and Chinese) and an approximate
outline (`risk_regions/boundaries.json`: an inner polygon surely within the region, an outer one
surely around it). See `risk_regions/README.md` for sources and licences.

Per facility, every address any source gave it is normalised by entity_resolution (Chinese romanised,
Kashgar read as kashi, ...) after invisible characters are stripped, then:
- the address names a place of the region (not as a street name: "Urumqi Road, Shanghai" is not
  Urumqi) and the facility's country is the region's -> located by `address`;
- otherwise, coordinates inside the inner polygon and an address that names no other province ->
  located by `coordinates`.
A facility located in a region gets its forcing driver and at least its `minimum_band`.
`location_check` flags for review what must not be silently trusted: an address in the region with
coordinates plotted outside it, coordinates in the region with an address in another province, and
coordinates near the boundary (between the polygons) with no address in the region.
"""

from __future__ import annotations

import csv
import json
import re
from functools import cache, lru_cache
from pathlib import Path

import polars as pl

from entity_resolution.normalise import normalise_address
from risk_model.text_safety import comparable

DATA = Path(__file__).parent / "risk_regions"
STREET_WORDS = ("road", "street", "lu", "jie", "avenue", "lane", "alley", "xiang", "hutong")
LOCATION_SCHEMA = {
    "facility_id": pl.String,
    "region_id": pl.String,
    "region_driver": pl.String,
    "region_source": pl.String,
    "minimum_band": pl.String,
    "located_by": pl.String,
    "location_check": pl.String,
}


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@cache
def regions() -> dict[str, dict[str, str]]:
    """region_id -> its row in regions.csv (name, country, legal basis, source, minimum band, driver)."""
    return {row["region_id"]: row for row in _rows("regions.csv")}


def _phrase_pattern(phrases: set[str], street_guard: bool) -> re.Pattern[str]:
    ordered = sorted((p for p in phrases if p), key=len, reverse=True)
    guard = r"(?!\s+(?:" + "|".join(STREET_WORDS) + r")\b)" if street_guard else ""
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b" + guard)


@cache
def place_patterns() -> dict[str, re.Pattern[str]]:
    """region_id -> a pattern finding its place names in a normalised address."""
    spellings: dict[str, set[str]] = {}
    for row in _rows("places.csv"):
        names = "|".join([row["english"], row["pinyin"], row["chinese"]]).split("|")
        spellings.setdefault(row["region_id"], set()).update(normalise_address(n) for n in names)
    return {region: _phrase_pattern(names, street_guard=True) for region, names in spellings.items()}


@cache
def _may_name_a_place() -> re.Pattern[str]:
    """A cheap first look at a raw address: does any spelling of any region place occur in it at all?
    Only such addresses go through the (costlier) normalisation and the whole-word match."""
    spellings = {
        spelling.casefold()
        for row in _rows("places.csv")
        for spelling in "|".join([row["english"], row["pinyin"], row["chinese"]]).split("|")
        if spelling
    }
    return re.compile("|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True)))


@cache
def _other_provinces() -> re.Pattern[str]:
    return _phrase_pattern({row["province"] for row in _rows("other_provinces.csv")}, street_guard=True)


@cache
def _polygons() -> dict[str, dict[str, list[list[float]]]]:
    return json.loads((DATA / "boundaries.json").read_text(encoding="utf-8"))["regions"]


def inside(lng: float, lat: float, polygon: list[list[float]]) -> bool:
    """Even-odd ray casting: is (lng, lat) inside `polygon` ([lng, lat] vertices)?"""
    found = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[-1:] + polygon[:-1], strict=True):
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            found = not found
    return found


def coordinate_zone(region_id: str, lat: float | None, lng: float | None) -> str | None:
    """ "inside", "near" (between the inner and outer outline), "outside", or None without coordinates."""
    if lat is None or lng is None:
        return None
    outline = _polygons()[region_id]
    if inside(lng, lat, outline["inner"]):
        return "inside"
    return "near" if inside(lng, lat, outline["outer"]) else "outside"


@lru_cache(maxsize=65536)
def address_region(address: str | None) -> str | None:
    """The risk region a (raw) address names, or None."""
    folded = comparable(address)
    if not _may_name_a_place().search(folded.casefold()):
        return None
    text = normalise_address(folded)
    return next((region for region, pattern in place_patterns().items() if pattern.search(text)), None)


@lru_cache(maxsize=65536)
def names_other_province(address: str | None) -> str | None:
    """The other Chinese province an address names (pinyin), or None."""
    found = _other_provinces().search(normalise_address(comparable(address)))
    return found.group(0) if found else None


def _locate_one(country: str | None, addresses: list[str], lat, lng) -> dict | None:
    by_address = next((r for a in addresses if (r := address_region(a))), None)
    for region_id, region in regions().items():
        if country not in (None, region["country_code"]):
            continue
        zone = coordinate_zone(region_id, lat, lng)
        elsewhere = None
        if zone == "inside" and by_address != region_id:  # only then can another province contradict
            elsewhere = next((p for a in addresses if (p := names_other_province(a))), None)
        name = region["region_name"]
        where = f"({lat:.4f}, {lng:.4f})" if zone else ""
        if by_address == region_id:
            check = None
            if zone == "outside":
                check = (
                    f"address in the {name} but coordinates {where} plotted outside it: check the location"
                )
            return _row(region, "address", check)
        if zone == "inside" and elsewhere:
            check = f"coordinates {where} in the {name} but the address names {elsewhere}: check the location"
            return _row(region, None, check)
        if zone == "inside":
            return _row(region, "coordinates", None)
        if zone == "near":
            return _row(region, None, f"coordinates {where} near the {name} boundary: check the address")
    return None


def _row(region: dict, located_by: str | None, check: str | None) -> dict:
    located = located_by is not None
    return {
        "region_id": region["region_id"] if located else None,
        "region_driver": region["driver"] if located else None,
        "region_source": region["citation"] if located else None,
        "minimum_band": region["minimum_band"] if located else None,
        "located_by": located_by,
        "location_check": check,
    }


def locate(facilities: pl.DataFrame, record_addresses: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per facility located in a risk region or flagged for a location check
    (`LOCATION_SCHEMA`). `record_addresses` (facility_id, address) adds every address sources gave."""
    addresses = facilities.select("facility_id", "address")
    if record_addresses is not None and record_addresses.height:
        addresses = pl.concat([addresses, record_addresses.select("facility_id", "address")])
    per_facility = (
        addresses.drop_nulls("address")
        .unique(maintain_order=True)
        .group_by("facility_id", maintain_order=True)
        .agg(pl.col("address").alias("addresses"))
    )
    countries = sorted({region["country_code"] for region in regions().values()})
    frame = (
        facilities.select("facility_id", "country_code", "lat", "lng")
        .filter(pl.col("country_code").is_null() | pl.col("country_code").is_in(countries))
        .join(per_facility, on="facility_id", how="left")
    )  # only facilities in (or of unknown) region countries can be located: the rest cost nothing
    found = []
    for row in frame.iter_rows(named=True):
        located = _locate_one(row["country_code"], row["addresses"] or [], row["lat"], row["lng"])
        if located:
            found.append({"facility_id": row["facility_id"], **located})
    return pl.DataFrame(found, schema=LOCATION_SCHEMA)
