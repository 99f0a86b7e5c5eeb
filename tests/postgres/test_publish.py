"""`flrisk publish --to postgresql://...` against a real PostgreSQL server, on the demo warehouse: the
tables, types, keys and comments come from the contracts; only the published layer arrives (privacy);
one transaction (a failure leaves the previous tables, nothing is visible before COMMIT); idempotent;
the read-only role; the password only from PGPASSWORD and never in a URL or in the output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import psycopg
import pytest
from psycopg import sql

from tests.postgres.cluster import PASSWORD_ROLE
from tests.postgres.conftest import PUBLISHER_PASSWORD
from warehouse.postgres import publish as publishing
from warehouse.postgres.ddl import POSTGRES_TYPES
from warehouse.postgres.target import TargetError, parse_target

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def flrisk(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "DAGSTER_HOME"}
    environment.update(FLRISK_HOME=str(home), PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def columns_in(url: str) -> dict[str, dict[str, tuple[str, bool]]]:
    """Every user table in the database: schema.table -> column -> (type, nullable)."""
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT table_schema, table_name, column_name, "
            "CASE WHEN data_type = 'ARRAY' THEN 'text[]' ELSE data_type END, is_nullable = 'YES' "
            "FROM information_schema.columns WHERE table_schema <> ALL(%s) ORDER BY 1, 2, ordinal_position",
            [list(SYSTEM_SCHEMAS)],
        ).fetchall()
    tables: dict[str, dict[str, tuple[str, bool]]] = {}
    for schema, table, column, data_type, nullable in rows:
        tables.setdefault(f"{schema}.{table}", {})[column] = (data_type, nullable)
    return tables


def fingerprints(url: str, schema: str = "published") -> dict[str, tuple[int, str]]:
    """Rows and an order-independent digest of every table of `schema`."""
    with psycopg.connect(url) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [schema]
            ).fetchall()
        ]
        digest = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
        return {
            table: con.execute(sql.SQL(digest).format(sql.Identifier(schema, table))).fetchone()
            for table in tables
        }


@pytest.fixture()
def target_url(postgres_cluster, publisher_database) -> str:
    return postgres_cluster.url(publisher_database, user=PASSWORD_ROLE)


@pytest.fixture()
def password(monkeypatch) -> str:
    monkeypatch.setenv("PGPASSWORD", PUBLISHER_PASSWORD)
    return PUBLISHER_PASSWORD


def test_publish_command_contracts_privacy_and_idempotence(demo_home, target_url, password):
    first = flrisk(demo_home, "publish", "--to", target_url, PGPASSWORD=PUBLISHER_PASSWORD)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "facility_risk" in first.stdout and PUBLISHER_PASSWORD not in first.stdout + first.stderr

    # Privacy: every table and column in the database is a published contract's, nothing else.
    contracts = {contract.table_name: contract for contract in publishing.published_contracts()}
    tables = columns_in(target_url)
    assert sorted(tables) == sorted(f"published.{name}" for name in contracts)
    for name, contract in contracts.items():
        expected = {
            c.name: (POSTGRES_TYPES[c.physical_type], not (c.required or c.is_primary_key))
            for c in contract.columns
        }
        assert tables[f"published.{name}"] == expected, name

    with psycopg.connect(target_url) as con:
        below_k = con.execute(
            "SELECT count(*) FROM published.worker_voice_summary "
            "WHERE respondents < 11 OR grievance_cases < 11 OR (suppressed AND "
            "(respondents IS NOT NULL OR reporting IS NOT NULL OR grievance_cases IS NOT NULL))"
        ).fetchone()[0]
        suppressed, cells = con.execute(
            "SELECT count(*) FILTER (WHERE suppressed), count(*) FROM published.worker_voice_summary"
        ).fetchone()
        keys = dict(
            con.execute(
                "SELECT c.relname, string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum)) "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE i.indisprimary AND n.nspname = 'published' "
                "GROUP BY c.relname"
            ).fetchall()
        )
        column_comment = con.execute(
            "SELECT col_description('published.facility_risk'::regclass, 1), "
            "obj_description('published.facility_risk'::regclass)"
        ).fetchone()
        facility_rows = sorted(con.execute("SELECT * FROM published.facility_risk").fetchall())
    assert below_k == 0 and 0 < suppressed < cells  # the demo has small groups: they arrive suppressed only
    assert keys == {name: ",".join(c.primary_key) for name, c in contracts.items() if c.primary_key}
    assert column_comment[0] == contracts["facility_risk"].column("facility_id").description
    assert "contract published.facility_risk" in column_comment[1]

    with duckdb.connect(str(demo_home / "warehouse.snapshot.duckdb"), read_only=True) as duck:
        assert facility_rows == sorted(duck.execute("SELECT * FROM published.facility_risk").fetchall())
        counts = {n: duck.execute(f"SELECT count(*) FROM published.{n}").fetchone()[0] for n in contracts}
    before = fingerprints(target_url)
    assert {name: rows for name, (rows, _) in before.items()} == counts

    second = flrisk(demo_home, "publish", "--to", target_url, PGPASSWORD=PUBLISHER_PASSWORD)
    assert second.returncode == 0, second.stderr
    assert fingerprints(target_url) == before


def test_password_only_from_the_environment(demo_home, target_url):
    secret_url = target_url.replace("@", ":hunter2-secret@")
    refused = flrisk(demo_home, "publish", "--to", secret_url, PGPASSWORD=PUBLISHER_PASSWORD)
    assert refused.returncode == 2
    assert "contains a password" in refused.stderr and "hunter2" not in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr

    missing = flrisk(demo_home, "publish", "--to", target_url)
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert missing.stderr.count("\n") == 1 and "PGPASSWORD" in missing.stderr
    assert "nothing was published" in missing.stderr


def test_no_warehouse_yet_is_one_line(tmp_path):
    result = flrisk(tmp_path, "publish", "--to", "postgresql://bi@127.0.0.1:1/risk")
    assert result.returncode == 2 and "no warehouse" in result.stderr and "Traceback" not in result.stderr


def test_target_urls_are_checked_before_connecting():
    assert parse_target("postgresql://bi@db.example.org:5433/risk").label == "bi@db.example.org:5433/risk"
    for bad in (
        "postgresql://bi:pw@db/risk",
        "postgresql://bi@db/risk?password=pw",
        "mysql://bi@db/risk",
        "postgresql://bi@db",
    ):
        with pytest.raises(TargetError) as refused:
            parse_target(bad)
        assert "pw" not in str(refused.value).replace("postgresql", "")


def test_a_failed_publish_leaves_the_previous_tables_and_shows_nothing_early(
    demo_home, target_url, password, monkeypatch
):
    target = parse_target(target_url)
    with duckdb.connect(str(demo_home / "warehouse.snapshot.duckdb"), read_only=True) as duck:
        publishing.publish(duck, target)
        before = fingerprints(target_url)
        seen_during: list[dict] = []
        real_copy = publishing.copy_table

        def copy_then_fail(duck, cursor, contract, schema):
            real_copy(duck, cursor, contract, schema)
            # Another session, mid-publish: the previous tables, no staging schema.
            seen_during.append(fingerprints(target_url))
            with psycopg.connect(target_url) as other:
                schemas = other.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'flrisk%'")
                seen_during.append({"schemas": schemas.fetchall()})
            raise RuntimeError("disk gone mid-publish")

        monkeypatch.setattr(publishing, "copy_table", copy_then_fail)
        with pytest.raises(RuntimeError, match="disk gone"):
            publishing.publish(duck, target)
    assert seen_during == [before, {"schemas": []}]
    assert fingerprints(target_url) == before
    assert [t for t in columns_in(target_url) if not t.startswith("published.")] == []


def test_readers_role_reads_the_published_schema_only(demo_home, target_url, password, postgres_cluster):
    with duckdb.connect(str(demo_home / "warehouse.snapshot.duckdb"), read_only=True) as duck:
        publishing.publish(duck, parse_target(target_url))
    with psycopg.connect(target_url, autocommit=True) as admin:
        admin.execute("CREATE TABLE public.runs_like_dagster (id int)")  # what else lives in the database
        admin.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_analyst') THEN "
            "CREATE ROLE bi_analyst LOGIN IN ROLE flrisk_reader; END IF; END $$"
        )
    reader_url = target_url.replace(PASSWORD_ROLE, "bi_analyst")  # trusted role: no password needed
    with psycopg.connect(reader_url, autocommit=True) as reader:
        assert reader.execute("SELECT count(*) FROM published.facility_risk").fetchone()[0] > 0
        for forbidden in (
            "SELECT * FROM public.runs_like_dagster",
            "DELETE FROM published.facility_risk",
            "CREATE TABLE published.mine (id int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute(forbidden)
