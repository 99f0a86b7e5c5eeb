"""A real PostgreSQL server for the tests in this folder: one temporary cluster per test session
(Debian's binaries; `.ci/run` installs postgresql-15 where they are missing), a fresh database per test."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.demo_run import demo_environment, run_demo_job
from tests.postgres.cluster import PASSWORD_ROLE, Cluster, find_binaries, temporary_cluster


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running PostgreSQL on 127.0.0.1 (trust authentication), torn down after the session."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on "
            "PATH; install them with `apt-get install -y postgresql-15` (.ci/run does)"
        )
    with temporary_cluster(binaries) as cluster:
        yield cluster


@pytest.fixture()
def postgres_database(postgres_cluster: Cluster) -> str:
    """The name of a new, empty database on the session's cluster."""
    name = f"flrisk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return name


PUBLISHER_PASSWORD = "publisher-test-password-7f3a"


@pytest.fixture()
def publisher_database(postgres_cluster: Cluster) -> str:
    """A new database owned by `flrisk_publisher`, a non-superuser who may create roles and must give a
    password over TCP (see cluster.py)."""
    name = f"flrisk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [PASSWORD_ROLE]).fetchone()
        if not exists:
            con.execute(
                f"CREATE ROLE {PASSWORD_ROLE} LOGIN CREATEROLE PASSWORD '{PUBLISHER_PASSWORD}'"  # test secret
            )
        con.execute(f'CREATE DATABASE "{name}" OWNER {PASSWORD_ROLE}')
    return name


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A FLRISK_HOME where the real refresh_all job ran on the demo bundle (warehouse + reader copy)."""
    with demo_environment(tmp_path_factory.mktemp("postgres_demo_home")) as home:
        from warehouse.received import register_demo_bundle

        register_demo_bundle()
        assert run_demo_job().success
        yield home
