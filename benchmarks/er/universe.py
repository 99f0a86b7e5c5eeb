"""The true facilities of a benchmark set: real seed facilities, synthetic ones, and sibling sites.

Sources and their share of facilities: OS Hub-style apparel suppliers 40 %, E-PRTR industrial sites
15 %, CARMA power plants 45 %. Real seed facilities are used first; beyond them a synthetic facility
copies a real one of the same source and country with its distinctive name words replaced by
words spliced from that country's real words ("Huamei" + "Jinda" -> "Huada") and the address of
another real facility there, renumbered, a few km away. Names are unique per country.

Hard negatives are built in, never by chance: OS Hub-style facilities get sibling sites (10 %:
"X Unit 1/Unit 2" a few hundred metres apart, or divisions "X Knitting" / "X Dyeing" of the same
group); E-PRTR sites of one parent company (often in one city) and CARMA plants of one company stay
together in a group, and a group never straddles the development / test split.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import polars as pl

from benchmarks.er import noise, seeds
from benchmarks.er.vocabulary import DIVISIONS, UNIT_KINDS

SHARES = {"oshub": 0.40, "eprtr": 0.15, "carma": 0.45}
SIBLING_RATE = 0.10
MAX_GROUP = 25


@dataclass(slots=True)
class Form:
    """One way the facility itself is recorded (E-PRTR keeps each yearly report's spelling)."""

    core: str
    legal: tuple[str, int, int]
    address: str
    lat: float | None
    lng: float | None


@dataclass(slots=True)
class Facility:
    """A true facility: its forms, parent company, group (kept within one split) and unit."""

    source: str
    kind: str
    country: str
    forms: list[Form]
    parent: str | None = None
    group: str = ""
    unit: tuple[str, int] | None = None
    facility_id: str = ""
    mentions: int = 0
    extra: dict = field(default_factory=dict)


def _form(name: str, address: str | None, lat: float | None, lng: float | None) -> Form:
    core, written, group, side = noise.split_legal_form(name.strip())
    return Form(core, (written, group, side), (address or "").strip(), lat, lng)


def base_facilities() -> dict[str, list[Facility]]:
    """The real seed facilities per source (E-PRTR with every report version as a form)."""
    oshub = [
        Facility("oshub", "base", r["country_code"], [_form(r["name"], r["address"], r["lat"], r["lng"])])
        for r in seeds.load_oshub().iter_rows(named=True)
    ]
    eprtr: dict[str, Facility] = {}
    for r in seeds.load_eprtr().iter_rows(named=True):
        locality = " ".join(v for v in (r["postcode"], r["city"]) if v)
        address = ", ".join(v for v in (r["street"], locality) if v)
        form = _form(r["name"], address, r["lat"], r["lng"])
        if r["facility_id"] in eprtr:
            eprtr[r["facility_id"]].forms.append(form)
        else:
            eprtr[r["facility_id"]] = Facility("eprtr", "base", r["country_code"], [form], r["parent"])
    carma = [
        Facility(
            "carma", "base", r["country_code"], [_form(r["plant"], "", r["lat"], r["lng"])], r["company"]
        )
        for r in seeds.load_carma().iter_rows(named=True)
    ]
    return {"oshub": oshub, "eprtr": list(eprtr.values()), "carma": carma}


def generic_words(facilities: list[Facility]) -> frozenset[str]:
    """Words frequent enough in a source's names to be descriptors rather than identity."""
    counts = Counter(w.casefold() for f in facilities for w in set(f.forms[0].core.split()))
    threshold = max(4, int(len(facilities) * 0.0005))
    return frozenset(w for w, n in counts.items() if n >= threshold or not w.isalpha())


class Synthesiser:
    """Makes new, distinct facilities of one source from its real ones (see module docstring)."""

    def __init__(self, source: str, bases: list[Facility], generic: frozenset[str], rng: random.Random):
        self.source, self.bases, self.generic, self.rng = source, bases, generic, rng
        self.by_country: dict[str, list[Facility]] = defaultdict(list)
        pools: dict[str, set[str]] = defaultdict(set)
        for facility in bases:
            self.by_country[facility.country].append(facility)
            for word in facility.forms[0].core.split():
                if word.isalpha() and len(word) >= 4 and word.casefold() not in generic:
                    pools[facility.country].add(word.lower())
                    pools[""].add(word.lower())
        self.pools = {c: sorted(p) for c, p in pools.items()}

    def _splice(self, word: str, country: str) -> str:
        pool = self.pools.get(country) if len(self.pools.get(country, ())) >= 20 else self.pools[""]
        for _ in range(10):
            left, right = self.rng.choice(pool), self.rng.choice(pool)
            new = left[: self.rng.randint(2, len(left) - 1)] + right[self.rng.randint(1, len(right) - 2) :]
            if len(new) >= 4 and new not in (left, right):
                break
        return new.upper() if word.isupper() else new.capitalize() if word[:1].isupper() else new

    def make(self, taken: set[tuple[str, str]]) -> Facility:
        """A new facility whose (country, name) is not in `taken` (which it extends)."""
        base = self.rng.choice(self.bases)
        form = base.forms[0]
        for _ in range(8):
            words = [
                self._splice(w, base.country) if w.isalpha() and w.casefold() not in self.generic else w
                for w in form.core.split()
            ]
            if words == form.core.split():
                words.append(self._splice("Xxxx", base.country))
            core = " ".join(words)
            if (base.country, core.casefold()) not in taken:
                break
        taken.add((base.country, core.casefold()))
        same_site = self.source == "eprtr" and self.rng.random() < 0.3
        donor = base if same_site else self.rng.choice(self.by_country[base.country])
        lat, lng = donor.forms[0].lat, donor.forms[0].lng
        if lat is not None and lng is not None:
            spread = (2_000, 40_000) if self.source == "carma" else (300, 5_000)
            lat, lng = noise.offset(lat, lng, self.rng.uniform(*spread), self.rng)
        keep_parent = self.source == "carma" or self.rng.random() < 0.5
        address = noise.renumber(donor.forms[0].address, self.rng)
        return Facility(
            self.source,
            "synthetic",
            base.country,
            [Form(core, form.legal, address, lat, lng)],
            base.parent if keep_parent else None,
        )


def add_siblings(facility: Facility, generic: frozenset[str], rng: random.Random) -> list[Facility]:
    """Sibling sites of an OS Hub-style facility: numbered units or divisions of the same group."""
    form = facility.forms[0]
    count = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    siblings = []
    if rng.random() < 0.6:
        kind = rng.choices([k for k, _ in UNIT_KINDS], weights=[w for _, w in UNIT_KINDS])[0]
        facility.unit = (kind, 1)
        for number in range(2, count + 2):
            siblings.append(_sibling(facility, form.core, "unit_sibling", (100, 1_500), rng))
            siblings[-1].unit = (kind, number)
        return siblings
    words = form.core.split()
    generic_at = [i for i, w in enumerate(words) if w.casefold() in generic and w.isalpha()]
    for division in rng.sample(DIVISIONS, count):
        if generic_at:
            changed = list(words)
            changed[generic_at[-1]] = division.upper() if words[generic_at[-1]].isupper() else division
            core = " ".join(changed)
        else:
            core = f"{form.core} {division.upper() if form.core.isupper() else division}"
        siblings.append(_sibling(facility, core, "division_sibling", (300, 3_000), rng))
    return siblings


def _sibling(
    facility: Facility, core: str, kind: str, spread: tuple[int, int], rng: random.Random
) -> Facility:
    form = facility.forms[0]
    lat, lng = form.lat, form.lng
    if lat is not None and lng is not None:
        lat, lng = noise.offset(lat, lng, rng.uniform(*spread), rng)
    address = noise.renumber(form.address, rng) if rng.random() < 0.6 else form.address
    return Facility(facility.source, kind, facility.country, [Form(core, form.legal, address, lat, lng)])


def _group_key(facility: Facility, index: int) -> str:
    if facility.source != "oshub" and facility.parent:
        return f"{facility.source}:{facility.country}:{facility.parent.casefold()}"
    return f"{facility.source}:{index}"


def build_universe(
    primary_count: int, rng: random.Random
) -> tuple[list[Facility], dict[str, frozenset[str]]]:
    """About `primary_count` facilities (plus OS Hub-style siblings) with ids and groups set, and
    the generic words of each source."""
    bases = base_facilities()
    taken = {(f.country, form.core.casefold()) for fs in bases.values() for f in fs for form in f.forms}
    facilities: list[Facility] = []
    generic_by_source = {}
    for source, share in SHARES.items():
        quota = round(primary_count * share)
        chosen = _sample_by_company(bases[source], quota, rng)
        generic = generic_by_source[source] = generic_words(bases[source])
        synthesiser = Synthesiser(source, bases[source], generic, rng)
        chosen += [synthesiser.make(taken) for _ in range(quota - len(chosen))]
        for facility in chosen:
            facilities.append(facility)
            if source == "oshub" and rng.random() < SIBLING_RATE:
                siblings = add_siblings(facility, generic, rng)
                facility.extra["siblings"] = siblings
                facilities.extend(siblings)
    return _assign_groups(facilities), generic_by_source


def _sample_by_company(facilities: list[Facility], quota: int, rng: random.Random) -> list[Facility]:
    """Up to `quota` facilities, whole companies at a time (so a company's sites appear together)."""
    companies: dict[str, list[Facility]] = defaultdict(list)
    for index, facility in enumerate(facilities):
        companies[facility.parent or f"#{index}"].append(facility)
    order = list(companies)
    rng.shuffle(order)
    pool = [facility for key in order for facility in companies[key]]
    return pool[:quota]


def _assign_groups(facilities: list[Facility]) -> list[Facility]:
    """Facility ids in order; siblings share their facility's group; large groups cut into chunks."""
    members: dict[str, list[Facility]] = defaultdict(list)
    for index, facility in enumerate(facilities):
        facility.facility_id = f"F{index:07d}"
        if facility.kind.endswith("sibling"):
            continue
        key = _group_key(facility, index)
        members[key].append(facility)
        members[key].extend(facility.extra.pop("siblings", []))
    for key, group in members.items():
        for i, facility in enumerate(group):
            facility.group = f"{key}#{i // MAX_GROUP}" if len(group) > MAX_GROUP else key
    return facilities


def mention_counts(count: int, rng: random.Random) -> list[int]:
    """Skewed appearances per facility: P(k) proportional to k^-1.8 for k in 1..12 (mean ~2.2)."""
    weights = [k**-1.8 for k in range(1, 13)]
    return rng.choices(range(1, 13), weights=weights, k=count)


def split_summary(facilities: list[Facility]) -> pl.DataFrame:
    """Facilities per source and kind (for the generator's report)."""
    return (
        pl.DataFrame({"source": [f.source for f in facilities], "kind": [f.kind for f in facilities]})
        .group_by("source", "kind")
        .len()
        .sort("source", "kind")
    )
