"""Resources besides the warehouse: where source files come from, and the pseudonymisation key."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from connectors.manifest import ManifestEntry, read_manifest
from connectors.oshub_http import OsHubClient, RetryPolicy
from pipelines.settings import flrisk_home, pseudonymisation_key_file

KEY_ENV = "FLRISK_PSEUDONYMISATION_KEY"
OSHUB_TOKEN_ENV = "FLRISK_OSHUB_TOKEN"


MINIMUM_KEY_CHARACTERS = 16


class MissingKeyError(RuntimeError):
    """Worker-voice data cannot be ingested without a pseudonymisation key."""


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
        """Every received file listed in any manifest (a file listed twice counts once)."""
        seen: dict[Path, ManifestEntry] = {}
        for manifest in self.manifest_paths():
            for entry in read_manifest(manifest):
                seen.setdefault(entry.path, entry)
        return list(seen.values())


class PseudonymisationKeyResource(dg.ConfigurableResource):
    """HMAC key for worker and case identifiers: `FLRISK_PSEUDONYMISATION_KEY` or the key file in
    `$FLRISK_HOME/secrets/`. The key itself is never logged or stored in a table."""

    key_file: str = ""

    def key_bytes(self) -> bytes:
        """The key; `MissingKeyError` (never showing the key) when it is absent or too short."""
        value = os.environ.get(KEY_ENV, "")
        path = Path(self.key_file) if self.key_file else pseudonymisation_key_file()
        if not value and path.is_file():
            value = path.read_text(encoding="utf-8").strip()
        if not value:
            raise MissingKeyError(
                f"refusing to ingest worker-voice data without a pseudonymisation key: set {KEY_ENV} "
                f"or write a key to {path} (`flrisk demo` creates a local one)"
            )
        if len(value) < MINIMUM_KEY_CHARACTERS:
            raise MissingKeyError(
                f"refusing to ingest worker-voice data: the pseudonymisation key is shorter than "
                f"{MINIMUM_KEY_CHARACTERS} characters, too weak to stop identifiers being guessed back; "
                "generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        return value.encode("utf-8")


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
