"""Moving one contracted table's rows from DuckDB into PostgreSQL with COPY (CSV), in batches.

DuckDB streams the rows as Arrow record batches; pyarrow writes each batch as CSV (an empty string is
quoted, NULL is not, as PostgreSQL's CSV COPY expects); psycopg streams the bytes. Text arrays become
PostgreSQL array literals in DuckDB before they leave it. No row ever passes through Python objects.
"""

from __future__ import annotations

import io

import duckdb
import pyarrow.csv as arrow_csv
from psycopg import Cursor, sql

from data_contracts.loader import Column, Contract
from data_contracts.physical_types import quote_identifier, quote_qualified

BATCH_ROWS = 200_000
CSV_OPTIONS = arrow_csv.WriteOptions(include_header=False, batch_size=BATCH_ROWS)
# A DuckDB VARCHAR[] as a PostgreSQL text[] literal: {"a","b \"quoted\"",NULL}. Backslashes and quotes
# are escaped; DuckDB string literals take backslashes as they are.
_QUOTED_ITEM = "'\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"'"
ARRAY_LITERAL = (
    "CASE WHEN {c} IS NULL THEN NULL ELSE '{{' || array_to_string(list_transform({c}, "
    f"lambda x: CASE WHEN x IS NULL THEN 'NULL' ELSE {_QUOTED_ITEM} END), ',') || '}}}}' END"
)


def _select_expression(column: Column) -> str:
    name = quote_identifier(column.name)
    if column.physical_type == "VARCHAR[]":
        return f"{ARRAY_LITERAL.format(c=name)} AS {name}"
    return name


def copy_table(duck: duckdb.DuckDBPyConnection, cursor: Cursor, contract: Contract, schema: str) -> int:
    """COPY every row of the contract's DuckDB table into `schema.<table>` in PostgreSQL (the table
    exists, with the contract's columns); returns the number of rows sent."""
    columns = ", ".join(_select_expression(column) for column in contract.columns)
    source = duck.cursor()  # its own result stream: DuckDB keeps one unfinished result per connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(schema, contract.table_name),
        sql.SQL(", ").join(sql.Identifier(column.name) for column in contract.columns),
    )
    rows = 0
    query = f"SELECT {columns} FROM {quote_qualified(contract.qualified_name)}"
    with source, cursor.copy(statement) as copy:
        reader = source.sql(query).to_arrow_reader(BATCH_ROWS)
        for batch in reader:
            if batch.num_rows:
                buffer = io.BytesIO()
                arrow_csv.write_csv(batch, buffer, CSV_OPTIONS)
                copy.write(buffer.getbuffer())
                rows += batch.num_rows
    return rows
