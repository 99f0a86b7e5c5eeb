"""The demo's universe of true facilities: real Open Supply Hub seeds plus a few SYNTHETIC ones.

Every mention written anywhere in the bundle points back to one `Facility` through its `key`
(seed facilities: "SEED-0001" in seed-file order; synthetic ones: "SYN-..."). Each facility gets a
deterministic profile (sectors, facility/processing/product types, head count) used by every file.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

SEED = 20261123
SEEDS_DIR = Path(__file__).parent / "seeds"

COUNTRY_NAME_OVERRIDES = {
    "TW": "Taiwan",
    "KR": "South Korea",
    "VN": "Viet Nam",
    "TR": "Türkiye",
    "SY": "Syria",
    "MD": "Moldova",
    "BO": "Bolivia",
}

KIND_WORDS = [
    ("footwear", ("shoe", "footwear", "boot", "sandal")),
    ("knit", ("knit", "sweater", "jersey", "hosiery", "sock")),
    ("textile", ("textile", "spinning", "mill", "weaving", "dyeing", "fabric", "yarn", "denim")),
    ("home", ("towel", "home", "bedding", "linen")),
    ("accessories", ("headwear", " cap", "hat ", "bag", "glove", "accessor", "watch")),
    ("printing", ("print", "embroider", "wash", "laundry")),
]
PROFILES: dict[str, dict[str, list[str]]] = {
    "garment": {
        "sector": ["Apparel"],
        "facility_type": ["Final Product Assembly"],
        "processing_type": ["Cutting|Sewing", "Cutting|Sewing|Finishing", "Sewing|Packing"],
        "product_type": ["Woven Garments", "Shirts|Trousers", "Outerwear", "Workwear"],
    },
    "knit": {
        "sector": ["Apparel", "Apparel|Textiles"],
        "facility_type": ["Final Product Assembly", "Final Product Assembly|Textile or Material Production"],
        "processing_type": ["Knitting|Sewing", "Cutting|Sewing", "Knitting|Linking|Sewing"],
        "product_type": ["Knitwear", "T-shirts|Polo Shirts", "Sweaters", "Socks"],
    },
    "textile": {
        "sector": ["Textiles", "Apparel|Textiles"],
        "facility_type": ["Textile or Material Production", "Raw Material Processing or Production"],
        "processing_type": ["Weaving|Dyeing", "Spinning", "Knitting|Dyeing|Finishing"],
        "product_type": ["Fabric", "Yarn", "Denim Fabric"],
    },
    "footwear": {
        "sector": ["Footwear", "Apparel|Footwear"],
        "facility_type": ["Final Product Assembly"],
        "processing_type": ["Cutting|Stitching|Lasting", "Assembly"],
        "product_type": ["Footwear", "Sports Shoes", "Leather Shoes"],
    },
    "home": {
        "sector": ["Home Textiles", "Textiles|Home Textiles"],
        "facility_type": ["Final Product Assembly|Textile or Material Production"],
        "processing_type": ["Weaving|Sewing", "Cutting|Sewing"],
        "product_type": ["Home Textiles", "Towels", "Bedding"],
    },
    "accessories": {
        "sector": ["Apparel|Accessories", "Accessories"],
        "facility_type": ["Final Product Assembly"],
        "processing_type": ["Cutting|Sewing", "Assembly"],
        "product_type": ["Headwear", "Bags", "Gloves"],
    },
    "printing": {
        "sector": ["Apparel"],
        "facility_type": ["Printing, Product Dyeing and Laundering"],
        "processing_type": ["Printing", "Embroidery", "Washing|Dyeing"],
        "product_type": ["Printed Garments", "Embroidered Garments"],
    },
}


@dataclass
class Facility:
    """One true facility; `synthetic` is True for facilities invented for the demo."""

    key: str
    name: str
    address: str
    country_code: str
    lat: float | None
    lng: float | None
    synthetic: bool = False
    seed_country_raw: str = ""
    sector: str = "Apparel"
    facility_type: str = ""
    processing_type: str = ""
    product_type: str = ""
    workers: int = 0
    parent_company: str = ""
    os_id: str = ""
    role: str = ""
    memberships: list[str] = field(default_factory=list)


def rng_for(part: str) -> random.Random:
    """Return an independent deterministic random stream for one part of the bundle."""
    return random.Random(f"{SEED}:{part}")


def country_name(code: str) -> str:
    """Return the English short name used for a country code in the demo."""
    if code in COUNTRY_NAME_OVERRIDES:
        return COUNTRY_NAME_OVERRIDES[code]
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


def country_alpha3(code: str) -> str:
    """Return the ISO alpha-3 code for an alpha-2 code."""
    return pycountry.countries.get(alpha_2=code).alpha_3


def facility_kind(name: str) -> str:
    """Guess the kind of facility from words in its name (default: garment)."""
    lowered = f" {name.lower()} "
    for kind, words in KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "garment"


def apply_profile(facility: Facility, rng: random.Random, kind: str | None = None) -> None:
    """Fill sectors, types, head count and parent company from the facility's kind."""
    profile = PROFILES[kind or facility_kind(facility.name)]
    if "|" not in facility.sector:
        facility.sector = rng.choice(profile["sector"])
    facility.facility_type = rng.choice(profile["facility_type"])
    facility.processing_type = rng.choice(profile["processing_type"])
    facility.product_type = rng.choice(profile["product_type"])
    facility.workers = int(min(12000, max(25, rng.lognormvariate(6.3, 0.9))))
    if facility.name.startswith("Hanes"):
        facility.parent_company = "Hanesbrands Inc."
    elif rng.random() < 0.08:
        facility.parent_company = rng.choice(
            [
                "Evergreen Apparel Group",
                "Lotus Garment Holdings",
                "Meridian Knitting Group",
                "Sunrise Textile Holdings",
                "Pacific Crest Industries",
            ]
        )


def _float(text: str) -> float | None:
    return float(text) if text else None


def load_seed_facilities(rng: random.Random) -> list[Facility]:
    """Read demo/seeds/oshub_facilities.csv into facilities with profiles."""
    facilities = []
    with (SEEDS_DIR / "oshub_facilities.csv").open(encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle), start=1):
            facility = Facility(
                key=f"SEED-{index:04d}",
                name=row["name"],
                address=row["address"],
                country_code=row["country_code"],
                lat=_float(row["lat"]),
                lng=_float(row["lng"]),
                seed_country_raw=row["country"],
                sector=row["sector"],
            )
            apply_profile(facility, rng)
            facilities.append(facility)
    return facilities


SYNTHETIC = [
    # key, name, address, country, lat, lng, kind, role
    (
        "SYN-HIGH-RISK",
        "Hetian Taida Apparel Company Limited",
        "No. 8 Beijing West Road, Hotan Industrial Park, Hotan City, Xinjiang Uygur Autonomous Region",
        "CN",
        37.11412,
        79.93127,
        "garment",
        "HIGH_RISK",
    ),
    (
        "SYN-UNIT-3",
        "Tongabari Knit Unit 3",
        "Plot 14, Tongabari, Ashulia, Savar, Dhaka 1341",
        "BD",
        23.90073,
        90.31148,
        "knit",
        "UNIT_GUARD",
    ),
    (
        "SYN-UNIT-4",
        "Tongabari Knit Unit 4",
        "Plot 52/B, Zirabo Bazar Road, Ashulia, Savar, Dhaka 1341",
        "BD",
        23.91356,
        90.29985,
        "knit",
        "UNIT_GUARD",
    ),
    (
        "SYN-MH-BD",
        "Karatoya Knit Composite Ltd",
        "Plot 7, Kashimpur Road, Konabari, Gazipur 1700",
        "BD",
        24.00511,
        90.34402,
        "knit",
        "MEDIUM_HIGH",
    ),
    (
        "SYN-MH-VN",
        "Song Lam Garment Joint Stock Company",
        "Lot C4, Nam Cam Industrial Park, Nghi Loc District, Nghe An Province",
        "VN",
        18.79361,
        105.70772,
        "garment",
        "MEDIUM_HIGH",
    ),
    (
        "SYN-MH-CN",
        "Jinjiang Haoyu Footwear Co., Ltd.",
        "No. 18 Xibin Road, Chendai Town, Jinjiang City, Fujian Province",
        "CN",
        24.81893,
        118.58174,
        "footwear",
        "MEDIUM_HIGH",
    ),
    (
        "SYN-MH-IN",
        "Noyyal Valley Spinning Mills Pvt. Ltd.",
        "SF No. 212, Avinashi Road, Tiruppur, Tamil Nadu 641602",
        "IN",
        11.12043,
        77.38115,
        "textile",
        "MEDIUM_HIGH",
    ),
]


def synthetic_facilities(rng: random.Random) -> list[Facility]:
    """Return the SYNTHETIC planted facilities (their names are invented or list-derived)."""
    facilities = []
    for key, name, address, code, lat, lng, kind, role in SYNTHETIC:
        facility = Facility(
            key=key,
            name=name,
            address=address,
            country_code=code,
            lat=lat,
            lng=lng,
            synthetic=True,
            role=role,
        )
        apply_profile(facility, rng, kind)
        facilities.append(facility)
    high_risk = facilities[0]
    high_risk.sector, high_risk.product_type = "Apparel|Textiles", "Cotton Garments|Knitwear"
    high_risk.processing_type, high_risk.workers = "Cutting|Sewing", 2400
    return facilities


def load_universe() -> list[Facility]:
    """Return every true facility of the demo: seeds first, then the synthetic ones."""
    rng = rng_for("profiles")
    return load_seed_facilities(rng) + synthetic_facilities(rng)
