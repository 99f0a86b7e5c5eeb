"""The Open Supply Hub facility download: one row per facility, OS IDs with a check character.

Names and addresses are the seed values as contributed; multi-valued cells use `|`; head counts
come in the mixed formats OS Hub shows ("1001-5000", "250", "Less than 1000", "").
"""

from __future__ import annotations

import datetime as dt
import random

from connectors.ids import CROCKFORD_BASE32, make_os_id
from demo.facilities import Facility, country_name, rng_for
from demo.output import Truth

PATH = "oshub/os_hub_facilities_download.csv"
HEADER = [
    "os_id",
    "contribution_date",
    "name",
    "address",
    "country_code",
    "country_name",
    "lat",
    "lng",
    "sector",
    "contributor (list)",  # OS Hub download column name (FacilityDownloadSerializer)
    "number_of_workers",
    "parent_company",
    "facility_type",
    "processing_type",
    "product_type",
    "is_closed",
]
OTHER_CONTRIBUTORS = [
    "Ethical Trade Demo Initiative",
    "Fair Labour Demo Association",
    "Demo Sourcing Agents Ltd",
    "Open Supply Hub Research Team",
]
LAST_DATE = dt.date(2026, 10, 31)


def new_os_id(country_code: str, rng: random.Random, taken: set[str]) -> tuple[str, dt.date]:
    """Return an unused OS ID (CC + yyyyddd + 5 alphanumerics + check char) and its date."""
    while True:
        created = dt.date(rng.randint(2019, 2024), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        body = "".join(rng.choice(CROCKFORD_BASE32) for _ in range(5))
        os_id = make_os_id(country_code, f"{created.year}{created.timetuple().tm_yday:03d}", body)
        if os_id not in taken:
            taken.add(os_id)
            return os_id, created


def workers_cell(workers: int, rng: random.Random) -> str:
    """Write a head count the way OS Hub rows show it."""
    draw = rng.random()
    if draw < 0.3:
        return str(workers)
    if draw < 0.65:
        for upper, label in ((1000, "Less than 1000"), (5000, "1001-5000"), (10000, "5001-10000")):
            if workers <= upper:
                return label
        return "More than 10000"
    if draw < 0.8:
        low = max(0, workers // 100 * 100 - rng.choice([0, 100]))
        return f"{low + 1}-{low + rng.choice([200, 500, 1000])}"
    return ""


def _maybe(value: str, rng: random.Random, share: float) -> str:
    return value if rng.random() < share else ""


def build_rows(facilities: list[Facility], truth: Truth) -> list[list[object]]:
    """Assign OS IDs to the facilities and return the download rows sorted by OS ID."""
    rng = rng_for("oshub")
    taken: set[str] = set()
    rows = []
    closable = [f for f in facilities if not f.synthetic and f.memberships == []]
    closed = {f.key for f in rng.sample(closable, 8)}
    for facility in facilities:
        facility.os_id, created = new_os_id(facility.country_code, rng, taken)
        span = (LAST_DATE - created).days
        contributed = created + dt.timedelta(days=rng.randint(0, min(span, 500)))
        contributors = list(facility.memberships)
        if not contributors or rng.random() < 0.35:
            contributors += rng.sample(OTHER_CONTRIBUTORS, rng.choice([1, 1, 2]))
        is_closed = "True" if facility.key in closed else _maybe("False", rng, 0.85)
        rows.append(
            [
                facility.os_id,
                contributed.isoformat(),
                facility.name,
                facility.address,
                facility.country_code,
                country_name(facility.country_code),
                "" if facility.lat is None else facility.lat,
                "" if facility.lng is None else facility.lng,
                facility.sector,
                "|".join(contributors),
                workers_cell(facility.workers, rng),
                facility.parent_company,
                _maybe(facility.facility_type, rng, 0.75),
                _maybe(facility.processing_type, rng, 0.6),
                _maybe(facility.product_type, rng, 0.7),
                is_closed,
            ]
        )
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])
    rows = [rows[i] for i in order]
    for number, index in enumerate(order, start=2):
        facility = facilities[index]
        truth.mention(PATH, number, facility.key, facility.name, facility.country_code)
    return rows
