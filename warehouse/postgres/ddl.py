"""PostgreSQL DDL derived from a table's data contract: types, NOT NULL, the primary key, and comments
on the table and every column from the contract's descriptions (what a BI user sees in their tool).

Identifiers are quoted by psycopg's `sql.Identifier` and comments are bound as literals, so no
contract text is ever spliced into SQL.
"""

from __future__ import annotations

from psycopg import sql

from data_contracts.loader import Contract

# DuckDB type in the contract -> PostgreSQL type.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "VARCHAR[]": "text[]",
}


def postgres_type(physical_type: str) -> str:
    """The PostgreSQL type of a contract column; KeyError names a type with no mapping yet."""
    try:
        return POSTGRES_TYPES[physical_type]
    except KeyError:
        raise KeyError(
            f"no PostgreSQL type for contract type {physical_type!r}: add it to POSTGRES_TYPES"
        ) from None


def create_table(contract: Contract, schema: str, *, with_primary_key: bool = True) -> sql.Composed:
    """`CREATE TABLE schema.table (...)` with NOT NULL on required columns and the contract's primary key
    (`with_primary_key=False` when the key is added after a bulk load, which is faster)."""
    columns = [
        sql.SQL("{} {}{}").format(
            sql.Identifier(column.name),
            sql.SQL(postgres_type(column.physical_type)),
            sql.SQL(" NOT NULL" if column.required or column.is_primary_key else ""),
        )
        for column in contract.columns
    ]
    if contract.primary_key and with_primary_key:
        columns.append(
            sql.SQL("PRIMARY KEY ({})").format(sql.SQL(", ").join(map(sql.Identifier, contract.primary_key)))
        )
    return sql.SQL("CREATE TABLE {} (\n    {}\n)").format(
        sql.Identifier(schema, contract.table_name), sql.SQL(",\n    ").join(columns)
    )


def comments(contract: Contract, schema: str) -> list[sql.Composed]:
    """`COMMENT ON` the table (its purpose and version) and on every column (its description)."""
    table = sql.Identifier(schema, contract.table_name)
    text = (
        f"{contract.purpose} {contract.description} (contract {contract.qualified_name} v{contract.version})"
    )
    statements = [sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(text.strip()))]
    statements += [
        sql.SQL("COMMENT ON COLUMN {} IS {}").format(
            sql.Identifier(schema, contract.table_name, column.name), sql.Literal(column.description)
        )
        for column in contract.columns
        if column.description
    ]
    return statements
