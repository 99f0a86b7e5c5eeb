"""The pseudonymisation key: the HMAC secret that turns worker and case identifiers into pseudonyms.

It comes from `FLRISK_PSEUDONYMISATION_KEY` or the key file in `$FLRISK_HOME/secrets/` (read when asked,
never at import). The key itself is never logged, shown in an error or stored in a table.
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.home import pseudonymisation_key_file

KEY_ENV = "FLRISK_PSEUDONYMISATION_KEY"
MINIMUM_KEY_CHARACTERS = 16


class MissingKeyError(RuntimeError):
    """Worker-voice data cannot be ingested without a pseudonymisation key."""


def pseudonymisation_key(value: str = "", key_file: str = "") -> bytes:
    """The key: `value`, else `$FLRISK_PSEUDONYMISATION_KEY`, else the key file; `MissingKeyError`
    (never showing the key) when it is absent or too short."""
    value = value or os.environ.get(KEY_ENV, "")
    path = Path(key_file) if key_file else pseudonymisation_key_file()
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
