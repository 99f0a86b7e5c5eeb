"""File layouts: the column names one kind of export uses, mapped to a source's canonical fields.

Audit exports (SMETA, RBA VAP, amfori BSCI, flrisk) and reference lists (DOL 2022 / 2024, DHS UFLPA,
CBP WRO, Global Slavery Index) each come in several layouts. A layout is data, not code: rows of
``layout, column, field, required`` in a reference CSV (``column`` is the file header after
:func:`connectors.headers.normalise_header`; several columns may feed one field as aliases, but a
file may use only one of them). A file's layout is declared by the caller or detected from its
header set: the layout whose required fields are all present and that knows most of the file's
columns wins (ties: the first listed). When none fits, the closest one is used, so that every row is
quarantined with ``missing_required`` naming the absent columns, never silently skipped.

:func:`iter_layout_rows` yields :class:`connectors.staging.RawRow` objects whose cells and header map
speak the canonical field names, so the standardisers below it are layout-independent. The audit
export shapes are declared in ``connectors.sources.social_audit.shapes``.

The reference-list sources (``connectors.sources.dol_goods``, ``entity_lists``,
``global_slavery_index``) also share :func:`reference_layouts` (their layouts, from
``reference_list_layouts.csv`` / ``reference_list_columns.csv``), :func:`list_edition` (a list's
edition: from the file's own ``edition`` column, else as declared by its sender, else the year in the
name the file was SENT under, never the stored name with its hash prefix; else the whole file is
refused with ``unknown_edition``) and :func:`country_code` (a list's country cell as ISO alpha-2, else
``unknown_country``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath

import polars as pl

from connectors.countries import to_alpha2
from connectors.headers import HeaderConflictError, HeaderMap, SourceSpec, normalise_header
from connectors.schemas import RAW_SCHEMA
from connectors.staging import Problem, RawRow, iter_raw_rows
from connectors.vocabulary import read_reference_csv
from data_contracts import load_contract

_EDITION = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})(?:\.0+)?\s*$")
_STORED_PREFIX = re.compile(r"^[0-9a-f]{8}-(?:[0-9a-f]{6}-)?")  # warehouse.received's `<hash8>-[<tag6>-]`
RECEIVED_FOLDERS = ("reference-dol-goods", "reference-country-risk", "reference-entity-list")


class UnknownEditionError(ValueError):
    """A reference list's edition cannot be told: the whole file is refused (``unknown_edition``)."""

    reason_code = "unknown_edition"


@dataclass(frozen=True)
class Layout:
    """One export layout: file column (normalised) -> canonical field, plus constant fields."""

    name: str
    source_type: str
    columns: Mapping[str, str]
    required: tuple[str, ...]
    constants: Mapping[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> SourceSpec:
        """A spec over the layout's own column names (all optional; required is checked per field)."""
        return SourceSpec(source_type=self.source_type, required=(), optional=tuple(self.columns))

    def covers(self, headers: set[str]) -> bool:
        """True when every required field has one of its columns among the normalised headers."""
        present = {self.columns[h] for h in headers if h in self.columns}
        return set(self.required) <= present

    def score(self, headers: set[str]) -> int:
        """How many of the normalised headers this layout knows."""
        return sum(1 for header in headers if header in self.columns)


def load_layouts(
    file_name: str, source_type: str, constants: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, Layout]:
    """Read the layouts of ``source_type`` from a reference CSV, in file order."""
    columns: dict[str, dict[str, str]] = {}
    required: dict[str, list[str]] = {}
    for row in read_reference_csv(file_name):
        if row.get("source_type", source_type) != source_type:
            continue
        mapping = columns.setdefault(row["layout"], {})
        if row["column"] in mapping:
            raise ValueError(f"{file_name}: column {row['column']!r} listed twice for {row['layout']}")
        mapping[row["column"]] = row["field"]
        fields = required.setdefault(row["layout"], [])
        if row["required"].strip() and row["field"] not in fields:
            fields.append(row["field"])
    constants = constants or {}
    return {
        name: Layout(name, source_type, mapping, tuple(required[name]), dict(constants.get(name, {})))
        for name, mapping in columns.items()
    }


def detect_layout(
    headers: Sequence[str], layouts: Mapping[str, Layout], declared: str | None = None
) -> Layout:
    """The declared layout, else the best-fitting one for these file headers (see module doc)."""
    if declared is not None:
        if declared not in layouts:
            raise ValueError(f"unknown layout {declared!r}; known: {sorted(layouts)}")
        return layouts[declared]
    normalised = {normalise_header(header) for header in headers}
    candidates = [layout for layout in layouts.values() if layout.covers(normalised)] or list(
        layouts.values()
    )
    return max(candidates, key=lambda layout: layout.score(normalised))


def iter_layout_rows(
    raw: pl.DataFrame,
    layouts: Mapping[str, Layout],
    unknown_columns: dict[str, tuple[str, ...]],
    declared: str | None = None,
) -> Iterator[tuple[Layout, RawRow]]:
    """Yield (layout, row in canonical field names) for every raw row, file by file, in input order."""
    missing = [name for name in RAW_SCHEMA if name not in raw.columns]
    if missing:
        raise ValueError(f"raw frame lacks columns {missing}")
    files = raw.select("load_id", "source_file").unique(maintain_order=True)
    for load_id, source_file in files.iter_rows():
        part = raw.filter((pl.col("load_id") == load_id) & (pl.col("source_file") == source_file))
        layout = detect_layout(list(json.loads(part["payload"][0])), layouts, declared)
        translated: dict[int, HeaderMap] = {}
        for row in iter_raw_rows(part, layout.spec, unknown_columns):
            if id(row.headers) not in translated:
                translated[id(row.headers)] = _translate_headers(row.headers, layout)
            cells = {**layout.constants, **{layout.columns[name]: value for name, value in row.cells.items()}}
            yield layout, dataclasses.replace(row, cells=cells, headers=translated[id(row.headers)])


def _translate_headers(header_map: HeaderMap, layout: Layout) -> HeaderMap:
    """Re-key a header map from layout column names to canonical fields; refuse alias clashes."""
    canonical: dict[str, str] = {}
    for original, column in header_map.canonical.items():
        target = layout.columns[column]
        clash = next((other for other, used in canonical.items() if used == target), None)
        if clash is not None:
            raise HeaderConflictError(
                f"columns {clash!r} and {original!r} both mean {target!r} in layout {layout.name}"
            )
        canonical[original] = target
    present = set(canonical.values()) | set(layout.constants)
    missing = tuple(name for name in layout.required if name not in present)
    return dataclasses.replace(header_map, canonical=canonical, missing=missing)


def contract_frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    """A staged table from row dicts, typed by its contract (for tables without list columns that
    ``connectors.schemas`` does not pre-load); extra keys in the rows are ignored."""
    schema = load_contract(f"staged.{table}").polars_schema()
    return pl.DataFrame([{name: row[name] for name in schema} for row in rows], schema=schema)


@cache
def reference_layouts(source_type: str) -> dict[str, Layout]:
    """The file layouts of one reference source type, with their constant list names."""
    constants = {
        row["layout"]: {"list_name": row["list_name"]}
        for row in read_reference_csv("reference_list_layouts.csv")
        if row["source_type"] == source_type and row["list_name"]
    }
    return load_layouts("reference_list_columns.csv", source_type, constants)


def edition_from_file_name(source_file: str) -> int:
    """The 4-digit year (20xx) in a file's name as sent; `UnknownEditionError` when there is none. A
    copy stored by `flrisk load` (`reference-dol-goods/<hash8>-<name>`) is read without its prefix."""
    path = PurePath(source_file)
    name = path.name
    if path.parent.name in RECEIVED_FOLDERS:
        name = _STORED_PREFIX.sub("", name, count=1)
    match = _EDITION.search(name)
    if match is None:
        raise UnknownEditionError(
            f"{source_file}: cannot tell the list edition: the file has no edition column, none was "
            f"given, and its name {name!r} holds no year; load it again with "
            "`flrisk load <kind> FILE --edition YEAR`"
        )
    return int(match[1])


def list_edition(row: RawRow, edition: int | None = None, editions: Mapping[str, int] | None = None) -> int:
    """A reference row's edition: its own ``edition`` cell (a year), else `editions[source file]` or
    `edition` (declared by the sender or read from the name the file was sent under), else the year in
    its source file's name."""
    cell = row.raw("edition")
    if cell is not None:
        match = _YEAR.match(cell)
        if match is None:
            raise UnknownEditionError(
                f"{row.source_file}: row {row.source_row}, column edition: not a year (19xx or 20xx)"
            )
        return int(match[1])
    declared = (editions or {}).get(row.source_file, edition)
    return declared if declared is not None else edition_from_file_name(row.source_file)


def country_code(country_raw: str | None, problems: list[Problem]) -> str | None:
    """ISO alpha-2 of a list's country cell; unknown_country when it does not resolve."""
    if country_raw is None:
        return None
    code = to_alpha2(country_raw)
    if code is None:
        problems.append(
            Problem(
                "country",
                "unknown_country",
                f"country {country_raw!r} is not an ISO 3166-1 code, an English country name "
                "or a known variant",
            )
        )
    return code
