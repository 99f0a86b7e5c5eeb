"""Header normalisation and mapping of a file's columns to a source's canonical field names.

Matching is case- and spacing-insensitive only: " Product Type " and "product-type" map to
``product_type``, but no synonyms are guessed ("Facility Name" is not ``name``). Columns a source
does not declare are reported as unknown, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s\-]+")
_UNDERSCORES = re.compile(r"_+")


class HeaderConflictError(ValueError):
    """Two columns of one file normalise to the same canonical field name."""

    reason_code = "header_conflict"


@dataclass(frozen=True)
class SourceSpec:
    """What a source's files must and may contain.

    ``required`` columns must be present with a non-empty cell (else ``missing_required``);
    ``optional`` columns may be absent or empty; ``sensitive`` columns are known but must never
    leave the raw layer (not staged, stripped from quarantine payloads).
    """

    source_type: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        """Every declared column: required, optional and sensitive."""
        return self.required + self.optional + self.sensitive


@dataclass(frozen=True)
class HeaderMap:
    """How one file's original headers relate to a source spec."""

    canonical: dict[str, str]  # original header -> canonical field name (known columns only)
    unknown: tuple[str, ...]  # original headers the spec does not declare, in file order
    missing: tuple[str, ...]  # canonical required columns absent from the file
    headers: tuple[str, ...] = ()  # every original header, in file order

    def original(self, field: str) -> str | None:
        """The original header that maps to ``field``, or None when the file lacks it."""
        for original, canonical in self.canonical.items():
            if canonical == field:
                return original
        return None


def normalise_header(header: str) -> str:
    """Lower-case, trim, and turn inner spaces/hyphens into single underscores."""
    text = _SEPARATORS.sub("_", header.strip().casefold())
    return _UNDERSCORES.sub("_", text).strip("_")


def map_headers(headers: Sequence[str], spec: SourceSpec) -> HeaderMap:
    """Map original headers to the spec's field names; raise HeaderConflictError on collisions."""
    known = set(spec.known)
    canonical: dict[str, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        name = normalise_header(header)
        if name in seen:
            raise HeaderConflictError(
                f"columns {seen[name]!r} and {header!r} both mean {name!r} for source {spec.source_type}"
            )
        seen[name] = header
        if name in known:
            canonical[header] = name
        else:
            unknown.append(header)
    missing = tuple(field for field in spec.required if field not in canonical.values())
    return HeaderMap(canonical=canonical, unknown=tuple(unknown), missing=missing, headers=tuple(headers))
