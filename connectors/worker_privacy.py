"""Keep worker identities out of worker-voice quarantine rows.

A rejected worker-voice row is kept for a data steward to fix, but never with what could identify a
worker. A file whose columns have shifted (an unquoted comma in a narrative) can put a narrative, a name,
a phone number or an e-mail address into the category, status, channel or date cell, and messages quote
the offending value. So, in the payload and in every message:

- sensitive and undeclared columns are dropped (the payload is rebuilt from an allow-list);
- the value of every cell that failed a check is withheld, except the facility reference (name,
  address, country, OS ID: facility data, not about a worker) (``[withheld: N characters; see the raw
  row]``): it is by definition not a known label, so it may be anything; the raw layer keeps it for
  whoever may read raw (survey aggregates, which hold counts rather than case details, keep them);
- every other cell is kept, except free text (longer than ``MAX_LABEL_CHARACTERS`` or more than
  ``MAX_LABEL_WORDS`` words) which is withheld too, and e-mail addresses and phone-like digit runs
  (7 or more digits) which are replaced by ``[e-mail removed]`` / ``[phone removed]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from connectors.headers import SourceSpec
from connectors.staging import Problem, RawRow, Rejections

FACILITY_REFERENCE = frozenset({"facility_name", "facility_address", "facility_country", "os_id"})
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


def withheld(value: str) -> str:
    """What stands in for a cell that must not be shown."""
    return f"[withheld: {len(value)} characters; see the raw row]"


def safe_payload(
    row: RawRow, spec: SourceSpec, failing: set[str], extra: dict[str, str] | None = None
) -> str:
    """JSON of the row's declared non-sensitive cells (original headers): failing cells and free text
    withheld, contact details scrubbed."""
    kept = {
        row.headers.original(name) or name: withheld(value)
        if name in failing or is_free_text(value)
        else scrub(value)
        for name, value in row.cells.items()
        if name not in spec.sensitive
    }
    return json.dumps(kept | (extra or {}), ensure_ascii=False)


class PrivateRejections(Rejections):
    """Quarantine rows of a worker-voice source with safe payloads and messages (see the module)."""

    def __init__(
        self,
        spec: SourceSpec,
        extra: Callable[[RawRow], dict[str, str]] | None = None,
        withhold_failing: bool = True,
    ) -> None:
        super().__init__(spec.source_type)
        self.spec = spec
        self.extra = extra
        self.withhold_failing = withhold_failing

    def add(self, row: RawRow, problems: list[Problem]) -> None:
        """Quarantine ``row`` once per problem, with its payload and messages made safe."""
        failing = {p.column for p in problems if p.column and self.withhold_failing} - FACILITY_REFERENCE
        extra = self.extra(row) if self.extra else None
        self.redact = lambda raw_row: safe_payload(raw_row, self.spec, failing, extra)
        hidden = [v for n, v in row.cells.items() if v and (n in failing or is_free_text(v))]
        hidden += [v for v in row.extras.values() if v]
        start = len(self.rows)
        super().add(row, problems)
        for entry in self.rows[start:]:
            entry["message"] = safe_message(str(entry["message"]), hidden)


def safe_message(message: str, hidden: list[str]) -> str:
    """A problem message with every hidden value (quoted or not) withheld, then scrubbed."""
    for value in sorted(hidden, key=len, reverse=True):
        for form in (repr(value), value):
            message = message.replace(form, withheld(value))
    return scrub(message)
