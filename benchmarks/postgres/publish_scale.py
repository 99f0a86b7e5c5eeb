"""Publishing at scale: N facility rows and their drivers from DuckDB to PostgreSQL, as `flrisk publish`
does it (contract DDL, COPY, keys, comments, ANALYZE, one transaction with the staging-schema swap).

Usage: .venv/bin/python -m benchmarks.postgres.publish_scale [--facilities 1000000]
       [--drivers-per-facility 2.3] [--url postgresql://USER@HOST:PORT/DB]
       (run by hand; goal: 1M facilities in <= 60 s)

Synthesizes `published.facility_risk` (N rows) and `published.facility_risk_drivers` (N x 2.3 rows, the
demo's ratio) in a temporary DuckDB file, every column of the contracts filled (text of realistic length,
numbers, dates, text arrays); the other published tables are empty. Without `--url` it starts a temporary
PostgreSQL cluster with the server's default durability (fsync on). It publishes twice (a first publish
into an empty database, then a replace of the existing tables) and prints seconds, rows per second and
the CPU seconds spent by this process and by the server (independent of what else the machine runs:
an idle 2-core machine needs at least the larger of the two, at most their sum).
"""

from __future__ import annotations

import argparse
import os
import resource
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


def server_cpu_seconds(data_directory: Path) -> float:
    """CPU seconds (user + system) of the cluster's postmaster, its exited children (backends it has
    reaped) and its live children: what the server spent, whatever else the machine runs."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((data_directory / "postmaster.pid").read_text().split()[0])

    def fields(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    own = fields(postmaster)
    total = sum(int(value) for value in own[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = fields(int(entry.name))
            except OSError:
                continue
            if int(stat[1]) == postmaster:
                total += int(stat[11]) + int(stat[12])
    return total / tick


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
            data = cluster.socket_dir / "data" if cluster else None
            for attempt in ("first publish (empty database)", "replace (tables exist)"):
                client, server = client_cpu_seconds(), server_cpu_seconds(data) if data else 0.0
                publication = publish_tables(duck, target)
                client = client_cpu_seconds() - client
                server = (server_cpu_seconds(data) - server) if data else float("nan")
                total = sum(publication.rows.values())
                print(
                    f"{attempt}: {publication.seconds:.1f} s for {total:,} rows "
                    f"({total / publication.seconds:,.0f} rows/s) -> {publication.target}; CPU seconds: "
                    f"client {client:.1f}, server {server:.1f}; load average {os.getloadavg()[0]:.1f}"
                )
        duck.close()


if __name__ == "__main__":
    main()
