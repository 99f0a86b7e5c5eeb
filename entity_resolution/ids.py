"""Stable facility IDs, derived from raw evidence rather than from run order.

A facility's ID is "FLR-" + 12 hex digits of SHA-256 over its anchor: the smallest OS ID among its
records when it has one (OS IDs are the field's shared identifier), else its smallest record_id
(itself a hash of raw source values). Re-running on the same inputs therefore gives the same IDs.
"""

from __future__ import annotations

import hashlib


def facility_id(os_ids: list[str], record_ids: list[str]) -> str:
    """The stable ID of a cluster of records."""
    anchor = f"os:{min(os_ids)}" if os_ids else f"rec:{min(record_ids)}"
    return "FLR-" + hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:12].upper()
