"""Byte-stable writers for the bundle (CSV in several encodings, XLSX) and the ground-truth log.

Nothing here reads a clock: the XLSX core properties and zip entry times are fixed and the zip is
written uncompressed, so the same rows always give the same bytes whatever zlib is installed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

FIXED_ZIP_TIME = (2026, 10, 20, 9, 0, 0)
FIXED_XLSX_TIME = dt.datetime(2026, 10, 20, 9, 0, 0)


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8", line_end: str = "\n"
) -> None:
    """Write rows as CSV (minimal quoting); None is written as an empty cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(
    path: Path, sheet_title: str, header: list[str], rows: list[list[object]], notes: list[str]
) -> None:
    """Write rows to the first sheet of an XLSX file, with a second read-me sheet of notes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(header)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    readme = workbook.create_sheet("Read me")
    for line in notes:
        readme.append([line])
    workbook.properties.creator = "Bluefjord Outdoor sourcing team"
    workbook.properties.created = FIXED_XLSX_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_stable_zip(buffer.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times, no compression and a fixed core.xml timestamp."""
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content
                )
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


@dataclass
class Truth:
    """Ground truth collected while files are written: facility mentions and planted bad rows."""

    mentions: list[list[object]] = field(default_factory=list)
    bad_rows: list[list[object]] = field(default_factory=list)

    def mention(
        self, file: str, row: int, key: str, name: str, country: str, quarantined: bool = False
    ) -> None:
        """Record that data row `row` (header = line 1) of `file` mentions facility `key`."""
        self.mentions.append([file, row, key, name, country, str(quarantined).lower()])

    def bad(self, file: str, row: int, column: str, reason_code: str, description: str) -> None:
        """Record a planted bad row and the reason code the quarantine should give it."""
        self.bad_rows.append([file, row, column, reason_code, description])

    def write(self, truth_dir: Path) -> None:
        """Write truth/facility_mentions.csv and truth/bad_rows.csv."""
        write_csv(
            truth_dir / "facility_mentions.csv",
            [
                "source_file",
                "source_row",
                "true_facility_key",
                "name_as_written",
                "country_as_written",
                "expected_quarantined",
            ],
            self.mentions,
        )
        write_csv(
            truth_dir / "bad_rows.csv",
            ["source_file", "source_row", "column_name", "reason_code", "description"],
            self.bad_rows,
        )
