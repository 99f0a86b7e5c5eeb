"""Three brand supplier lists in OS Hub upload format, each with its own habits.

- Northwind Apparel: CSV, UTF-8, LF; mostly English country names; some rows carry an os_id.
- Bluefjord Outdoor: XLSX (first sheet "Suppliers"), Title Case headers, numeric coordinates,
  many upper-case names, country codes; an extra "Tier" column; a second "Read me" sheet.
- Casa Verde Home: CSV, cp1252, CRLF; headers "Country", " Name ", "ADDRESS", "Product Type",
  "LAT", "Lng"; an extra "supplier_code" column; characters outside cp1252 are transliterated.
"""

from __future__ import annotations

import random
from pathlib import Path

from demo import variants
from demo.facilities import Facility, rng_for
from demo.output import Truth, write_csv, write_xlsx
from demo.plan import BLUEFJORD, CASA_VERDE, NORTHWIND, ListPlan

PATHS = {
    NORTHWIND: "supplier_lists/northwind_apparel_2026.csv",
    BLUEFJORD: "supplier_lists/bluefjord_outdoor_2026.xlsx",
    CASA_VERDE: "supplier_lists/casa_verde_home_2026.csv",
}
HEADERS = {
    NORTHWIND: [
        "country",
        "name",
        "address",
        "sector",
        "product_type",
        "number_of_workers",
        "parent_company",
        "lat",
        "lng",
        "os_id",
    ],
    BLUEFJORD: [
        "Country",
        "Name",
        "Address",
        "Sector",
        "Facility Type",
        "Processing Type",
        "Number of Workers",
        "Lat",
        "Lng",
        "Tier",
    ],
    CASA_VERDE: [
        "Country",
        " Name ",
        "ADDRESS",
        "Product Type",
        "Sector",
        "Number of Workers",
        "LAT",
        "Lng",
        "supplier_code",
    ],
}
NAME_WEIGHTS = {"legal": 0.4, "case": 0.15, "typo": 0.15, "abbrev": 0.1, "translit": 0.2}
STYLE = {  # chance to vary name, address abbreviation/case, country style, coordinates share
    NORTHWIND: {"vary": 0.55, "abbr": 0.35, "case": 0.1, "code": 0.2, "coords": 0.65},
    BLUEFJORD: {"vary": 0.45, "abbr": 0.3, "case": 0.25, "code": 0.7, "coords": 0.5},
    CASA_VERDE: {"vary": 0.5, "abbr": 0.6, "case": 0.2, "code": 0.0, "coords": 0.3},
}
OVERRIDES = {  # planted spellings: (contributor, facility key) -> name, address, country
    (NORTHWIND, "THREE"): (
        "Dalian Sportech Apparel Company Limited",
        "No. 153 West of Liaohe Rd, Economic & Technical Development Zone, Dalian, Liaoning 116600",
        "China",
    ),
    (BLUEFJORD, "THREE"): (
        "DALIAN SPORTEC APPAREL CO.,LTD",
        "NO. 153 WEST OF LIAOHE ROAD, ECONOMIC & TECHNICAL DEV. ZONE, DALIAN CITY",
        "CN",
    ),
    (CASA_VERDE, "THREE"): (
        "Sportech Apparel (Dalian) Co Ltd",
        "153 Liaohe Rd West, Econ. & Tech. Dev. Zone, Dalian, Liaoning Prov.",
        "People's Republic of China",
    ),
    (NORTHWIND, "SYN-HIGH-RISK"): (
        "Hotan Taida Apparel Co Ltd",
        "No.8 Beijing W Rd, Hotan Ind. Park, Hotan, Xinjiang",
        "CN",
    ),
    (NORTHWIND, "SYN-UNIT-3"): (
        "Tongabari Knit Unit-3",
        "Plot 14, Tongabari, Ashulia, Savar, Dhaka-1341",
        "Bangladesh",
    ),
    (NORTHWIND, "SYN-UNIT-4"): (
        "TONGABARI KNIT UNIT 4",
        "PLOT 52/B, ZIRABO BAZAR RD, ASHULIA, SAVAR, DHAKA 1341",
        "BD",
    ),
    (BLUEFJORD, "SYN-UNIT-4"): (
        "Tongabari Knit (Unit 4)",
        "Plot 52/B, Zirabo Bazar Road, Ashulia, Savar",
        "BGD",
    ),
    (NORTHWIND, "SYN-MH-VN"): (
        "Sông Lam Garment Joint Stock Company",
        "Lô C4, KCN Nam Cấm, Nghi Lộc, Nghệ An",
        "Viet Nam",
    ),
}


def mention(facility: Facility, contributor: str, rng: random.Random, three_key: str) -> dict:
    """Return how this contributor writes the facility: name, address, country, lat, lng."""
    style = STYLE[contributor]
    key = "THREE" if facility.key == three_key else facility.key
    if (contributor, key) in OVERRIDES:
        name, address, country = OVERRIDES[(contributor, key)]
    else:
        name = facility.name
        if contributor == BLUEFJORD and rng.random() < 0.4:
            name = name.upper()
        if rng.random() < style["vary"]:
            name = variants.vary_name(name, rng, NAME_WEIGHTS, facility.country_code)
        address = variants.vary_address(facility.address, rng, style["abbr"], style["case"])
        kind = "code" if rng.random() < style["code"] else "name"
        country = variants.country_spelling(
            facility.country_code, rng, "mixed" if contributor == CASA_VERDE else kind
        )
    lat = lng = None
    if facility.lat is not None and rng.random() < style["coords"]:
        moved = rng.random() < 0.5
        lat = variants.jitter(facility.lat, rng) if moved else facility.lat
        lng = variants.jitter(facility.lng, rng) if moved else facility.lng
        digits = rng.choice([4, 5, 6])
        lat, lng = round(lat, digits), round(lng, digits)
    return {"name": name, "address": address, "country": country, "lat": lat, "lng": lng}


def workers_text(workers: int, rng: random.Random) -> str:
    """Write a brand's head count: a rounded number, a range, or nothing."""
    draw = rng.random()
    if draw < 0.55:
        return str(max(10, int(round(workers * rng.uniform(0.85, 1.15), -1))))
    if draw < 0.75:
        low = workers // 500 * 500
        return f"{low + 1}-{low + 500}" if rng.random() < 0.7 else f"Less than {low + 500}"
    return ""


def row_for(contributor: str, facility: Facility, values: dict, rng: random.Random) -> list:
    """Lay one mention out in the contributor's columns."""
    workers = workers_text(facility.workers, rng)
    lat, lng = values["lat"], values["lng"]
    if contributor == NORTHWIND:
        os_id = facility.os_id if facility.os_id and rng.random() < 0.2 else ""
        return [
            values["country"],
            values["name"],
            values["address"],
            facility.sector,
            facility.product_type if rng.random() < 0.8 else "",
            workers,
            facility.parent_company,
            lat,
            lng,
            os_id,
        ]
    if contributor == BLUEFJORD:
        return [
            values["country"],
            values["name"],
            values["address"],
            facility.sector,
            facility.facility_type,
            facility.processing_type,
            int(workers) if workers.isdigit() else workers,
            lat,
            lng,
            rng.choice([1, 1, 2]),
        ]
    code = f"CVH-{rng.randint(10000, 99999)}"
    cells = [
        values["country"],
        values["name"],
        values["address"],
        facility.product_type,
        facility.sector,
        workers,
        lat,
        lng,
        code,
    ]
    return [variants.to_cp1252(c) if isinstance(c, str) else c for c in cells]


BAD_ROWS = {  # contributor -> list of (column index, bad value, canonical column, reason, why)
    NORTHWIND: [
        (1, "", "name", "missing_required", "name cell is empty"),
        (0, "Atlantis", "country", "unknown_country", "country 'Atlantis' does not exist"),
    ],
    BLUEFJORD: [
        (7, "abc", "lat", "invalid_coordinates", "Lat is the text 'abc'"),
        (7, 95.0, "lat", "invalid_coordinates", "Lat 95 is outside -90..90"),
    ],
    CASA_VERDE: [(2, "", "address", "missing_required", "ADDRESS cell is empty")],
}


def build_list(plan: ListPlan, truth: Truth, three_key: str) -> tuple[list[str], list[list]]:
    """Return the header and rows of one brand list, recording truth for every row."""
    rng = rng_for(f"list:{plan.contributor}")
    items = [(f, None) for f in plan.entries]
    for facility in plan.duplicates:
        items.insert(rng.randrange(len(items) + 1), (facility, "duplicate"))
    for facility, bad in zip(plan.bad, BAD_ROWS[plan.contributor], strict=True):
        items.insert(rng.randrange(1, len(items)), (facility, bad))
    path, rows = PATHS[plan.contributor], []
    for number, (facility, marker) in enumerate(items, start=2):
        values = mention(facility, plan.contributor, rng, three_key)
        row = row_for(plan.contributor, facility, values, rng)
        if isinstance(marker, tuple):
            column, value, canonical, reason, why = marker
            row[column] = value
            if canonical == "lat" and row[8] in ("", None):
                row[8] = round(facility.lng, 4)
            truth.bad(path, number, canonical, reason, why)
        name_index = 1
        truth.mention(
            path, number, facility.key, row[name_index], row[0], quarantined=isinstance(marker, tuple)
        )
        rows.append(row)
    return HEADERS[plan.contributor], rows


def write_lists(lists: dict[str, ListPlan], out: Path, truth: Truth, three_key: str) -> dict:
    """Write the three brand lists; return {path: row count}."""
    counts = {}
    for contributor, plan in lists.items():
        header, rows = build_list(plan, truth, three_key)
        path = out / PATHS[contributor]
        if contributor == NORTHWIND:
            write_csv(path, header, rows)
        elif contributor == BLUEFJORD:
            write_xlsx(
                path,
                "Suppliers",
                header,
                rows,
                [
                    "Bluefjord Outdoor supplier list, October 2026 (SYNTHETIC demo data).",
                    "Tier 1 = finished goods, tier 2 = materials. Coordinates WGS84.",
                ],
            )
        else:
            write_csv(path, header, rows, encoding="cp1252", line_end="\r\n")
        counts[PATHS[contributor]] = len(rows)
    return counts
