"""Mentions: a facility as one contributor's list writes it.

Noise is list-consistent: each of the `LIST_COUNT` synthetic lists has one style (case, legal forms,
abbreviations, transliteration, address completeness, country spelling, coordinate quality, how
it names a company's plant) applied to all its rows, plus per-row slips at the list's rates
(typos, word order, dropped words, syllable spacing, lost separators). Every row carries the tags
of what was done to it, so errors can be traced back to their cause.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

import pycountry

from benchmarks.er import noise
from benchmarks.er.universe import Facility, Form
from benchmarks.er.vocabulary import ROMAN, UNIT_FORMATS

LIST_COUNT = 60
COUNTRY_ERROR_RATE = 0.002
BROKEN_SPACING_RATE = 0.01
UNIT_ONE_SHOWN = 0.4


@dataclass(frozen=True, slots=True)
class ListStyle:
    """How one contributor's list writes facilities (drawn once per list from the seed)."""

    list_id: str
    case: str
    legal: str
    abbreviations: str
    dot: bool
    ascii: str
    address: str
    country: str
    coords: str
    coord_missing: float
    jitter_metres: float
    company: str
    unit_format: str
    country_suffix: bool
    wade_giles: bool
    vietnamese: bool
    typo_rate: float
    order_rate: float
    drop_rate: float
    spacing_rate: float


def _pick(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def list_styles(seed: int) -> list[ListStyle]:
    """The `LIST_COUNT` list styles of a benchmark set."""
    styles = []
    for index in range(LIST_COUNT):
        rng = random.Random(seed * 7919 + index)
        styles.append(
            ListStyle(
                list_id=f"L{index:02d}",
                case=_pick(rng, {"keep": 0.5, "upper": 0.25, "title": 0.15, "lower": 0.1}),
                legal=_pick(rng, {"keep": 0.45, "drop": 0.2, "short": 0.15, "long": 0.1, "other": 0.1}),
                abbreviations=_pick(rng, {"none": 0.5, "abbreviate": 0.35, "expand": 0.15}),
                dot=rng.random() < 0.5,
                ascii=_pick(rng, {"keep": 0.55, "strip": 0.35, "german": 0.1}),
                address=_pick(
                    rng,
                    {"full": 0.55, "no_postcode": 0.2, "truncated": 0.12, "city_only": 0.05, "empty": 0.08},
                ),
                country=_pick(
                    rng, {"alpha2": 0.35, "name": 0.35, "alpha3": 0.15, "upper_name": 0.1, "eu": 0.05}
                ),
                coords=_pick(
                    rng, {"exact": 0.15, "jitter": 0.35, "rounded": 0.1, "centroid": 0.1, "missing": 0.3}
                ),
                coord_missing=rng.uniform(0.0, 0.3),
                jitter_metres=rng.uniform(30, 300),
                company=_pick(rng, {"plant": 0.7, "company_plant": 0.15, "plant_company": 0.15}),
                unit_format=rng.choice(UNIT_FORMATS),
                country_suffix=rng.random() < 0.25,
                wade_giles=rng.random() < 0.1,
                vietnamese=rng.random() < 0.2,
                typo_rate=rng.uniform(0.02, 0.2),
                order_rate=rng.uniform(0.0, 0.12),
                drop_rate=rng.uniform(0.0, 0.1),
                spacing_rate=rng.uniform(0.0, 0.08),
            )
        )
    return styles


def list_weights() -> list[float]:
    """Lists differ in size: weight proportional to 1 / (rank + 5)."""
    return [1 / (rank + 5) for rank in range(LIST_COUNT)]


@cache
def country_spellings(code: str) -> dict[str, str]:
    """alpha2, alpha3, name, upper_name and eu (E-PRTR's UK / EL) spellings of a country."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return {"alpha2": code, "alpha3": code, "name": code, "upper_name": code, "eu": code}
    name = getattr(country, "common_name", None) or country.name
    eu = {"GB": "UK", "GR": "EL"}.get(code, code)
    return {"alpha2": code, "alpha3": country.alpha_3, "name": name, "upper_name": name.upper(), "eu": eu}


def _unit_text(unit: tuple[str, int], style: ListStyle) -> str:
    kind, number = unit
    return style.unit_format.format(kind=kind, n=number, r=ROMAN[number] if number < len(ROMAN) else number)


def render_name(
    facility: Facility, form: Form, style: ListStyle, generic: frozenset[str], rng: random.Random, tags: list
):
    """The facility name as this list writes it (see module docstring)."""
    core, legal = form.core, form.legal
    if rng.random() < style.drop_rate:
        core = _tagged(core, noise.drop_word(core, generic, rng), "drop_word", tags)
    if rng.random() < style.order_rate:
        core = _tagged(core, noise.reorder(core, rng), "word_order", tags)
    if rng.random() < style.spacing_rate:
        core = _tagged(core, noise.split_or_join(core, rng), "syllable_spacing", tags)
    if facility.country in ("CN", "TW", "HK") and style.wade_giles and rng.random() < 0.5:
        core = _tagged(core, noise.wade_giles(core), "transliteration", tags)
    if facility.country == "VN" and style.vietnamese:
        core = _tagged(core, noise.vietnamese_diacritics(core), "diacritics_added", tags)
    if facility.parent and style.company != "plant" and facility.source != "oshub":
        parent = noise.split_legal_form(facility.parent)[0]
        if parent.split()[0].casefold() not in core.casefold():
            core = f"{parent} {core}" if style.company == "company_plant" else f"{core} ({parent})"
            tags.append(style.company)
    if facility.unit and (facility.unit[1] > 1 or rng.random() < UNIT_ONE_SHOWN):
        core = f"{core} {_unit_text(facility.unit, style)}"
    name = noise.render_legal_form(core, *legal, style.legal, rng)
    if style.legal != "keep" and legal[2] != 0:
        tags.append(f"legal_{style.legal}")
    name = noise.change_case(noise.abbreviate(name, style.abbreviations, style.dot), style.case)
    name = _tagged(name, noise.transliterate(name, style.ascii), "ascii_fold", tags)
    if rng.random() < style.typo_rate:
        name = noise.typo(name, rng)
        tags.append("typo")
        if rng.random() < 0.25:
            name = noise.typo(name, rng)
    if rng.random() < BROKEN_SPACING_RATE:
        name = _tagged(name, noise.broken_spacing(name, rng), "broken_spacing", tags)
    return name


def render_address(address: str, country: str, style: ListStyle, rng: random.Random, tags: list) -> str:
    """The address as this list writes it: complete, without postcode, truncated or just the city."""
    if not address or style.address == "empty":
        if address:
            tags.append("address_missing")
        return ""
    if style.address == "no_postcode" or rng.random() < 0.1:
        address = _tagged(address, noise.drop_postcode(address), "postcode_dropped", tags)
    if style.address == "truncated":
        address = _tagged(address, noise.truncate(address, rng), "address_truncated", tags)
    elif style.address == "city_only":
        address = _tagged(address, noise.last_component(address), "address_city_only", tags)
    if rng.random() < 0.05:
        address = _tagged(address, noise.join_components(address, rng), "separator_lost", tags)
    if style.country_suffix:
        name = country_spellings(country)["name"]
        if name.casefold() not in address.casefold():
            address = f"{address}, {name}"
    if rng.random() < style.typo_rate / 2:
        address = _tagged(address, noise.typo(address, rng), "address_typo", tags)
    address = noise.abbreviate(address, style.abbreviations, style.dot)
    return noise.transliterate(noise.change_case(address, style.case), style.ascii)


def render_position(lat, lng, style: ListStyle, rng: random.Random, tags: list):
    """Coordinates as this list has them: exact, jittered, rounded, at the locality, or none."""
    if lat is None or lng is None:
        return None, None
    if style.coords == "missing" or rng.random() < style.coord_missing:
        tags.append("coords_missing")
        return None, None
    if style.coords == "jitter":
        return noise.offset(lat, lng, abs(rng.gauss(0, style.jitter_metres)), rng)
    if style.coords == "rounded":
        return round(lat, 2), round(lng, 2)
    if style.coords == "centroid":
        tags.append("coords_locality")
        return noise.offset(lat, lng, rng.uniform(1_500, 8_000), rng)
    return lat, lng


def render(
    facility: Facility, style: ListStyle, generic: frozenset[str], countries: list[str], rng: random.Random
) -> dict:
    """One mention of `facility` in the list with `style`: input columns plus the noise tags."""
    tags: list[str] = []
    form = facility.forms[rng.randrange(len(facility.forms))]
    name = render_name(facility, form, style, generic, rng, tags)
    address = render_address(form.address, facility.country, style, rng, tags)
    lat, lng = render_position(form.lat, form.lng, style, rng, tags)
    country = facility.country
    if rng.random() < COUNTRY_ERROR_RATE:
        country = rng.choice(countries)
        tags.append("country_error")
    return {
        "name": name,
        "address": address,
        "country": country_spellings(country)[style.country],
        "lat": lat,
        "lng": lng,
        "list_id": style.list_id,
        "noise": "|".join(tags),
    }


def _tagged(before: str, after: str, tag: str, tags: list) -> str:
    if after != before:
        tags.append(tag)
    return after
