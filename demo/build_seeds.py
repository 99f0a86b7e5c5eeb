"""Build demo/seeds/ from the shared seed folder (run by hand, once; the generator never reads it).

Open Supply Hub fixture lists repeat the same facility across files and spellings. This keeps one
row per facility: rows are grouped by country and a loose name key (case, punctuation, legal forms
and generic words removed), and the representative is the first row with coordinates, preferring
the `mgmt_geocoded_*` geocodes over the `list_*` ones (which sometimes carry country centroids).

Usage: uv run --frozen python -m demo.build_seeds /path/to/shared/seeds
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

import pycountry
from anyascii import anyascii

SEEDS_OUT = Path(__file__).parent / "seeds"
COUNTRY_OVERRIDES = {"Turkey": "TR", "UAE": "AE", "USA": "US", "Slovak Republic": "SK"}
GENERIC_WORDS = re.compile(
    r"\b(co|company|ltd|limited|inc|corp|corporation|pvt|private|llc|sa|sas|gmbh|srl|plc|the|and|"
    r"factory|industries|industry|industrial|garments?|apparels?)\b"
)


def country_code(raw: str) -> str:
    """Return the ISO alpha-2 code for a fixture's country spelling."""
    if raw in COUNTRY_OVERRIDES:
        return COUNTRY_OVERRIDES[raw]
    return pycountry.countries.lookup(raw).alpha_2


def name_key(name: str) -> str:
    """Return a loose grouping key: ASCII, lower case, no punctuation, legal forms or generic words."""
    text = anyascii(name).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]", " ", text)
    return " ".join(GENERIC_WORDS.sub(" ", text).split())


def file_priority(path: Path) -> int:
    """Rank coordinate sources: mgmt_geocoded first, then list_, then files without coordinates."""
    if path.name.startswith("mgmt_geocoded_"):
        return 0
    return 1 if path.name.startswith("list_") else 2


def build(shared_seeds: Path) -> int:
    """Write demo/seeds/oshub_facilities.csv and copy the DOL list; return the facility count."""
    rows = []
    for path in sorted(
        (shared_seeds / "oshub_fixture_lists").glob("*.csv"), key=lambda p: (file_priority(p), p.name)
    ):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append(
                    {
                        "country": row["country"].strip(),
                        "country_code": country_code(row["country"].strip()),
                        "name": " ".join(row["name"].split()),
                        "address": " ".join(row["address"].split()),
                        "sector": row["sector"].strip(),
                        "lat": (row.get("lat") or "").strip(),
                        "lng": (row.get("lng") or "").strip(),
                        "source_file": path.name,
                    }
                )
    chosen: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        key = (row["country_code"], name_key(row["name"]))
        if key not in chosen or (not chosen[key]["lat"] and row["lat"]):
            chosen[key] = row
    facilities = sorted(chosen.values(), key=lambda r: (r["country_code"], r["name"], r["address"]))
    with (SEEDS_OUT / "oshub_facilities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(facilities[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(facilities)
    shutil.copyfile(shared_seeds / "dol_tvpra_goods_2022.csv", SEEDS_OUT / "dol_tvpra_goods_2022.csv")
    return len(facilities)


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
