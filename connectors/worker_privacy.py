"""Keep worker identities out of everything staged or quarantined from worker-voice files.

A worker-voice row is about a person, and any of its cells may hold what identifies one: a narrative, a
name, a phone number or an e-mail address, typed into the facility address ("Dorm B room 12 ask for
Tran Thi Mai 0912 345 678") or shifted there by a broken export. So (issue 17):

- every free-text cell staged from a worker-voice row, the facility name and address included, is
  scrubbed (`scrub`): e-mail addresses, phone numbers in national and international formats,
  ID-document-like numbers and the names that follow "ask for", "worker", "tel", "contact"... are
  replaced by `[e-mail removed]`, `[phone removed]`, `[id removed]`, `[name removed]`;
- a row whose facility name or address equals a worker's name given in the same row (a sensitive or
  undeclared name column, or a name after such a cue) is quarantined (`suspected_identity`);
- a quarantined row keeps only declared, non-sensitive cells (the payload is rebuilt from an
  allow-list); the value of every cell that failed a check is withheld (``[withheld: N characters]``),
  and when a cell outside the facility reference failed the row may be shifted, so the facility name
  and address are withheld too; free text (longer than ``MAX_LABEL_CHARACTERS`` or more than
  ``MAX_LABEL_WORDS`` words) is withheld anywhere; every other kept cell is scrubbed (survey aggregates,
  which hold counts rather than case details, keep their failing cells);
- problem messages and file-level errors are rewritten the same way (`safe_message`,
  `redact_message`): they never quote a worker-voice cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from connectors.headers import SourceSpec, normalise_header
from connectors.staging import Problem, RawRow, Rejections

FACILITY_REFERENCE = frozenset({"facility_name", "facility_address", "facility_country", "os_id"})
FACILITY_TEXT = ("facility_name", "facility_address")
MAX_LABEL_CHARACTERS = 48
MAX_LABEL_WORDS = 6
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\(?\d(?:[\s().-]*\d){6,}")
ID_DOCUMENT = re.compile(r"\b[A-Z]{1,2}\d{6,9}\b")
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ʯ"
NAME_CUE = re.compile(
    r"(?i:\b(?:ask(?:ing)? for|contact|worker|reporter|tel|telephone|phone|call|mr|mrs|ms|miss|name)\b)"
    rf"[.:]?\s+((?:[{_UPPER}][\w'’-]*\s*){{1,4}})"
)
NAME_BEFORE_CUE = re.compile(rf"(?:[{_UPPER}][\w'’-]*\s+){{2,4}}(?=(?i:tel|telephone|phone|mobile|call)\b)")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")  # a column name such as 'received_date', never a name
QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def scrub(text: str) -> str:
    """``text`` with e-mail addresses, phone-like numbers, ID-document-like numbers and names after a
    cue ("ask for", "worker", "tel"...) replaced."""
    text = ID_DOCUMENT.sub("[id removed]", EMAIL.sub("[e-mail removed]", text))
    text = PHONE.sub("[phone removed]", text)
    text = NAME_BEFORE_CUE.sub(lambda m: "[name removed]" + m[0][len(m[0].rstrip()) :], text)
    return NAME_CUE.sub(_name_removed, text)


def _name_removed(match: re.Match) -> str:
    name = match[1]
    return match[0][: match.start(1) - match.start(0)] + "[name removed]" + name[len(name.rstrip()) :]


def cue_names(text: str) -> list[str]:
    """The names that follow a cue in ``text`` ("ask for Tran Thi Mai" -> "Tran Thi Mai")."""
    return [match[1].strip() for match in NAME_CUE.finditer(text)]


def people_in(row: RawRow, spec: SourceSpec) -> set[str]:
    """What in `row` names or reaches a worker: its sensitive cells, undeclared name-like cells, and the
    names after a cue in any cell (longer than two characters)."""
    people = {v for n, v in row.cells.items() if n in spec.sensitive and v}
    people |= {v for header, v in row.extras.items() if v and _names_a_person(header)}
    for value in [*row.cells.values(), *row.extras.values()]:
        people |= set(cue_names(value or ""))
    return {person.strip() for person in people if len(person.strip()) > 2}


def scrub_facility_cells(row: RawRow, people: set[str] = frozenset()) -> None:
    """Scrub the facility name and address of a worker-voice row in place (before they are staged):
    the row's own people (`people_in`) are removed wherever they appear, then `scrub`."""
    for name in FACILITY_TEXT:
        value = row.cells.get(name)
        if not value:
            continue
        for person in sorted(people, key=len, reverse=True):
            value = re.sub(re.escape(person), "[name removed]", value, flags=re.IGNORECASE)
        row.cells[name] = scrub(value)


def identity_problems(row: RawRow, people: set[str]) -> list[Problem]:
    """`suspected_identity` for a facility name or address that is one of the row's people."""
    known = {person.casefold() for person in people}
    problems = []
    for name in FACILITY_TEXT:
        value = (row.cells.get(name) or "").strip().casefold()
        if value and value in known:
            problems.append(
                Problem(
                    name,
                    "suspected_identity",
                    f"{name} holds a name given for a worker in the same row; the row is quarantined "
                    "and the cell withheld (fix the export and send it again)",
                )
            )
    return problems


def _names_a_person(header: str) -> bool:
    lowered = header.casefold()
    return any(word in lowered for word in ("name", "worker", "reporter", "contact", "caller"))


def redact_message(
    message: str, allowed: frozenset[str] = frozenset(), headers: frozenset[str] = frozenset()
) -> str:
    """A file-level error about a worker-voice file with every quoted value withheld (except
    lower-case column names, the names in `allowed` and any header that normalises to one of
    `headers`), then scrubbed: it never quotes a cell."""

    def replace(match: re.Match) -> str:
        value = match[1] if match[1] is not None else match[2]
        keep = not value or value in allowed or IDENTIFIER.match(value) or normalise_header(value) in headers
        return match[0] if keep else withheld(value)

    kept = sorted((name for name in allowed if name), key=len, reverse=True)
    text = QUOTED.sub(replace, message)
    for number, name in enumerate(kept):  # file names are ours to show: keep them out of the scrub
        text = text.replace(name, f"\x00{number}\x00")
    text = scrub(text)
    for number, name in enumerate(kept):
        text = text.replace(f"\x00{number}\x00", name)
    return text


def is_free_text(value: str) -> bool:
    """True when a cell reads like a sentence rather than a label or a code."""
    return len(value) > MAX_LABEL_CHARACTERS or len(value.split()) > MAX_LABEL_WORDS


def withheld(value: str) -> str:
    """What stands in for a cell that must not be shown."""
    return f"[withheld: {len(value)} characters]"


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
        failing = {p.column for p in problems if p.column and self.withhold_failing}
        if failing - FACILITY_REFERENCE or any(p.reason_code == "suspected_identity" for p in problems):
            failing |= set(FACILITY_TEXT)  # the row may be shifted: its facility cells may be anything
        else:
            failing -= FACILITY_REFERENCE  # facility data only, shown scrubbed so a steward can fix it
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
