"""Staging at scale: read an Open Supply Hub download of N rows, shape it as raw, standardise it.

Usage: .venv/bin/python benchmarks/staging_scale.py [rows]      (default 1,000,000; run by hand)

Generates N rows in the OS Hub download format from demo/seeds/oshub_facilities.csv into a temp
file (fixed seed: names, addresses and coordinates vary per row, valid OS IDs, mixed head-count
formats, multi-valued cells, ~10% without coordinates and a sprinkling of bad rows: wrong check
characters, unknown countries, placeholder names, formulas, (0, 0) points, duplicates). Then a
child process does read_table_file -> raw_frame -> oshub_download.standardise and reports wall
time per step and its peak RSS (resource.getrusage ru_maxrss). Goal: 1M rows in <= 20 s, <= 2 GB.
"""

from __future__ import annotations

import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "demo" / "seeds" / "oshub_facilities.csv"
HEADER = [
    "os_id", "contribution_date", "name", "address", "country_code", "country_name", "lat", "lng",
    "sector", "contributor (list)", "number_of_workers", "parent_company", "facility_type",
    "processing_type", "product_type", "is_closed",
]  # fmt: skip
CONTRIBUTORS = ["Northwind Apparel", "Bluefjord Outdoor", "Casa Verde Home", "Ethical Trade Demo Initiative"]
WORKERS = ["Less than 1000", "1001-5000", "5001-10000", "More than 10000", "250", "1,204", "", "about 300"]
TYPES = ["Final Product Assembly", "Textile or Material Production", "Printing|Dyeing", ""]
PROCESSES = ["Cutting|Sewing|Finishing", "Knitting", "Dyeing|Washing", ""]
PRODUCTS = ["Woven Garments", "Knitwear|T-shirts", "Footwear", "Workwear", ""]
BAD_ROWS = (("os_id", "bad_check"), ("country_code", "XX"), ("name", "N/A"), ("name", "=HYPERLINK(1)"))


def _row(seed: dict[str, str], number: int, rng: random.Random, make_os_id) -> list[object]:
    """One download row derived from a seed facility (varied so that rows are distinct)."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(5))
    os_id = make_os_id(seed["country_code"], f"{rng.randint(2019, 2025)}{rng.randint(1, 365):03d}", body)
    lat = lng = ""
    if seed["lat"] and rng.random() < 0.9:
        lat = round(float(seed["lat"]) + rng.uniform(-0.05, 0.05), 6)
        lng = round(float(seed["lng"]) + rng.uniform(-0.05, 0.05), 6)
    return [
        os_id,
        f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        f"{seed['name']} {number % 9973}" if rng.random() < 0.97 else f"  {seed['name'].upper()}  {number}",
        f"{rng.randint(1, 999)} {seed['address']}",
        seed["country_code"],
        seed["country"],
        lat,
        lng,
        seed["sector"],
        "|".join(rng.sample(CONTRIBUTORS, rng.choice([1, 1, 2]))),
        rng.choice(WORKERS),
        "Example Holdings" if rng.random() < 0.1 else "",
        rng.choice(TYPES),
        rng.choice(PROCESSES),
        rng.choice(PRODUCTS),
        rng.choice(["False"] * 17 + ["True", "", ""]),
    ]


def generate(path: Path, rows: int, seed: int = 20261123) -> None:
    """Write ``rows`` OS Hub download rows to ``path`` (deterministic for a given seed)."""
    from connectors.ids import make_os_id

    with SEEDS.open(encoding="utf-8", newline="") as handle:
        seeds = list(csv.DictReader(handle))
    rng = random.Random(seed)
    written: list[list[object]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            row = _row(seeds[number % len(seeds)], number, rng, make_os_id)
            draw = rng.random()
            if draw < 0.0004:
                column, value = BAD_ROWS[number % len(BAD_ROWS)]
                row[HEADER.index(column)] = row[0][:14] + "I" if value == "bad_check" else value
            elif draw < 0.0006:
                row[6:8] = [0, 0]
            elif draw < 0.0008 and written:
                row = written[-1]
            written = [row]
            writer.writerow(row)


def stage(path: str) -> dict[str, float]:
    """Child process: read -> raw_frame -> standardise, timing each step."""
    from connectors.reading.files import raw_frame, read_table_file
    from connectors.sources import oshub_download

    figures: dict[str, float] = {}
    started = time.perf_counter()
    raw_file = read_table_file(path)
    figures["read_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    raw = raw_frame(raw_file, "load-bench", "Open Supply Hub")
    del raw_file
    figures["raw_frame_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    result = oshub_download.standardise(raw)
    figures["standardise_s"] = time.perf_counter() - mark
    figures["total_s"] = time.perf_counter() - started
    figures["rows_read"] = raw.height
    figures["rows_staged"] = result.tables["facility_records"].height
    figures["rows_quarantined"] = result.rejected["source_row"].n_unique()
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    if sys.argv[1:2] == ["--stage"]:
        print(json.dumps(stage(sys.argv[2])))
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "os_hub_download.csv"
        started = time.perf_counter()
        generate(path, rows)
        size_mb = path.stat().st_size / 1e6
        print(f"generated {rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, __file__, "--stage", str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - started
    figures = json.loads(child.stdout)
    print(
        f"read {figures['read_s']:.2f} s | raw_frame {figures['raw_frame_s']:.2f} s | "
        f"standardise {figures['standardise_s']:.2f} s | staging total {figures['total_s']:.2f} s "
        f"(child process incl. imports {wall:.2f} s)"
    )
    print(
        f"rows read {figures['rows_read']:,}, staged {figures['rows_staged']:,}, "
        f"quarantined {figures['rows_quarantined']:,}; peak RSS {figures['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
