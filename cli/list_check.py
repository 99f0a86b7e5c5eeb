"""`flrisk check-list`: what would happen to a file if it were loaded, writing nothing.

Like Open Supply Hub's upload checker: counts, and for each problem the row, the column, the level
(error: the row would be quarantined; warning: it would be staged and reported), the reason code and
the message. Every kind `flrisk load` takes can be checked (`--kind`, default supplier-list), and the
same connector code that stages a file decides, so the check cannot drift from the load. File-level
problems (unreadable, no data rows, a missing column, another kind of file) raise MalformedFileError.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

import polars as pl

from connectors.layouts import edition_from_file_name
from connectors.reading.file_shapes import KINDS, check_file_shape
from connectors.reading.files import XLSX_SUFFIXES, raw_frame
from connectors.reading.workbooks import read_source_file
from connectors.reading.xlsx import sheet_names
from connectors.sources import (
    dol_goods,
    entity_lists,
    global_slavery_index,
    oshub_download,
    social_audit,
    supplier_list,
    worker_voice_grievances,
    worker_voice_surveys,
)
from connectors.staging import Standardised

WORKER_VOICE_KINDS = ("worker_voice_grievance", "worker_voice_survey")


def standardise_for_check(source_type: str, raw: pl.DataFrame, edition: int | None) -> Standardised:
    """Standardise `raw` as the pipeline would, in memory. Worker-voice case ids are keyed with a
    throwaway key: nothing is kept, and no key need be configured to check a file."""
    if source_type == "worker_voice_grievance":
        return worker_voice_grievances.standardise_grievances(raw, secrets.token_bytes(32))
    if source_type in ("reference_dol_goods", "reference_country_risk"):
        source_file = str(raw["source_file"][0])
        editions = {source_file: edition} if edition is not None else {}
        if edition is None:  # else the list's own edition column decides, or the connector says what to do
            with contextlib.suppress(ValueError):
                editions[source_file] = edition_from_file_name(source_file)
        if source_type == "reference_dol_goods":
            return dol_goods.standardise_dol_goods(raw, editions=editions)
        return global_slavery_index.standardise_country_risk(raw, editions=editions)
    standardisers = {
        "supplier_list": supplier_list.standardise,
        "oshub_download": oshub_download.standardise,
        "social_audit": lambda frame: social_audit.standardise(frame, with_audits=True),
        "worker_voice_survey": worker_voice_surveys.standardise_surveys,
        "reference_entity_list": entity_lists.standardise_entity_lists,
    }
    return standardisers[source_type](raw)


def check_file(
    path: Path,
    kind: str = "supplier-list",
    encoding: str | None = None,
    sheet: str | None = None,
    edition: int | None = None,
) -> dict:
    """Read, shape-check and standardise `path` as `kind` in memory; the result as a dict."""
    raw_file = read_source_file(path, KINDS[kind], encoding=encoding, sheet=sheet)
    check_file_shape(raw_file.headers, raw_file.rows.height, KINDS[kind], str(path))
    source_type = KINDS[kind]
    if source_type == "worker_voice":
        has_case_id = "case_id" in {h.strip().lower().replace(" ", "_") for h in raw_file.headers}
        source_type = WORKER_VOICE_KINDS[0] if has_case_id else WORKER_VOICE_KINDS[1]
    raw = raw_frame(raw_file, load_id="check-list", contributor=None)
    result = standardise_for_check(source_type, raw, edition)
    rejected = result.rejected.sort("source_row", "column_name", nulls_last=True)
    rejected_rows = rejected["source_row"].n_unique() if rejected.height else 0
    warnings = result.warnings if result.warnings is not None else pl.DataFrame()
    sheet_read = raw_file.sheet
    if not sheet_read and Path(path).suffix.lower() in XLSX_SUFFIXES:
        sheet_read = sheet_names(Path(path), str(path))[0]
    return {
        "file": str(path),
        "kind": kind,
        "source_type": source_type,
        "encoding": raw_file.encoding,
        "sheet": sheet_read or None,
        "rows_read": raw.height,
        "rows_accepted": raw.height - rejected_rows,
        "rows_rejected": rejected_rows,
        "rows_with_warnings": warnings["source_row"].n_unique() if warnings.height else 0,
        "staged_rows": {name: table.height for name, table in result.tables.items()},
        "facility_records": result.tables["facility_records"].height
        if "facility_records" in result.tables
        else 0,
        "unknown_columns": sorted({c for cols in result.unknown_columns.values() for c in cols}),
        "problems": _listed(rejected, "error"),
        "warnings": _listed(warnings, "warning"),
    }


def _listed(frame: pl.DataFrame, level: str) -> list[dict]:
    if frame.is_empty():
        return []
    return frame.select(
        pl.col("source_row").alias("row"),
        pl.col("column_name").alias("column"),
        pl.lit(level).alias("level"),
        "reason_code",
        "message",
    ).to_dicts()


def check_supplier_list(path: Path) -> dict:
    """`check_file` for a supplier list (kept for callers of the first version)."""
    return check_file(path)


def format_check(result: dict) -> str:
    """The human-readable report of `check_file`."""
    where = result["encoding"] or "xlsx"
    if result.get("sheet"):
        where = f"xlsx, sheet {result['sheet']!r}"
    lines = [
        f"{result['file']} as {result.get('kind', 'supplier-list')} ({where}): {result['rows_read']} rows "
        f"read, {result['rows_accepted']} accepted, {result['rows_rejected']} would be rejected, "
        f"{result.get('rows_with_warnings', 0)} with warnings.",
    ]
    if result["unknown_columns"]:
        lines.append(f"Extra columns kept as extra fields: {', '.join(result['unknown_columns'])}")
    for problem in sorted(
        [*result["problems"], *result.get("warnings", [])], key=lambda p: (p["row"], p["level"] != "error")
    ):
        column = problem["column"] or "-"
        lines.append(
            f"  row {problem['row']}, column {column}: {problem['level']} {problem['reason_code']}: "
            f"{problem['message']}"
        )
    if not result["problems"] and not result.get("warnings"):
        lines.append("No problems found.")
    return "\n".join(lines)
