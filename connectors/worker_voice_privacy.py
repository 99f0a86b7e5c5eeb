"""Keep worker identities out of worker-voice quarantine rows.

A rejected worker-voice row is kept for a data steward to fix, but never with what could identify a
worker: its payload is rebuilt from an allow-list (declared, non-sensitive columns; undeclared columns
dropped), and every kept cell and every message is scrubbed. A file whose columns have shifted (an
unquoted comma in a narrative) can put a narrative, a phone number or an e-mail address into the
category or status cell, and messages quote the offending value, so scrubbing covers both:

- e-mail addresses and phone-like digit runs (7 or more digits, with spaces, dots, dashes, brackets or a
  leading +) are replaced by ``[e-mail removed]`` / ``[phone removed]``;
- a cell longer than ``MAX_LABEL_CHARACTERS`` or with more than ``MAX_LABEL_WORDS`` words is free text,
  not a label, and is replaced by ``[free text removed: N characters]`` (also inside messages).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from connectors.headers import SourceSpec
from connectors.staging import Problem, RawRow, Rejections

MAX_LABEL_CHARACTERS = 48
MAX_LABEL_WORDS = 6
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\(?\d(?:[\s().-]*\d){6,}")


def scrub(text: str) -> str:
    """``text`` with e-mail addresses and phone-like numbers replaced."""
    return PHONE.sub("[phone removed]", EMAIL.sub("[e-mail removed]", text))


def is_free_text(value: str) -> bool:
    """True when a cell reads like a sentence rather than a label or a code."""
    return len(value) > MAX_LABEL_CHARACTERS or len(value.split()) > MAX_LABEL_WORDS


def safe_cell(value: str) -> str:
    """A cell as it may appear in quarantine: free text removed, contact details scrubbed."""
    if is_free_text(value):
        return f"[free text removed: {len(value)} characters]"
    return scrub(value)


def safe_payload(row: RawRow, spec: SourceSpec, extra: dict[str, str] | None = None) -> str:
    """JSON of the row's declared non-sensitive cells (original headers), each made safe."""
    kept = {
        row.headers.original(name) or name: safe_cell(value)
        for name, value in row.cells.items()
        if name not in spec.sensitive
    }
    return json.dumps(kept | (extra or {}), ensure_ascii=False)


def safe_message(message: str, row: RawRow) -> str:
    """A problem message with any quoted free-text cell of ``row`` replaced, then scrubbed."""
    for value in [*row.cells.values(), *row.extras.values()]:
        if value and is_free_text(value):
            for quoted in (repr(value), value):
                message = message.replace(quoted, f"[free text removed: {len(value)} characters]")
    return scrub(message)


class PrivateRejections(Rejections):
    """Quarantine rows of a worker-voice source: safe payloads (``payload``) and safe messages."""

    def __init__(self, source_type: str, payload: Callable[[RawRow], str]) -> None:
        super().__init__(source_type, redact=payload)

    def add(self, row: RawRow, problems: list[Problem]) -> None:
        """Quarantine ``row`` once per problem, with its messages made safe."""
        start = len(self.rows)
        super().add(row, problems)
        for entry in self.rows[start:]:
            entry["message"] = safe_message(str(entry["message"]), row)
