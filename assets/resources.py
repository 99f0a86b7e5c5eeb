"""The Dagster resources assets name in their signatures: the warehouse (with the run's writer lock),
the received files, the pseudonymisation key and the Open Supply Hub API. Each is a thin shell over
the warehouse or connectors package that does the work; `pipelines.definitions` wires the instances."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from connectors.manifest import ManifestEntry, read_manifest
from connectors.sources.oshub_api.client import OsHubClient, RetryPolicy
from warehouse import locking
from warehouse.database import WarehouseTables
from warehouse.home import flrisk_home, lock_wait_seconds, private_home
from warehouse.keys import pseudonymisation_key
from warehouse.migrations import migrate
from warehouse.readers import publish_snapshot
from warehouse.received import record_outcomes, removed_files

OSHUB_TOKEN_ENV = "FLRISK_OSHUB_TOKEN"


class WarehouseResource(dg.ConfigurableResource, WarehouseTables):
    """DuckDB warehouse at `database` (default `$FLRISK_HOME/warehouse.duckdb`, resolved at run time);
    `read_only` for readers outside runs (see `for_readers`). A writing run holds the writer lock from
    its first step to its last and, when no step failed, refreshes the reader copy at the end."""

    database: str = ""
    read_only: bool = False
    _run_connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _instance: dg.DagsterInstance | None = PrivateAttr(default=None)
    _audited_releases: set[str] = PrivateAttr(default_factory=set)

    def run_connection(self) -> duckdb.DuckDBPyConnection | None:
        return self._run_connection

    def run_instance(self) -> dg.DagsterInstance | None:
        """The Dagster instance of the current run (None outside a run), for steps that consult what
        earlier runs recorded."""
        return self._instance

    def audited_releases(self) -> set[str]:
        """Keys of the worker-voice releases this run has put through the disclosure audit and found
        safe (`assets.disclosure`): the same release published by a second step is not audited twice."""
        return self._audited_releases

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run takes the writer lock before its first step (it waits, then fails clearly), brings
        an older warehouse forward to this flrisk's schema (`warehouse.migrations`), then keeps one
        connection open until its last step (every `connect` of the run is a cursor on it)."""
        self._instance = context.instance
        self._audited_releases = set()
        if self.read_only:
            return
        private_home()
        purpose = f"run {context.run_id}" if context.run_id else "a run"
        locking.acquire(self.path, purpose, lock_wait_seconds())
        try:
            with self.connect() as con:
                migration = migrate(con)
            self._run_connection = self.open_writer()
        except BaseException:
            locking.release(self.path)
            raise
        for change in migration.changes:
            context.log.info(f"warehouse migrated to schema version {migration.to_version}: {change}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """After the last step: refresh the reader copy if no step failed, then release the lock."""
        self._instance = None
        self._audited_releases = set()
        if self.read_only:
            return
        try:
            if self._run_connection is not None:
                self._run_connection.close()  # checkpoints the run's writes into the file
                self._run_connection = None
            if self.path.is_file() and not _failed_steps(context):
                publish_snapshot(self.path)
        except (duckdb.Error, OSError) as error:  # readers keep the previous copy; the run's data is safe
            context.log.warning(f"could not refresh the reader copy of {self.path}: {error}")
        finally:
            locking.release(self.path)


def _failed_steps(context: dg.InitResourceContext) -> int:
    """How many steps of the current run have failed so far (0 outside a run)."""
    if context.instance is None or not context.run_id:
        return 0
    return len(context.instance.all_logs(context.run_id, of_type=dg.DagsterEventType.STEP_FAILURE))


class SourcesResource(dg.ConfigurableResource):
    """Where received files are listed: the received manifest under `$FLRISK_HOME/received/`
    (filled by `flrisk demo`, `flrisk load` and the inbox sensor) plus `manifest` or `$FLRISK_SOURCES`
    when set (a manifest kept elsewhere, e.g. on a shared drive)."""

    manifest: str = ""

    def manifest_paths(self) -> list[Path]:
        """Every manifest to read, in order; only those that exist."""
        extra = self.manifest or os.environ.get("FLRISK_SOURCES") or ""
        candidates = [Path(extra)] if extra else []
        candidates.append(flrisk_home() / "received" / "manifest.yaml")
        return [path for path in candidates if path.is_file()]

    def entries(self) -> list[ManifestEntry]:
        """Every received file listed in any manifest (a file listed twice counts once). A listed file
        that has gone missing is returned too: ingestion sets it aside with its reason."""
        seen: dict[Path, ManifestEntry] = {}
        for manifest in self.manifest_paths():
            for entry in read_manifest(manifest, strict=False):
                seen.setdefault(entry.path, entry)
        return list(seen.values())

    def removed_files(self) -> set[str]:
        """Source files taken back out with `flrisk unload`: their raw rows stay, nothing is staged."""
        return removed_files()

    def record_outcomes(self, failed: dict[str, str], usable: set[str]) -> None:
        """Mark in the received register the files a run could not use as a whole (source file ->
        reason) and clear the mark of those it used (`warehouse.received.record_outcomes`)."""
        record_outcomes(failed, usable)


class PseudonymisationKeyResource(dg.ConfigurableResource):
    """HMAC key for worker and case identifiers: `FLRISK_PSEUDONYMISATION_KEY` or the key file in
    `$FLRISK_HOME/secrets/` (`warehouse.keys`). The key itself is never logged or stored in a table."""

    key_file: str = ""

    def key_bytes(self) -> bytes:
        """The key; `MissingKeyError` (never showing the key) when it is absent or too short."""
        return pseudonymisation_key(key_file=self.key_file)


class OsHubResource(dg.ConfigurableResource):
    """Open Supply Hub API access; `base_url` points at the API (a local fake in tests).

    `token` is a `dg.EnvVar` on `FLRISK_OSHUB_TOKEN` (wired in `pipelines.definitions`, and the
    field's default, so run config that overrides only `base_url` or `page_size` keeps it): Dagster
    resolves it when a run that uses this resource starts, never at import, and the UI and run
    config show only the variable's name. It is left out of the resource's repr and never logged.
    An empty token fails on first use with "token missing or rejected"; an unset variable fails
    such a run at launch, naming the variable.
    """

    token: str = Field(
        default=dg.EnvVar(OSHUB_TOKEN_ENV), repr=False, description="Open Supply Hub API token."
    )
    base_url: str = "https://opensupplyhub.org"
    page_size: int = 250
    max_attempts: int = 5
    timeout_seconds: float = 30.0
    backoff_base_seconds: float = 1.0

    def client(self) -> OsHubClient:
        """A client; an empty token fails on first use with "token missing or rejected"."""
        retry = RetryPolicy(
            max_attempts=self.max_attempts,
            timeout=self.timeout_seconds,
            backoff_base=self.backoff_base_seconds,
        )
        return OsHubClient(self.token, self.base_url, retry=retry)
