"""Publish every table of the `published` layer to PostgreSQL in one transaction.

Inside one transaction, under an advisory lock that keeps two publishers apart:

1. a staging schema is rebuilt from scratch: each contracted table is created from its contract
   (`ddl.py`), filled with COPY (`copying.py`), given its primary key and comments, and analysed;
2. the staging schema is swapped in by renames (the old published schema is renamed aside, staging
   takes its name, the old one is dropped) and the read-only role `flrisk_reader` is granted it.

Nothing is visible to another session before COMMIT, so a BI user sees either the previous tables or
the new ones, never half of a table; a failure anywhere rolls everything back. Running it twice leaves
the same rows. Only the contracted tables of the `published` layer leave DuckDB (never raw, staged,
resolved or quarantine data), and the worker-voice summary is checked against k before anything is sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from data_contracts.loader import Contract, all_contracts
from risk_model.parameters import load_parameters
from warehouse.postgres.copying import copy_table
from warehouse.postgres.ddl import comments, create_table
from warehouse.postgres.target import PostgresTarget

PUBLISHED_LAYER = "published"
DEFAULT_SCHEMA = "published"
STAGING_SCHEMA = "flrisk_publish_staging"
RETIRED_SCHEMA = "flrisk_publish_retired"
READER_ROLE = "flrisk_reader"
ADVISORY_LOCK = 0x666C7269736B  # "flrisk": one publisher at a time per database
GUARD_SQL = (Path(__file__).with_name("worker_voice_guard.sql")).read_text(encoding="utf-8")
WORKER_VOICE_TABLE = "published.worker_voice_summary"


class PublishError(RuntimeError):
    """The publish was refused or failed; nothing changed in PostgreSQL. The message names the fix."""


@dataclass
class Publication:
    """What one publish did: the target (no password), the schema, rows per table, seconds taken."""

    target: str
    schema: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def published_contracts() -> list[Contract]:
    """The contracts of the `published` layer: the only tables that ever reach PostgreSQL."""
    return [contract for contract in all_contracts() if contract.schema_name == PUBLISHED_LAYER]


def check_source(duck: duckdb.DuckDBPyConnection, contracts: list[Contract]) -> None:
    """Every table exists in DuckDB, and no worker-voice cell below k would leave it."""
    present = {
        f"{schema}.{table}"
        for schema, table in duck.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ?",
            [PUBLISHED_LAYER],
        ).fetchall()
    }
    missing = [c.qualified_name for c in contracts if c.qualified_name not in present]
    if missing:
        raise PublishError(
            f"the warehouse has no {', '.join(missing)} yet: run `flrisk demo` or `flrisk refresh` first"
        )
    if any(c.qualified_name == WORKER_VOICE_TABLE for c in contracts):
        k = int(load_parameters()["worker_voice"]["k_anonymity"])
        (unsafe,) = duck.execute(GUARD_SQL, [k, k, k]).fetchone()
        if unsafe:
            raise PublishError(
                f"{WORKER_VOICE_TABLE} has {unsafe} cell(s) below k = {k} or suppressed cells with counts: "
                "nothing was published; re-run the pipeline (`flrisk refresh`) to rebuild the summary"
            )


def publish(
    duck: duckdb.DuckDBPyConnection,
    target: PostgresTarget,
    schema: str = DEFAULT_SCHEMA,
    contracts: list[Contract] | None = None,
) -> Publication:
    """Replace `schema` in the target database with the published tables read through `duck`, in one
    transaction; grant `flrisk_reader` read access to it. Raises `PublishError` (nothing changed)."""
    contracts = published_contracts() if contracts is None else contracts
    check_source(duck, contracts)
    started = time.perf_counter()
    publication = Publication(target=target.label, schema=schema)
    try:
        with psycopg.connect(target.url, application_name="flrisk publish") as pg, pg.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            _build_staging(duck, cursor, contracts, publication)
            _swap_in(cursor, schema)
            _grant_readers(cursor, schema)
    except psycopg.Error as error:
        raise PublishError(_explain(error, target)) from error
    publication.seconds = time.perf_counter() - started
    return publication


def _build_staging(duck, cursor: psycopg.Cursor, contracts: list[Contract], publication: Publication) -> None:
    staging = sql.Identifier(STAGING_SCHEMA)
    cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(staging))
    cursor.execute(sql.SQL("CREATE SCHEMA {}").format(staging))
    for contract in contracts:
        table = sql.Identifier(STAGING_SCHEMA, contract.table_name)
        cursor.execute(create_table(contract, STAGING_SCHEMA, with_primary_key=False))
        publication.rows[contract.qualified_name] = copy_table(duck, cursor, contract, STAGING_SCHEMA)
        if contract.primary_key:
            cursor.execute(
                sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
                    table, sql.SQL(", ").join(map(sql.Identifier, contract.primary_key))
                )
            )
        cursor.execute(sql.SQL(";\n").join(comments(contract, STAGING_SCHEMA)))  # one round trip
        cursor.execute(sql.SQL("ANALYZE {}").format(table))


def _swap_in(cursor: psycopg.Cursor, schema: str) -> None:
    """Rename the staging schema to `schema` (the previous one, if any, is renamed aside and dropped)."""
    retired, published = sql.Identifier(RETIRED_SCHEMA), sql.Identifier(schema)
    cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(retired))
    cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
    if cursor.fetchone():
        cursor.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(published, retired))
    cursor.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(STAGING_SCHEMA), published))
    cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(retired))
    cursor.execute(
        sql.SQL("COMMENT ON SCHEMA {} IS {}").format(
            published, sql.Literal("flrisk published risk tables (replaced as a whole by `flrisk publish`)")
        )
    )


def _grant_readers(cursor: psycopg.Cursor, schema: str) -> None:
    """Create the NOLOGIN role `flrisk_reader` if missing; grant it USAGE and SELECT on `schema` only."""
    role, published = sql.Identifier(READER_ROLE), sql.Identifier(schema)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [READER_ROLE])
    if not cursor.fetchone():
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(published, role))
    cursor.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(published, role))


def _explain(error: psycopg.Error, target: PostgresTarget) -> str:
    """One line naming the target (never a password) and PostgreSQL's reason, with the usual fixes."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return (
            f"PostgreSQL at {target.label} refused: {reason}. The publishing user needs CREATE on the "
            f"database (and CREATEROLE once, or an administrator runs `CREATE ROLE {READER_ROLE} NOLOGIN`); "
            "nothing was published"
        )
    if isinstance(error, psycopg.OperationalError):
        return (
            f"cannot publish to PostgreSQL at {target.label}: {reason}. Check the host, port and database, "
            "and give the password through PGPASSWORD, ~/.pgpass or a service file; nothing was published"
        )
    return f"publishing to PostgreSQL at {target.label} failed: {reason}; nothing was published"
