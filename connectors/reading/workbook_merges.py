"""Merged cells of a workbook's first worksheet, filled in the way a person reads them.

Excel keeps a merged range's value in its top-left cell only; the other cells of the range are empty
in the file although the sheet shows the value across the whole range. Supplier lists merge cells
for a country or a group name shared by several factory rows, so a reader (`flrisk resolve`) fills each empty
cell of a merged range with the range's top-left value (`fill_merged`). The ranges come from the
sheet part's `<mergeCell ref="B3:B7"/>` elements, scanned in chunks (they follow the cell data, at
the end of a part that may be large) without parsing the sheet.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MERGE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Z]+)(\d+):([A-Z]+)(\d+)[\"']"
)
_CHUNK = 1 << 22
Range = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


def merged_ranges(path: Path) -> list[Range]:
    """The merged ranges of the first worksheet; [] when there are none or the package is unusual."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _first_worksheet(archive)
            return _scan(archive, part) if part else []
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return []


def fill_merged(frame: pl.DataFrame, rows: pl.Series, ranges: list[Range]) -> pl.DataFrame:
    """`frame` (String columns in sheet-column order, one record per sheet row in `rows`, ascending)
    with every empty cell of a merged range set to the range's top-left value, when that value is on
    a record row (a range anchored in the header or on a skipped row is left alone)."""
    if not ranges:
        return frame
    sheet_rows = rows.to_list()
    index = {row: i for i, row in enumerate(sheet_rows)}
    columns = {name: frame[name].to_list() for name in frame.columns}
    names = frame.columns
    for first_row, first_col, last_row, last_col in ranges:
        anchor_index = index.get(first_row)
        if anchor_index is None or first_col > len(names):
            continue
        anchor = columns[names[first_col - 1]][anchor_index]
        if anchor in (None, ""):
            continue
        start = rows.search_sorted(first_row, side="left")
        end = rows.search_sorted(last_row, side="right")
        for col in range(first_col, min(last_col, len(names)) + 1):
            values = columns[names[col - 1]]
            values[start:end] = [anchor if value in (None, "") else value for value in values[start:end]]
    return pl.DataFrame(columns, schema=frame.schema)


def _first_worksheet(archive: zipfile.ZipFile) -> str | None:
    """The part name of the first <sheet> of the workbook that is a worksheet (not a chart sheet)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in relations
        if rel.get("Type", "").endswith("/worksheet")
    }
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_RELATIONSHIP))
        if target:
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _scan(archive: zipfile.ZipFile, part: str) -> list[Range]:
    ranges: list[Range] = []
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")  # an element cut by the chunk boundary is scanned with the next
            for match in _MERGE.finditer(data, 0, cut if cut > 0 else len(data)):
                c1, r1, c2, r2 = match.groups()
                ranges.append((int(r1), _column(c1), int(r2), _column(c2)))
            tail = data[cut:] if cut > 0 else b""
    for match in _MERGE.finditer(tail):
        c1, r1, c2, r2 = match.groups()
        ranges.append((int(r1), _column(c1), int(r2), _column(c2)))
    return ranges


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
