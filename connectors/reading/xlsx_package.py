"""Inspect an XLSX package for the differences between calamine and openpyxl that cell values hide.

The fast XLSX route (``connectors.reading.xlsx_fast``) reads with calamine (through fastexcel) and must
give exactly what the openpyxl route gives. Some differences between the two libraries cannot be seen
in the values calamine returns, so :func:`inspect_package` looks at the package first, without parsing
any sheet data, and returns None (take the openpyxl route) when any of these could matter:

* the first sheet: openpyxl reads the first *worksheet*, calamine the first sheet of any kind, so the
  first ``<sheet>`` of ``xl/workbook.xml`` must be a worksheet whose part is in the archive;
* number formats: each library decides with its own rules whether a format means a date, a duration or
  a number; every cell style must get the same answer from both (openpyxl's functions, calamine's rule
  ported in :func:`calamine_format_kind`);
* strings: calamine trims spaces, tabs and line ends around text not marked ``xml:space="preserve"``
  and decodes Excel's ``_xHHHH_`` escapes; openpyxl does neither. The shared strings and the sheet
  part are scanned (streamed, in chunks) for such text, for character references at a text's edge,
  for CDATA, and for ISO date cells (``t="d"``, which the two parse and render differently).

It also returns openpyxl's read-only bounds from the sheet's ``<dimension>`` (openpyxl drops cells
outside them; calamine does not), for the caller to compare with what calamine read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
WORKBOOK, WORKBOOK_RELS, STYLES = "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"
CHUNK = 1 << 22
HEAD_LIMIT = 1 << 24  # the <dimension> precedes <sheetData>, near the top of the part
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*([\"'])(.*?)\1")
# Escapes, CDATA, ISO date cells (t="d"), text that starts or ends with whitespace or a character
# reference, <t> elements with a prefix or attributes: what a piece must hold to be read differently ...
_AT_RISK = r"""_x00|<!\[CDATA\[|\st=["']d["']|t>[ \t\r\n]|t>&#|[ \t\r\n;]</|:t[\s>]|<t\s"""
_UNSAFE = r"""_x00|<!\[CDATA\[|\st=["']d["']"""
# ... and a <t> element whose text starts or ends with what calamine trims (or a character reference) ...
_EDGE_TEXT = r"<(?:[A-Za-z_][\w.-]*:)?t(?:\s[^>]*)?>(?:[ \t\r\n]|&#|[^<]*(?:[ \t\r\n]|&#\w+;)<)"
# ... is read alike only when calamine sees xml:space="preserve" on it.
_PRESERVED = r"""^<[^>]*\sxml:space\s*=\s*["']preserve["']"""
_BUILTIN_DATE_IDS = {str(code) for code in (*range(14, 23), 45, 47)}


@dataclass(frozen=True)
class Package:
    """What the fast route needs to know: the first sheet's name, openpyxl's bounds for it and
    whether any cell style formats durations."""

    first_sheet: str
    max_row: int | None  # None: no <dimension> (or an open one), openpyxl reads every row
    max_column: int | None
    has_durations: bool  # some cell style formats numbers as durations (openpyxl: timedelta)


def inspect_package(path: Path) -> Package | None:
    """The package facts, or None when calamine might read the first sheet differently from openpyxl."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _inspect(archive)
    except Exception:  # anything unexpected (not a zip, odd XML): the openpyxl route decides
        return None


def _inspect(archive: zipfile.ZipFile) -> Package | None:
    names = set(archive.namelist())
    if WORKBOOK not in names or WORKBOOK_RELS not in names:
        return None
    sheet = ElementTree.fromstring(archive.read(WORKBOOK)).find(f"{MAIN}sheets/{MAIN}sheet")
    relationships = {rel.get("Id"): rel for rel in ElementTree.fromstring(archive.read(WORKBOOK_RELS))}
    relationship = relationships.get(sheet.get(RELATIONSHIP_ID)) if sheet is not None else None
    if sheet is None or relationship is None or not relationship.get("Type", "").endswith("/worksheet"):
        return None
    part = _part(relationship.get("Target", ""))
    kinds = format_kinds(archive.read(STYLES)) if STYLES in names else []
    if part not in names or kinds is None:
        return None
    string_parts = [part, *(name for name in names if "sharedstrings" in name.lower())]
    if any(not strings_read_alike(archive, name) for name in string_parts):
        return None
    bounds = _dimension(archive, part)
    if bounds is None:
        return None
    return Package(sheet.get("name", ""), bounds[1], bounds[0], has_durations="duration" in kinds)


def _part(target: str) -> str:
    """A workbook relationship's target as an archive name (as openpyxl resolves it)."""
    return target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def format_kinds(styles: bytes) -> list[str] | None:
    """Each cell style's number format as "date", "duration" or "number"; None when openpyxl and
    calamine classify some style differently."""
    root = ElementTree.fromstring(styles)
    numbers = root.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")
    custom = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in numbers}
    raw_ids = [xf.get("numFmtId") for xf in root.iterfind(f"{MAIN}cellXfs/{MAIN}xf")]
    if not all(_canonical(raw_id) for raw_id in [*custom, *raw_ids] if raw_id is not None):
        return None  # openpyxl compares ids as integers, calamine as text: keep to where both agree
    from openpyxl.styles.numbers import BUILTIN_FORMATS  # openpyxl only once an XLSX is read

    kinds = []
    for raw_id in raw_ids:
        number = raw_id or "0"  # openpyxl's default numFmtId
        code = custom[number] if number in custom else BUILTIN_FORMATS.get(int(number))
        kind = openpyxl_format_kind(code)
        if kind != calamine_format_kind(raw_id, custom.get(raw_id or "")):
            return None
        kinds.append(kind)
    return kinds


def _canonical(number: str) -> bool:
    return number.isascii() and number.isdigit() and str(int(number)) == number


def openpyxl_format_kind(code: str | None) -> str:
    """ "date", "duration" or "number", as openpyxl's reader treats a cell with this format."""
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format

    if not is_date_format(code):
        return "number"
    return "duration" if is_timedelta_format(code) else "date"


def calamine_format_kind(raw_id: str | None, custom_code: str | None) -> str:
    """ "date", "duration" or "number", as calamine 0.36 treats a cell with this format (a port of
    ``detect_custom_number_format`` and ``builtin_format_by_id`` in calamine's src/formats.rs)."""
    if raw_id is None:
        return "number"
    if custom_code is None:
        return "duration" if raw_id == "46" else "date" if raw_id in _BUILTIN_DATE_IDS else "number"
    escaped = quoted = ampm = hms = False
    brackets, previous = 0, " "
    for char in custom_code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return "number"
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and hms:
            return "duration"
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not ampm and brackets == 0:
            ampm = True
        elif brackets == 0 and char in ("pm/PM" if ampm else "dmhysDMHYS"):
            return "date"
        elif not (hms and _same_ignoring_ascii_case(char, previous)):
            hms = previous == "[" and char in "mhsMHS"
        previous = char
    return "number"


def _same_ignoring_ascii_case(char: str, other: str) -> bool:
    return char == other or (char.isascii() and other.isascii() and char.lower() == other.lower())


def strings_read_alike(archive: zipfile.ZipFile, name: str) -> bool:
    """True when no text in the part is one that calamine would trim or unescape (streamed scan).

    Chunks are cut at the last ``<`` that does not start a closing tag, so a text element (opening
    tag, text, closing tag) never straddles two scanned pieces."""
    carry = b""
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b"<")
            while cut >= 0 and buffer[cut + 1 : cut + 2] == b"/":
                cut = buffer.rfind(b"<", 0, cut)
            cut = max(cut, 0)
            if not _plain(buffer[:cut]):
                return False
            carry = buffer[cut:]
    return _plain(carry)


def _plain(piece: bytes) -> bool:
    """True when calamine reads every text in ``piece`` as openpyxl does. One pass of a simple
    expression settles the usual case; only pieces with text at risk are examined closely."""
    try:
        text = pl.Series([piece], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:  # not UTF-8: leave it to openpyxl
        return False
    if not text.str.contains(_AT_RISK).item():
        return True
    if text.str.contains(_UNSAFE).item():
        return False
    edges = text.str.extract_all(_EDGE_TEXT).explode().drop_nulls()
    return bool(edges.str.contains(_PRESERVED).all())


def _dimension(archive: zipfile.ZipFile, part: str) -> tuple[int | None, int | None] | None:
    """(max column, max row) of the sheet's <dimension> as openpyxl reads it ((None, None) without
    one); None when the head of the part cannot be read that far."""
    head = b""
    with archive.open(part) as stream:
        while b"<sheetData" not in head and b":sheetData" not in head and len(head) < HEAD_LIMIT:
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            head += chunk
    start = min((i for i in (head.find(b"<sheetData"), head.find(b":sheetData")) if i >= 0), default=-1)
    if start < 0:
        return None
    found = _DIMENSION.search(head, 0, start)
    if found is None:
        return None if b"dimension" in head[:start] else (None, None)
    from openpyxl.utils.cell import range_boundaries

    _, _, max_column, max_row = range_boundaries(found.group(2).decode("ascii"))
    return max_column, max_row
