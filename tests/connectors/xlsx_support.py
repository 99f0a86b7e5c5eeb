"""Build XLSX workbooks for the reading tests: openpyxl writes them, these helpers reshape the package.

openpyxl writes every string inline (``t="inlineStr"``) and formulas without cached values; Excel
writes a shared-strings table and caches each formula's last value. :func:`as_shared_strings` and
:func:`with_cached_values` turn the one into the other, and :func:`patch_part` edits any part's XML, so
the tests can cover what Excel and other writers produce.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from connectors.reading.errors import MalformedFileError
from connectors.reading.table_shape import records_to_rows
from connectors.reading.xlsx import openpyxl_records

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)


def workbook_with(
    path: Path,
    rows: list[list[object]],
    start_row: int = 1,
    start_column: int = 1,
    formats: dict[int, str] | None = None,
    mac_1904: bool = False,
) -> Path:
    """Save ``rows`` (None = empty cell) from (start_row, start_column); ``formats`` maps a 0-based
    column to a number format applied to its non-empty cells; ``mac_1904``: the 1904 date system."""
    workbook = openpyxl.Workbook()
    if mac_1904:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    for row_offset, row in enumerate(rows):
        for column_offset, value in enumerate(row):
            if value is None:
                continue
            cell = sheet.cell(start_row + row_offset, start_column + column_offset, value)
            if formats and column_offset in formats and row_offset > 0:
                cell.number_format = formats[column_offset]
    workbook.save(path)
    return path


def patch_part(path: Path, part: str, edit: Callable[[str], str], target: Path | None = None) -> Path:
    """Rewrite one part of the package through ``edit`` (in place unless ``target`` is given)."""
    target = target or path
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return target


def as_shared_strings(path: Path) -> Path:
    """Move the first sheet's inline strings into xl/sharedStrings.xml, as Excel stores them."""
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item.filename).decode("utf-8") for item in source.infolist()}
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        strings.append(match.group(3))
        return f'<c {match.group(1)}t="s"{match.group(2)}><v>{len(strings) - 1}</v></c>'

    parts[SHEET] = _INLINE.sub(shared, parts[SHEET])
    items = "".join(f"<si>{text}</si>" for text in strings)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )
    relationship = (
        '<Relationship Id="rIdShared" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>", relationship
    )
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace("</Types>", override)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data.encode("utf-8"))
    return path


def with_cached_values(path: Path, values: dict[str, tuple[str, str]]) -> Path:
    """Give formula cells the value Excel caches: ``{"B2": ("n", "2"), "C2": ("str", "xy")}``."""

    def edit(xml: str) -> str:
        for reference, (kind, value) in values.items():
            cell = re.compile(rf'<c r="{reference}"([^>]*)>(<f>.*?</f>)<v ?/>(</c>)')
            kind_attribute = "" if kind == "n" else f' t="{kind}"'
            xml, count = cell.subn(rf'<c r="{reference}"\1{kind_attribute}>\2<v>{value}</v>\3', xml)
            assert count == 1, reference
        return xml

    return patch_part(path, SHEET, edit)


def openpyxl_outcome(path: Path) -> object:
    """What the openpyxl route gives: (headers, rows) or the MalformedFileError's message and code."""
    try:
        return records_to_rows(openpyxl_records(path, str(path)), str(path))
    except MalformedFileError as error:
        return ("error", str(error), error.reason_code)


def same_outcome(fast: object, reference: object) -> bool:
    """True when the fast route's (headers, rows) equal the reference outcome exactly."""
    if not isinstance(fast, tuple) or not isinstance(reference, tuple) or reference[0] == "error":
        return False
    return fast[0] == reference[0] and fast[1].equals(reference[1])
