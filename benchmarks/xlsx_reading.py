"""XLSX reading: the fast route (fastexcel / calamine) against the openpyxl route on a supplier list.

Usage: .venv/bin/python benchmarks/xlsx_reading.py [rows] [--runs N] [--inline] [--typed]  (by hand)

Writes a supplier-list-like workbook of ``rows`` data rows (default 50,000) and 10 columns, laid out
as Excel saves it (shared strings table, a date style; ``--inline`` stores strings inline as openpyxl
writes them): supplier code, facility name (Latin, Turkish, Chinese), address, city, country, sector,
number of workers (numbers and, in one row in ten, a range or remark such as "1001-5000", so the
column mixes types; ``--typed``: numbers only), latitude, longitude, last audit date; a few blank rows
and empty cells. Then, each
in a fresh child process, reads it through ``connectors.reading.xlsx_fast.read_xlsx_fast`` and through
the openpyxl route, and reports seconds (median of --runs, default 3) and peak RSS (ru_maxrss, with
the RSS after imports beside it; the workbook is written in a child process too, as ru_maxrss carries
over from the parent), and checks that both routes gave identical headers and rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "supplier_code", "facility_name", "address", "city", "country", "sector", "number_of_workers",
    "latitude", "longitude", "last_audit",
]  # fmt: skip
NAMES = ["Example Garments", "Örnek Tekstil", "深圳示例服装", "Bali Denim", "Tiruppur Knits", "Saigon Sewing"]
CITIES = [
    ("Dhaka", "BD"), ("Shenzhen", "CN"), ("Ho Chi Minh City", "VN"), ("İzmir", "TR"), ("Tiruppur", "IN"),
]  # fmt: skip
SECTORS = ["Apparel", "Footwear", "Textiles", "Apparel|Textiles"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH = dt.date(1899, 12, 30)


def _rows(count: int, typed: bool, seed: int = 20261205) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for number in range(count):
        if rng.random() < 0.002:
            rows.append([])  # a blank row: skipped, still counted
            continue
        city, country = rng.choice(CITIES)
        rows.append([
            f"SUP-{number:06d}",
            f"{rng.choice(NAMES)} {number % 9973} Co., Ltd.",
            f"{rng.randint(1, 999)} Industrial Road, Zone {rng.randint(1, 40)}, {city}",
            city,
            country,
            rng.choice(SECTORS),
            _workers(rng, typed),
            round(rng.uniform(-40, 60), 6),
            round(rng.uniform(-120, 140), 6),
            dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 1000)) if rng.random() < 0.8 else None,
        ])  # fmt: skip
    return rows


def _workers(rng: random.Random, typed: bool) -> object:
    """A head count: a number, or (unless ``typed``) sometimes a range or a remark, as lists have them."""
    draw = rng.random()
    if draw < 0.1:
        return None
    if draw < 0.2 and not typed:
        return rng.choice(["501-1000", "1001-5000", "Less than 1000", "N/A", "about 300"])
    return rng.randint(20, 5000)


def _column(index: int) -> str:
    return "ABCDEFGHIJ"[index]


def write_workbook(path: Path, count: int, inline: bool, typed: bool) -> None:
    """The workbook as Excel lays it out (or with inline strings): one sheet, a dimension, a date style."""
    strings: dict[str, int] = {}
    lines = []
    for row_number, row in enumerate([HEADER, *_rows(count, typed)], start=1):
        cells = []
        for index, value in enumerate(row):
            ref = f"{_column(index)}{row_number}"
            if value is None:
                continue
            if isinstance(value, str):
                if inline:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
                else:
                    cells.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
            elif isinstance(value, dt.date):
                cells.append(f'<c r="{ref}" s="1"><v>{(value - EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        if cells:
            lines.append(f'<row r="{row_number}">{"".join(cells)}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
        f'xmlns:r="{RELATIONSHIPS}"><dimension ref="A1:J{count + 1}"/><sheetData>{"".join(lines)}'
        "</sheetData></worksheet>"
    )
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets><sheet '
        'name="Suppliers" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
        '</font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        "</styleSheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" uniqueCount="{len(strings)}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))


def _content_types() -> str:
    kinds = {
        "/xl/workbook.xml": "spreadsheetml.sheet.main+xml",
        "/xl/worksheets/sheet1.xml": "spreadsheetml.worksheet+xml",
        "/xl/styles.xml": "spreadsheetml.styles+xml",
        "/xl/sharedStrings.xml": "spreadsheetml.sharedStrings+xml",
    }
    overrides = "".join(
        f'<Override PartName="{part}" ContentType="application/vnd.openxmlformats-officedocument.{kind}"/>'
        for part, kind in kinds.items()
    )
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default '
        'Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
    )


def read(route: str, path: str) -> dict[str, object]:
    """Child process: read the workbook through one route; seconds, peak RSS and a digest of the rows."""
    import pyarrow  # noqa: F401  (fastexcel's cell-error report needs it; connectors.schemas loads it anyway)

    from connectors.reading.table_shape import records_to_rows
    from connectors.reading.xlsx import openpyxl_records
    from connectors.reading.xlsx_fast import read_xlsx_fast

    after_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    if route == "fast":
        result = read_xlsx_fast(Path(path), path)
        if result is None:
            raise SystemExit("the fast route declined the benchmark workbook")
    else:
        result = records_to_rows(openpyxl_records(Path(path), path), path)
    seconds = time.perf_counter() - started
    headers, rows = result
    digest = hashlib.sha256(json.dumps(headers).encode())
    digest.update(rows.write_csv().encode())
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_imports_mb": after_imports,
        "rows": rows.height,
        "digest": digest.hexdigest(),
    }


def main() -> None:
    if sys.argv[1:2] == ["--read"]:
        print(json.dumps(read(sys.argv[2], sys.argv[3])))
        return
    if sys.argv[1:2] == ["--write"]:  # in a child too, so no reader inherits the writer's memory
        write_workbook(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "inline", sys.argv[5] == "typed")
        return
    parser = argparse.ArgumentParser(description="XLSX reading: fast route against openpyxl route")
    parser.add_argument("rows", nargs="?", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--inline", action="store_true", help="strings inline, as openpyxl writes them")
    parser.add_argument("--typed", action="store_true", help="head counts always numbers: one type a column")
    options = parser.parse_args()
    rows, runs = options.rows, options.runs
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "supplier_list.xlsx"
        layout = "inline" if options.inline else "shared"
        columns = "typed" if options.typed else "mixed"
        writer = [sys.executable, __file__, "--write", str(path), str(rows), layout, columns]
        subprocess.run(writer, check=True, cwd=ROOT)
        size = path.stat().st_size / 1e6
        print(f"{rows:,} rows x {len(HEADER)} columns ({columns}), {layout} strings, {size:.1f} MB")
        figures: dict[str, list[dict[str, object]]] = {"fast": [], "openpyxl": []}
        for _ in range(runs):
            for route, results in figures.items():
                child = subprocess.run(
                    [sys.executable, __file__, "--read", route, str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                results.append(json.loads(child.stdout))
    digests = {result["digest"] for results in figures.values() for result in results}
    for route, results in figures.items():
        seconds = statistics.median(float(result["seconds"]) for result in results)
        peak = max(float(result["peak_rss_mb"]) for result in results)
        base = min(float(result["rss_after_imports_mb"]) for result in results)
        runs_text = " / ".join(f"{float(result['seconds']):.2f}" for result in results)
        print(f"{route:9} median {seconds:.2f} s ({runs_text}), peak RSS {peak:.0f} MB", end="")
        print(f" ({base:.0f} MB after imports)")
    fast = statistics.median(float(r["seconds"]) for r in figures["fast"])
    slow = statistics.median(float(r["seconds"]) for r in figures["openpyxl"])
    print(f"speed-up {slow / fast:.1f}x; identical rows on both routes: {len(digests) == 1}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
