"""Sealing worker-voice input as received: authenticated encryption (AES-256-GCM) under the raw-access key.

Raw worker-voice rows and the received copies of worker-voice files are stored sealed, so a person
holding the warehouse or `$FLRISK_HOME/received/` alone learns nothing about a worker, while whoever
holds the raw-access key (kept apart from the warehouse, `warehouse.keys.raw_access_key`) can unseal the
bytes exactly as received and check them against the file's SHA-256 recorded beside them. GCM
authenticates: a sealed value that was altered, or a wrong key, fails to unseal (`SealError`) rather
than yielding other bytes. Every seal draws a fresh 96-bit nonce.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FILE_MAGIC = b"FLRISK-SEALED-1\n"
TEXT_PREFIX = "sealed:v1:"
NONCE_BYTES = 12
CONTEXT = b"flrisk worker-voice as received"


class SealError(ValueError):
    """A sealed value cannot be opened: altered, truncated, or sealed under another key."""


def key_bytes(secret: str) -> bytes:
    """The 256-bit AES key of a raw-access secret (any string; hashed so its length does not matter)."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def seal(data: bytes, key: bytes) -> bytes:
    """`data` sealed: magic, nonce, ciphertext with tag."""
    nonce = os.urandom(NONCE_BYTES)
    return FILE_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, CONTEXT)


def unseal(sealed: bytes, key: bytes) -> bytes:
    """The bytes `seal` sealed; `SealError` for anything else."""
    if not sealed.startswith(FILE_MAGIC):
        raise SealError("not a sealed flrisk value")
    body = sealed[len(FILE_MAGIC) :]
    try:
        return AESGCM(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], CONTEXT)
    except (InvalidTag, ValueError) as error:
        raise SealError("the sealed value is altered or was sealed under another raw-access key") from error


def is_sealed_file(head: bytes) -> bool:
    """True when a file starting with `head` is a sealed copy."""
    return head.startswith(FILE_MAGIC)


def seal_text(text: str, key: bytes) -> str:
    """A text cell sealed, as `sealed:v1:<base64>` (for a VARCHAR column)."""
    body = seal(text.encode("utf-8"), key)[len(FILE_MAGIC) :]
    return TEXT_PREFIX + base64.b64encode(body).decode("ascii")


def unseal_text(value: str, key: bytes) -> str:
    """The text `seal_text` sealed; text that is not sealed is returned as it is (older warehouses)."""
    if not value.startswith(TEXT_PREFIX):
        return value
    body = base64.b64decode(value[len(TEXT_PREFIX) :])
    return unseal(FILE_MAGIC + body, key).decode("utf-8")
