"""Publishing at scale: N facility rows and their drivers from DuckDB to PostgreSQL, as `flrisk publish`
does it (contract DDL, COPY, keys, comments, ANALYZE, one transaction with the staging-schema swap).

Usage: .venv/bin/python -m benchmarks.postgres.publish_scale [--facilities 1000000]
       [--drivers-per-facility 2.3] [--url postgresql://USER@HOST:PORT/DB]
       (run by hand; goal: 1M facilities in <= 60 s)

Synthesizes `published.facility_risk` (N rows) and `published.facility_risk_drivers` (N x 2.3 rows, the
demo's ratio) in a temporary DuckDB file, every column of the contracts filled (text of realistic length,
numbers, dates, text arrays); the other published tables are empty. Without `--url` it starts a temporary
PostgreSQL cluster with the server's default durability (fsync on). It publishes twice (a first publish
into an empty database, then a replace of the existing tables) and prints seconds and rows per second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import duckdb

from data_contracts.loader import Column, Contract
from data_contracts.physical_types import quote_identifier
from tests.postgres.cluster import find_binaries, temporary_cluster
from warehouse.postgres.publish import publish as publish_tables
from warehouse.postgres.publish import published_contracts
from warehouse.postgres.target import parse_target

FACILITY_ID = "printf('FLR-%012X', {facility})"


def value(column: Column, row: str, facility: str) -> str:
    """A DuckDB expression giving a plausible value of `column` for row number `row`."""
    name = column.name
    if name == "facility_id":
        return FACILITY_ID.format(facility=facility)
    if name == "driver_id":
        return f"printf('drv-FLR-%012X-%d', {facility}, {row})"
    kind = column.physical_type
    if kind == "VARCHAR":
        if name.endswith(("country_code", "country")):
            return f"['BD', 'CN', 'IN', 'VN', 'TR', 'PK'][{row} % 6 + 1]"
        if name.endswith(("band", "component", "status")):
            return f"['low', 'medium', 'high', 'critical'][{row} % 4 + 1]"
        return f"'{name} ' || substr(md5({row}::VARCHAR), 1, 8 + {row} % 24)"
    if kind == "BIGINT":
        return f"{row} % 5000"
    if kind == "DOUBLE":
        return f"({row} % 10000) / 100.0"
    if kind == "BOOLEAN":
        return f"{row} % 2 = 0"
    if kind == "DATE":
        return f"DATE '2026-01-01' + ({row} % 330)::INTEGER"
    if kind == "TIMESTAMP":
        return f"TIMESTAMP '2026-01-01' + to_seconds({row} % 86400)"
    if kind == "VARCHAR[]":
        return f"[printf('drv-%d-1', {row}), printf('drv-%d-2', {row})]"
    raise ValueError(f"no generator for {kind}")


def synthesize(duck: duckdb.DuckDBPyConnection, contract: Contract, rows: int, facilities: int) -> None:
    """Create the contract's table in DuckDB and fill it with `rows` synthetic rows."""
    duck.execute(contract.ddl())
    facility = "i" if rows == facilities else f"(i % {facilities})"
    columns = ", ".join(f"{value(c, 'i', facility)} AS {quote_identifier(c.name)}" for c in contract.columns)
    duck.execute(f"INSERT INTO {contract.qualified_name} SELECT {columns} FROM range({rows}) t(i)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=1_000_000)
    parser.add_argument("--drivers-per-facility", type=float, default=2.3)
    parser.add_argument("--url", default="", help="publish here instead of a temporary cluster")
    args = parser.parse_args()
    sizes = {
        "published.facility_risk": args.facilities,
        "published.facility_risk_drivers": int(args.facilities * args.drivers_per_facility),
    }
    with tempfile.TemporaryDirectory(prefix="flrisk-pg-bench-") as folder:
        duck = duckdb.connect(str(Path(folder) / "warehouse.duckdb"))
        duck.execute("CREATE SCHEMA published")
        started = time.perf_counter()
        for contract in published_contracts():
            synthesize(duck, contract, sizes.get(contract.qualified_name, 0), args.facilities)
        print(f"synthesized {sizes} in {time.perf_counter() - started:.1f} s")
        binaries = find_binaries()
        if not args.url and binaries is None:
            raise SystemExit("no PostgreSQL binaries: install postgresql-15 or pass --url")
        with temporary_cluster(binaries, durable=True) if not args.url else nullcontext() as cluster:
            target = parse_target(args.url or cluster.url())
            for attempt in ("first publish (empty database)", "replace (tables exist)"):
                publication = publish_tables(duck, target)
                total = sum(publication.rows.values())
                print(
                    f"{attempt}: {publication.seconds:.1f} s for {total:,} rows "
                    f"({total / publication.seconds:,.0f} rows/s) -> {publication.target}"
                )
        duck.close()


if __name__ == "__main__":
    main()
