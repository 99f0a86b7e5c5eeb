"""`flrisk check-list`: what would happen to a supplier list if it were loaded, writing nothing.

Like Open Supply Hub's upload checker: counts, and for each problem the row, the column, the reason
code and the message. The same connector code that stages a list decides, so the check cannot drift
from the load.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from connectors.reading.files import raw_frame, read_table_file
from connectors.sources import supplier_list


def check_supplier_list(path: Path) -> dict:
    """Read and standardise `path` in memory; raises MalformedFileError for an unreadable file."""
    raw_file = read_table_file(path)
    raw = raw_frame(raw_file, load_id="check-list", contributor=None)
    result = supplier_list.standardise(raw)
    rejected = result.rejected.sort("source_row", "column_name", nulls_last=True)
    rejected_rows = rejected["source_row"].n_unique() if rejected.height else 0
    return {
        "file": str(path),
        "encoding": raw_file.encoding,
        "rows_read": raw.height,
        "rows_accepted": raw.height - rejected_rows,
        "rows_rejected": rejected_rows,
        "facility_records": result.tables["facility_records"].height,
        "unknown_columns": sorted({c for cols in result.unknown_columns.values() for c in cols}),
        "problems": rejected.select(
            pl.col("source_row").alias("row"), pl.col("column_name").alias("column"), "reason_code", "message"
        ).to_dicts(),
    }


def format_check(result: dict) -> str:
    """The human-readable report of `check_supplier_list`."""
    lines = [
        f"{result['file']} ({result['encoding'] or 'xlsx'}): {result['rows_read']} rows read, "
        f"{result['rows_accepted']} accepted, {result['rows_rejected']} would be rejected.",
    ]
    if result["unknown_columns"]:
        lines.append(f"Extra columns kept as extra fields: {', '.join(result['unknown_columns'])}")
    for problem in result["problems"]:
        column = problem["column"] or "-"
        lines.append(
            f"  row {problem['row']}, column {column}: {problem['reason_code']}: {problem['message']}"
        )
    if not result["problems"]:
        lines.append("No problems found.")
    return "\n".join(lines)
