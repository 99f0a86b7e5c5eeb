"""A real PostgreSQL server for the tests in this folder: one temporary cluster per test session
(Debian's binaries; `.ci/run` installs postgresql-15 where they are missing), a fresh database per test."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.postgres.cluster import Cluster, find_binaries, temporary_cluster


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
