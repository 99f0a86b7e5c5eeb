"""Shared by the Open Supply Hub sync tests: a flrisk home wired to a fake OS Hub, the resources that
reach it, and reading the warehouse those runs write."""

from __future__ import annotations

from pathlib import Path

import duckdb

from assets.resources import OsHubResource, PseudonymisationKeyResource, SourcesResource, WarehouseResource
from tests.fakes.oshub_server import FakeOsHub


def oshub_home(tmp_path: Path, monkeypatch, token: str) -> Path:
    """FLRISK_HOME=tmp_path with the fake hub's token and a test pseudonymisation key."""
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    monkeypatch.setenv("FLRISK_OSHUB_TOKEN", token)
    monkeypatch.setenv("FLRISK_PSEUDONYMISATION_KEY", "oshub-test-key-not-secret")
    return tmp_path


def oshub_resources(hub: FakeOsHub, page_size: int) -> dict:
    """The resources of the OS Hub and staging assets, pointed at `hub`, with fast retries."""
    return {
        "warehouse": WarehouseResource(),
        "oshub": OsHubResource(
            base_url=hub.base_url, page_size=page_size, max_attempts=2, backoff_base_seconds=0.01
        ),
        "sources": SourcesResource(),
        "pseudonymisation": PseudonymisationKeyResource(),
    }


def rows(home: Path, sql: str) -> list[tuple]:
    """All rows of one query on the warehouse in `home` (read-only)."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(sql).fetchall()


def count(home: Path, sql: str) -> int:
    """The single value of a count query."""
    return rows(home, sql)[0][0]
