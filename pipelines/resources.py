"""Resources besides the warehouse: where source files come from, and the pseudonymisation key."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.settings import DEMO_MANIFEST, pseudonymisation_key_file

KEY_ENV = "FLRISK_PSEUDONYMISATION_KEY"


class MissingKeyError(RuntimeError):
    """Worker-voice data cannot be ingested without a pseudonymisation key."""


class SourcesResource(dg.ConfigurableResource):
    """The manifest of received files (default: `$FLRISK_SOURCES`, else the bundled demo manifest)."""

    manifest: str = ""

    @property
    def manifest_path(self) -> Path:
        return Path(self.manifest or os.environ.get("FLRISK_SOURCES") or DEMO_MANIFEST)


class PseudonymisationKeyResource(dg.ConfigurableResource):
    """HMAC key for worker and case identifiers: `FLRISK_PSEUDONYMISATION_KEY` or the key file in
    `$FLRISK_HOME/secrets/`. The key itself is never logged or stored in a table."""

    key_file: str = ""

    def key_bytes(self) -> bytes:
        value = os.environ.get(KEY_ENV, "")
        if value:
            return value.encode("utf-8")
        path = Path(self.key_file) if self.key_file else pseudonymisation_key_file()
        if path.is_file() and path.read_text(encoding="utf-8").strip():
            return path.read_text(encoding="utf-8").strip().encode("utf-8")
        raise MissingKeyError(
            f"refusing to ingest worker-voice data without a pseudonymisation key: set {KEY_ENV} "
            f"or write a key to {path} (`flrisk demo` creates a local one)"
        )
