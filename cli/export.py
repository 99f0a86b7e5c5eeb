"""Safe exports of warehouse tables for spreadsheets: CSV, Parquet or XLSX.

Only contracted tables of the `published` and `resolved` schemas can be exported, from the reader copy
(case-level staged data, even pseudonymised, stays in the warehouse); an engineer (`--as engineer`)
may also export staged and quarantine tables, from the warehouse itself (raw never: its worker-voice
rows are sealed). Every text cell that a spreadsheet could read as a formula — one starting with `=`,
`+`, `-` or `@`, or with a tab or carriage return (OWASP's CSV injection list) — is prefixed with a
single quote, so it shows as text and never runs; text that is a plain signed number ("-12") is kept
(`connectors.spreadsheet_cells`, the rule `flrisk resolve`'s CSV output shares). Numbers, dates and
booleans keep their types, so a negative number stays a number. Lists become `; `-joined text in CSV
and XLSX, and stay lists (each item neutralised) in Parquet. Risk tables are exported in the order
every other surface shows them (`EXPORT_ORDER`): facilities by band severity then score, drivers by
facility and `driver_rank`. The format comes from the output's extension unless given; XLSX sheets
have a frozen header row and an autofilter. `--brand` keeps the rows of one brand (by `contributors`,
`contributor` or the brand's facilities).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from connectors.spreadsheet_cells import neutralise

FORMATS = ("csv", "parquet", "xlsx")
SUFFIX_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
# How a table names the brands it belongs to: a list of contributors, one contributor, or a facility.
BRAND_BY_FACILITY = (
    "SELECT * FROM {table} WHERE facility_id IN "
    "(SELECT facility_id FROM published.facility_risk WHERE list_contains(contributors, ?))"
)
EXPORTABLE_SCHEMAS = ("published", "resolved")
ENGINEER_SCHEMAS = ("published", "resolved", "staged", "quarantine")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


BAND_SEVERITY = (
    "CASE risk_band WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 "
    "WHEN 'low' THEN 3 ELSE 4 END"
)
EXPORT_ORDER = {  # table -> (columns the order needs, ORDER BY clause)
    "published.facility_risk": (
        {"risk_band", "risk_score", "facility_id"},
        f"{BAND_SEVERITY}, risk_score DESC, facility_id",
    ),
    "published.facility_risk_drivers": (
        {"facility_id", "driver_rank", "driver_id"},
        "facility_id, driver_rank, driver_id",
    ),
    "published.list_screening_hits": (
        {"facility_id", "list_name", "list_entity_name", "hit_id"},
        "facility_id, list_name, list_entity_name, hit_id",
    ),
}


def export_query(table_key: str, quoted_name: str, columns: list[str]) -> str:
    """SELECT * of an exportable table, ordered as the other surfaces show it when the table has an
    order and the columns it needs (`columns`: the table's columns)."""
    needed, order = EXPORT_ORDER.get(table_key, (None, None))
    ordered = order is not None and needed <= set(columns)
    return f"SELECT * FROM {quoted_name}" + (f" ORDER BY {order}" if ordered else "")


class ExportError(ValueError):
    """The table or format cannot be exported."""


def exportable_tables(role: str = "sourcing") -> list[str]:
    """Every contracted table `role` may export, as `schema.table`."""
    from data_contracts.loader import all_contracts
    from warehouse.readers import READER_LEFT_OUT

    schemas = ENGINEER_SCHEMAS if role == "engineer" else EXPORTABLE_SCHEMAS
    left_out = set() if role == "engineer" else READER_LEFT_OUT  # not in the reader copy
    names = [contract.qualified_name for contract in all_contracts()]
    return sorted(name for name in names if name.split(".")[0] in schemas and name not in left_out)


def infer_format(out: Path, explicit: str | None) -> str:
    """`--format` when given, else the format named by OUT's extension (x.xlsx, x.csv, x.parquet)."""
    if explicit:
        return explicit
    found = SUFFIX_FORMATS.get(out.suffix.lower())
    if found is None:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise ExportError(
            f"cannot tell the format of {out.name!r} from its extension; name it with one of {known} "
            "or pass --format csv|parquet|xlsx"
        )
    return found


def brand_query(table_key: str, columns: list[str]) -> str:
    """SELECT of the rows of `table_key` that belong to one brand (bound as `?`): a `contributors`
    list containing it, a `contributor` equal to it, or a `facility_id` the brand lists."""
    from warehouse.sql import quoted

    table = quoted(table_key)
    if "contributors" in columns:
        return f"SELECT * FROM {table} WHERE list_contains(contributors, ?)"
    if "contributor" in columns:
        return f"SELECT * FROM {table} WHERE contributor = ?"
    if "facility_id" in columns:
        return BRAND_BY_FACILITY.format(table=table)
    raise ExportError(
        f"{table_key} has no brand (no contributors, contributor or facility_id column); "
        "export it without --brand"
    )


def resolve_table(name: str, role: str = "sourcing") -> str:
    """`facility_risk` or `published.facility_risk` -> `published.facility_risk`; unknown -> ExportError."""
    known = exportable_tables(role)
    if name in known:
        return name
    matches = [table for table in known if table.split(".", 1)[1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ExportError(f"unknown table {name!r}; exportable tables: {', '.join(known)}")


def write_export(frame: pl.DataFrame, out: Path, file_format: str, sheet_name: str = "export") -> int:
    """Write `frame` neutralised to `out` in `file_format`; returns the rows written."""
    if file_format not in FORMATS:
        raise ExportError(f"unknown format {file_format!r}; use one of {', '.join(FORMATS)}")
    safe = neutralise(frame, flatten_lists=file_format != "parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "csv":
        safe.write_csv(out)
    elif file_format == "parquet":
        safe.write_parquet(out)
    else:
        _write_xlsx(safe, out, sheet_name)
    return safe.height


def _write_xlsx(frame: pl.DataFrame, out: Path, sheet_name: str) -> None:
    """One worksheet named `sheet_name` (what Excel allows of it: 31 characters, none of []:*?/\\)
    with a frozen header row and an autofilter over the data; text cells are always stored as text,
    never as formulas."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "_", sheet_name)[:31] or "export")
    sheet.freeze_panes = "A2"
    if frame.width:
        sheet.auto_filter.ref = f"A1:{get_column_letter(frame.width)}{frame.height + 1}"
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("", value))
                cell.data_type = "s"  # never let openpyxl infer a formula
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(out)
