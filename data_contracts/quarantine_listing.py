"""The quarantined rows themselves, per file, for the data-quality report.

For every file that had rows quarantined: the first :data:`INLINE_ROWS` rows in the HTML page and all
of them in a CSV beside it (``quarantine/<n>-<file>.csv``), each with its row number, column, reason
code and message. Worker voice never appears in clear: rows of worker-voice files keep only their
place (file, row, column) and reason code; their message is replaced by the reason code's meaning and
their payload is withheld, because a message or a cell can quote what a worker said or who they are.
CSV cells that a spreadsheet would read as a formula are prefixed with a quote
(``connectors.spreadsheet_cells``, the rule every file flrisk writes for spreadsheets follows).

Pure: the caller passes the rows (``quarantine.rejected_rows``) and the reason codes' meanings.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.spreadsheet_cells import safe_cell

INLINE_ROWS = 100
FOLDER = "quarantine"
WORKER_VOICE_PREFIX = "worker_voice"
WITHHELD = "withheld: worker-voice row (only its place and reason are shown)"
CSV_COLUMNS = ("source_type", "source_file", "source_row", "column_name", "reason_code", "message", "payload")
SHOWN_COLUMNS = (
    ("source_row", "Row"),
    ("column_name", "Column"),
    ("reason_code", "Reason code"),
    ("message", "Message"),
)


@dataclass(frozen=True)
class QuarantinedFile:
    """One file's quarantined rows (scrubbed) and the CSV that lists all of them."""

    source_type: str
    source_file: str
    rows: tuple[dict[str, Any], ...]
    csv_name: str

    @property
    def worker_voice(self) -> bool:
        return self.source_type.startswith(WORKER_VOICE_PREFIX)


def scrub(row: Mapping[str, Any], meanings: Mapping[str, str]) -> dict[str, Any]:
    """A quarantined row as the report may show it: worker-voice rows lose message and payload."""
    shown = {column: row.get(column) for column in CSV_COLUMNS}
    if str(row.get("source_type") or "").startswith(WORKER_VOICE_PREFIX):
        code = str(row.get("reason_code") or "")
        shown["message"] = f"{meanings.get(code, code)} [{WITHHELD}]"
        shown["payload"] = None
    return shown


def group_by_file(rows: Sequence[Mapping[str, Any]], meanings: Mapping[str, str]) -> list[QuarantinedFile]:
    """Rows (ordered by file, then row) grouped per file, scrubbed, each group with its CSV name."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        key = (str(row.get("source_type") or ""), str(row.get("source_file") or ""))
        groups.setdefault(key, []).append(scrub(row, meanings))
    return [
        QuarantinedFile(source_type, source_file, tuple(found), f"{number:03d}-{_file_slug(source_file)}.csv")
        for number, ((source_type, source_file), found) in enumerate(sorted(groups.items()), start=1)
    ]


def write_csvs(files: Sequence[QuarantinedFile], out_dir: Path) -> list[Path]:
    """All rows of each file to ``out_dir/quarantine/<csv_name>`` (formula-looking cells quoted)."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for found in files:
        path = folder / found.csv_name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            writer.writerows([safe_cell(row.get(c)) for c in CSV_COLUMNS] for row in found.rows)
        written.append(path)
    return written


def render_listing(files: Sequence[QuarantinedFile], escape: Callable[[Any], str]) -> str:
    """The "Quarantined rows by file" section: per file the first INLINE_ROWS rows and a CSV link."""
    parts = [
        '<section id="quarantined_rows">\n<h2>Quarantined rows by file</h2>\n<p class="meta">Every row '
        "that could not be standardised, per file: the first "
        f"{INLINE_ROWS} here, all of them in the linked CSV. Rows of worker-voice files show only their "
        "place and reason: their message and cells are withheld.</p>\n"
    ]
    if not files:
        parts.append("<p>No row was quarantined.</p>\n")
    for found in files:
        href = f"{FOLDER}/{found.csv_name}"
        shown = found.rows[:INLINE_ROWS]
        header = "".join(f"<th>{escape(label)}</th>" for _, label in SHOWN_COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(row.get(column))}</td>" for column, _ in SHOWN_COLUMNS) + "</tr>\n"
            for row in shown
        )
        more = f" (first {len(shown)} shown)" if len(found.rows) > len(shown) else ""
        parts.append(
            f'<details class="quarantined-file" data-rows="{len(found.rows)}"><summary>'
            f"{escape(found.source_file)} ({escape(found.source_type)}): {len(found.rows)} row(s){more}"
            f'</summary>\n<p><a href="{escape(href)}">All {len(found.rows)} rows as CSV</a></p>\n'
            f'<div class="scroll"><table class="sample"><thead><tr>{header}</tr></thead>\n<tbody>\n'
            f"{body}</tbody></table></div>\n</details>\n"
        )
    return "".join(parts) + "</section>\n"


def summary_rows(files: Sequence[QuarantinedFile]) -> list[dict[str, Any]]:
    """Per file: how many rows were quarantined and where the CSV is (for summary.json)."""
    return [
        {
            "source_type": f.source_type,
            "source_file": f.source_file,
            "rows": len(f.rows),
            "csv": f"{FOLDER}/{f.csv_name}",
            "worker_voice_withheld": f.worker_voice,
        }
        for f in files
    ]


def _file_slug(source_file: str) -> str:
    """The received file's name, safe as a file name, without a `.csv` ending (the listing adds its
    own) and with any other ending kept as a word ("list.xlsx" -> "list_xlsx")."""
    name = source_file.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"\.csv$", "", name, flags=re.IGNORECASE).replace(".", "_")
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:80] or "file"
