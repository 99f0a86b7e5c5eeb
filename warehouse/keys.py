"""The two worker-privacy keys, both held apart from the warehouse and read when asked (never at import).

- The pseudonymisation key: the HMAC secret that turns worker and case identifiers into pseudonyms;
  `FLRISK_PSEUDONYMISATION_KEY` or `$FLRISK_HOME/secrets/pseudonymisation.key`; refused when absent.
- The raw-access key: seals worker-voice input as received (`connectors.sealing`);
  `FLRISK_RAW_ACCESS_KEY`, else the file `FLRISK_RAW_ACCESS_KEY_FILE` points at, else
  `$FLRISK_HOME/secrets/raw-access.key`, written (random, 0600) on first need. In production keep it off
  the warehouse host's home (a secret store, the environment): whoever holds it can read raw worker voice.

Neither key is ever logged, shown in an error or stored in a table.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from warehouse.home import pseudonymisation_key_file, raw_access_key_file

KEY_ENV = "FLRISK_PSEUDONYMISATION_KEY"
RAW_KEY_ENV = "FLRISK_RAW_ACCESS_KEY"
RAW_KEY_FILE_ENV = "FLRISK_RAW_ACCESS_KEY_FILE"
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


def raw_access_secret(create: bool = True) -> str:
    """The raw-access secret (see the module); written to the key file when absent and `create`,
    else `MissingKeyError`."""
    value = os.environ.get(RAW_KEY_ENV, "").strip()
    if value:
        return value
    path = Path(os.environ.get(RAW_KEY_FILE_ENV) or raw_access_key_file())
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    if not create:
        raise MissingKeyError(
            f"no raw-access key: set {RAW_KEY_ENV} or {RAW_KEY_FILE_ENV}; sealed worker-voice input "
            "cannot be read without the key it was sealed under"
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it a moment ago
        return raw_access_secret(create=False)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


def raw_access_key(create: bool = True) -> bytes:
    """The AES-256 key that seals worker-voice input (`connectors.sealing.key_bytes` of the secret)."""
    from connectors.sealing import key_bytes

    return key_bytes(raw_access_secret(create))
