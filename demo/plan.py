"""Who appears where: which true facilities go into OS Hub, each brand list, audits and worker voice.

The plan is drawn once from its own random stream so every file agrees on membership. Overlaps are
deliberate: most brand-list facilities are also in the OS Hub download, lists share many facilities,
and a few facilities appear in one or two brand lists only (never in OS Hub).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.facilities import Facility, rng_for

THREE_SPELLINGS_NAME = "Dalian Sportech Apparel Co., Ltd."
NORTHWIND, BLUEFJORD, CASA_VERDE = "Northwind Apparel", "Bluefjord Outdoor", "Casa Verde Home"
GRIEVANCE_COUNTS_HIGH = {
    "SYN-HIGH-RISK": 38,
    "SYN-MH-BD": 46,
    "SYN-MH-VN": 33,
    "SYN-MH-CN": 27,
    "SYN-MH-IN": 21,
}
GRIEVANCE_COUNTS_OTHER = [
    60,
    44,
    35,
    30,
    26,
    22,
    20,
    18,
    16,
    15,
    14,
    13,
    12,
    12,
    11,
    11,
    10,
    9,
    8,
    7,
    6,
    5,
    5,
    4,
    4,
    3,
    3,
    2,
    2,
    2,
    1,
    1,
    1,
    1,
    1,
]


@dataclass
class ListPlan:
    """One brand list: facilities in row order, plus facilities used for planted bad rows."""

    contributor: str
    entries: list[Facility] = field(default_factory=list)
    duplicates: list[Facility] = field(default_factory=list)
    bad: list[Facility] = field(default_factory=list)


@dataclass
class Plan:
    """Membership of every file; facilities are shared objects from the universe."""

    by_key: dict[str, Facility]
    oshub: list[Facility]
    lists: dict[str, ListPlan]
    audits: list[tuple[Facility, int]]
    grievances: list[tuple[Facility, int]]
    surveys: list[Facility]
    three_spellings: Facility


def make_plan(universe: list[Facility]) -> Plan:
    """Draw the membership plan from the universe (seeds and synthetic facilities)."""
    rng = rng_for("plan")
    by_key = {f.key: f for f in universe}
    three = next(f for f in universe if f.name == THREE_SPELLINGS_NAME)
    others = [f for f in universe if not f.synthetic and f is not three]
    rng.shuffle(others)
    pool_os, pool_non = others[:699], others[699:]
    synthetic = [f for f in universe if f.synthetic]
    syn = {f.key: f for f in synthetic}
    lists = {
        NORTHWIND: ListPlan(
            NORTHWIND,
            [
                three,
                syn["SYN-HIGH-RISK"],
                syn["SYN-UNIT-3"],
                syn["SYN-UNIT-4"],
                syn["SYN-MH-BD"],
                syn["SYN-MH-VN"],
            ]
            + pool_os[:214]
            + pool_non[0:26],
        ),
        BLUEFJORD: ListPlan(
            BLUEFJORD,
            [three, syn["SYN-UNIT-4"], syn["SYN-MH-CN"]]
            + rng.sample(pool_os[:214], 100)
            + pool_os[214:283]
            + pool_non[0:8]
            + pool_non[26:44],
        ),
        CASA_VERDE: ListPlan(
            CASA_VERDE,
            [three, syn["SYN-MH-IN"]]
            + rng.sample(pool_os[:400], 55)
            + pool_os[400:474]
            + pool_non[26:30]
            + pool_non[44:58],
        ),
    }
    lists[NORTHWIND].duplicates = rng.sample(pool_os[:214], 2)
    lists[NORTHWIND].bad = pool_os[600:602]
    lists[BLUEFJORD].bad = pool_os[602:604]
    lists[CASA_VERDE].bad = pool_os[604:605]
    for plan in lists.values():
        rng.shuffle(plan.entries)
        for facility in plan.entries:
            facility.memberships.append(plan.contributor)
    listed_seeds = sorted(
        {f.key: f for p in lists.values() for f in p.entries if not f.synthetic and f is not three}.values(),
        key=lambda f: f.key,
    )
    audit_seeds = rng.sample(listed_seeds, 44)
    audits = (
        [(syn["SYN-HIGH-RISK"], 2)]
        + [(syn[k], 2) for k in syn if k.startswith("SYN-MH")]
        + [(three, 1), (syn["SYN-UNIT-3"], 1)]
        + [(f, 2 if i < 4 else 1) for i, f in enumerate(audit_seeds)]
    )
    spare = [f for f in listed_seeds if f not in audit_seeds]
    grievance_others = [syn["SYN-UNIT-4"]] + audit_seeds[:20] + rng.sample(spare, 14)
    counts = list(GRIEVANCE_COUNTS_OTHER)
    rng.shuffle(counts)
    grievances = [(syn[k], n) for k, n in GRIEVANCE_COUNTS_HIGH.items()] + list(
        zip(grievance_others, counts, strict=True)
    )
    surveys = [syn[k] for k in GRIEVANCE_COUNTS_HIGH] + [syn["SYN-UNIT-3"]] + grievance_others[1:25]
    oshub = [three] + pool_os + synthetic
    return Plan(by_key, oshub, lists, audits, grievances, surveys, three)
