"""The short text summary `flrisk demo` prints: table sizes, the riskiest facilities, the report."""

from __future__ import annotations

from warehouse.database import Warehouse
from warehouse.home import reports_dir

PUBLISHED = [
    "published.facility_risk",
    "published.facility_risk_drivers",
    "published.list_screening_hits",
    "published.brand_exposure",
    "published.country_commodity_risk",
    "published.worker_voice_summary",
]
TOP_QUERY = """
SELECT facility_name, country_code, risk_score, risk_band, confidence, driver_1, driver_2, driver_3
FROM published.facility_risk
ORDER BY CASE risk_band WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3
         ELSE 4 END, risk_score DESC, facility_id
LIMIT 10
"""  # band severity, then score: the order of every flrisk list (risk_model.bands)


def demo_summary(warehouse: Warehouse) -> str:
    """Rows per published table, the ten riskiest facilities with their main drivers, the report path."""
    lines = ["Published tables (rows):"]
    for table in PUBLISHED:
        lines.append(f"  {table:<40} {warehouse.row_count(table):>7}")
    lines.append("")
    lines.append("Ten riskiest facilities:")
    top = warehouse.query(TOP_QUERY)
    for rank, row in enumerate(top.iter_rows(named=True), start=1):
        lines.append(
            f"{rank:>3}. {row['facility_name']} ({row['country_code']}) score {row['risk_score']:.1f} "
            f"{row['risk_band']}, confidence {row['confidence']:.2f}"
        )
        for driver in (row["driver_1"], row["driver_2"], row["driver_3"]):
            if driver:
                lines.append(f"       - {driver}")
    lines.append("")
    lines.append(f"Data-quality report: {reports_dir() / 'index.html'}")
    return "\n".join(lines)


LOAD_SUMMARY_PRESENT = (
    "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'quarantine' AND table_name = 'load_summary'"
)
LOAD_SUMMARY_SQL = (
    "SELECT rows_read, rows_staged, rows_quarantined, file_status, reason FROM quarantine.load_summary "
    "WHERE source_file = ?"
)
PROBLEMS_SQL = (
    "SELECT source_row, column_name, reason_code, message FROM quarantine.rejected_rows "
    "WHERE source_file = ? ORDER BY source_row LIMIT 20"
)


def load_report(warehouse: Warehouse, source_file: str) -> tuple[str, bool]:
    """Read / staged / quarantined for one loaded file and its first quarantined rows, or why it was
    rejected as a whole; and whether the file was usable."""
    with warehouse.connect(read_only=True) as con:  # one connection for the three reads
        present = con.execute(LOAD_SUMMARY_PRESENT).fetchall()[0][0]
        summary = con.execute(LOAD_SUMMARY_SQL, [source_file]).fetchall() if present else []
        problems = con.execute(PROBLEMS_SQL, [source_file]).fetchall() if summary else []
    if not summary:
        return f"{source_file}: not staged (see the run's failed steps).", False
    read, staged, quarantined, status, reason = summary[0]
    if status == "rejected":
        return (
            f"{source_file}: rejected as a whole, nothing of it was staged (every other file was): {reason}",
            False,
        )
    lines = [f"{source_file}: {read} rows read, {staged} staged, {quarantined} quarantined."]
    for row, column, reason, message in problems:
        lines.append(f"  row {row}, column {column or '-'}: {reason}: {message}")
    return "\n".join(lines), True
