"""Contributor lists: 320 brands, multi-stakeholder initiatives and auditors, each with its own habits.

A list writes every facility its own way, drawn once per list from the seed (see `habits`): case,
legal forms (kept, dropped, shortest, longest, another spelling), abbreviations (Co./Company, Ltd/
Limited, Mfg, Intl, Pvt, Rd), where a Chinese name's registered city goes (front, back, brackets or
left out), pinyin syllables joined or apart, trades translated or in pinyin, Chinese characters for a
share of Chinese and Hong Kong facilities, Vietnamese names in Vietnamese, diacritics kept or folded,
address completeness and order, "No." / "#" before numbers, postcodes, the city's variant spelling,
country as a code, a name or a variant ("Viet Nam", "PRC", "Hong Kong, China", "Türkiye"), and
coordinates exact, jittered, rounded, offset by up to ~2 km (a geocoder's guess), at the city centre
or missing; per-row slips (typos) at the list's own rate. A fifth of the lists cover one country only
(a Chinese auditor, a Bangladeshi initiative). List sizes are skewed: a few big brands name thousands.

`assign` deals each facility's mentions to distinct lists, with probability proportional to list size
among the lists that cover its country.
"""

from __future__ import annotations

import numpy as np
import polars as pl

LIST_COUNT = 320


def _pick(rng: np.random.Generator, n: int, options: dict[str, float]) -> np.ndarray:
    names = np.array(list(options), dtype=object)
    weights = np.array(list(options.values()))
    return names[rng.choice(len(names), n, p=weights / weights.sum())]


def habits(seed: int, countries: pl.DataFrame) -> pl.DataFrame:
    """One row per list: its size weight, the country it covers (null: all) and every habit."""
    rng = np.random.default_rng([seed, 7919])
    n = LIST_COUNT
    focused = rng.random(n) < 0.2
    shares = countries["share"].to_numpy()
    focus = np.where(focused, countries["country"].to_numpy()[rng.choice(len(shares), n, p=shares)], None)
    chinese = (focus == "CN") | (focus == "HK")
    native_rate = np.where(
        chinese, rng.uniform(0.6, 1.0, n), np.where(rng.random(n) < 0.12, rng.uniform(0.2, 0.6, n), 0.0)
    )
    return pl.DataFrame(
        {
            "list_id": [f"L{i:03d}" for i in range(n)],
            "kind": _pick(rng, n, {"brand": 0.65, "msi": 0.15, "auditor": 0.2}),
            "weight": 1.0 / (rng.permutation(n) + 8.0),
            "focus": pl.Series(focus.tolist(), dtype=pl.String),
            "case": _pick(rng, n, {"keep": 0.5, "upper": 0.25, "title": 0.15, "lower": 0.1}),
            "legal": _pick(rng, n, {"keep": 0.45, "drop": 0.2, "short": 0.15, "long": 0.1, "other": 0.1}),
            "abbreviate": _pick(rng, n, {"none": 0.5, "abbreviate": 0.35, "expand": 0.15}),
            "dot": rng.random(n) < 0.5,
            "place": _pick(rng, n, {"prefix": 0.55, "drop": 0.25, "suffix": 0.1, "paren": 0.1}),
            "spacing": _pick(rng, n, {"joined": 0.6, "spaced": 0.3, "camel": 0.1}),
            "trade": _pick(rng, n, {"canonical": 0.75, "alternate": 0.15, "local": 0.1}),
            "native_rate": native_rate,
            "vietnamese": np.where(focus == "VN", rng.random(n) < 0.6, rng.random(n) < 0.1),
            "fold": rng.random(n) < 0.45,
            "address": _pick(
                rng, n, {"full": 0.5, "no_province": 0.2, "street_city": 0.15, "city_only": 0.05, "none": 0.1}
            ),
            "reversed": rng.random(n) < 0.25,
            "number_style": _pick(rng, n, {"No. {n}": 0.3, "#{n}": 0.15, "{n}": 0.45, "No.{n}": 0.1}),
            "pinyin_roads": rng.random(n) < 0.2,
            "city_variant": rng.uniform(0.0, 0.6, n),
            "postcode": rng.random(n) < 0.55,
            "district": rng.random(n) < 0.7,
            "country_in_address": rng.random(n) < 0.2,
            "address_missing": rng.uniform(0.0, 0.3, n),
            "country_style": _pick(
                rng, n, {"alpha2": 0.3, "name": 0.3, "upper_name": 0.1, "alpha3": 0.1, "variant": 0.2}
            ),
            "coords": _pick(
                rng,
                n,
                {
                    "missing": 0.3,
                    "exact": 0.1,
                    "jitter": 0.2,
                    "rounded": 0.1,
                    "offset": 0.15,
                    "centroid": 0.15,
                },
            ),
            "coords_missing": rng.uniform(0.0, 0.3, n),
            "jitter_m": rng.uniform(20, 200, n),
            "offset_km": rng.uniform(0.5, 2.0, n),
            "round_digits": rng.choice([2, 3], n),
            "typo_rate": rng.uniform(0.0, 0.15, n),
        }
    )


def assign(
    countries: np.ndarray, mentions: np.ndarray, lists: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """(fac, list): for facility i (country countries[i]) `mentions[i]` distinct lists, drawn with
    probability proportional to list weight among the lists covering its country (Gumbel top-k)."""
    weight = lists["weight"].to_numpy()
    focus = lists["focus"].to_numpy()
    facs, picks = [], []
    for country in np.unique(countries):
        eligible = np.log(np.where((focus == None) | (focus == country), weight, 0.0) + 1e-300)  # noqa: E711
        rows = np.flatnonzero(countries == country)
        for m in np.unique(mentions[rows]):
            chosen = rows[mentions[rows] == m]
            for start in range(0, len(chosen), 20_000):
                block = chosen[start : start + 20_000]
                keys = eligible - np.log(-np.log(rng.random((len(block), len(weight)))))
                top = (
                    np.argpartition(-keys, m - 1, axis=1)[:, :m]
                    if m < len(weight)
                    else np.argsort(-keys, axis=1)
                )
                facs.append(np.repeat(block, m))
                picks.append(top.ravel())
    order = np.argsort(np.concatenate(facs), kind="stable")
    return pl.DataFrame({"fac": np.concatenate(facs)[order], "list": np.concatenate(picks)[order]})
