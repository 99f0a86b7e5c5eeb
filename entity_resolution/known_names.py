"""Known names: the names a firm on a public forced-labour list is known by, read as one name.

Many such firms are written in Chinese characters on one list and under an English brand on another
("昌吉溢达纺织有限公司" / "Changji Esquel Textile Co., Ltd.", "中粮糖业" / "COFCO Sugar"): no
romanisation links them. `reference/known_names.csv` holds, per firm (`group_id`), every name it is
publicly known by (registered Chinese name, simplified and traditional, English name, short and former
names), each with its source; see `reference/README.md`.

How it is used (normalise.py): every known name is normalised with the ordinary pipeline; a record
whose normalised name equals one of them is given the group's canonical name (the normalised form of
its first Latin-script row). Two records named by known names of the same firm then compare as the same
name, while their addresses and countries are still compared as always: blocking never pairs records
of different countries, so a known name cannot link across a country conflict.

Invariants: the match is on the whole normalised name, never on a part of it (a namesake "Guangzhou
Meiling Garment" is not "Hefei Meiling"); a normalised name shared by two groups is ambiguous and is
left out of the table (`ambiguous_names`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KNOWN_NAMES = Path(__file__).parent / "reference" / "known_names.csv"
COLUMNS = ("group_id", "name", "script", "kind", "list", "source", "note")
SCRIPTS = frozenset({"han-simplified", "han-traditional", "han", "latin"})
KINDS = frozenset({"registered", "english", "short", "former", "brand", "list"})


@dataclass(frozen=True)
class KnownName:
    """One name a firm is publicly known by."""

    group_id: str
    name: str
    script: str
    kind: str


def read_known_names(path: Path = KNOWN_NAMES) -> list[KnownName]:
    """The rows of the known-names file, checked: every column present, a known script and kind,
    every group with at least one Latin-script name (its canonical name)."""
    with open(path, encoding="utf-8") as handle:
        reader = csv.DictReader(line for line in handle if not line.startswith("#"))
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        rows = []
        for number, row in enumerate(reader, start=2):
            if row["script"] not in SCRIPTS or row["kind"] not in KINDS or not row["name"].strip():
                raise ValueError(f"{path}: row {number}: unknown script/kind or empty name: {row}")
            rows.append(KnownName(row["group_id"], row["name"].strip(), row["script"], row["kind"]))
    latin = {row.group_id for row in rows if row.script == "latin"}
    without = sorted({row.group_id for row in rows} - latin)
    if without:
        raise ValueError(f"{path}: groups without a Latin-script name: {without}")
    return rows


def canonical_names(rows: list[KnownName], normalise: Callable[[str], str]) -> dict[str, str]:
    """Normalised known name -> the canonical normalised name of its firm (the first Latin-script
    row of its group); names shared by two groups are left out."""
    canonical: dict[str, str] = {}
    for row in rows:
        if row.script == "latin":
            canonical.setdefault(row.group_id, normalise(row.name))
    table: dict[str, str] = {}
    for key, group in _groups_by_name(rows, normalise).items():
        if len(group) == 1 and key:
            table[key] = canonical[next(iter(group))]
    return table


def ambiguous_names(rows: list[KnownName], normalise: Callable[[str], str]) -> dict[str, set[str]]:
    """Normalised names that belong to more than one group (left out of the table)."""
    return {key: groups for key, groups in _groups_by_name(rows, normalise).items() if len(groups) > 1}


def _groups_by_name(rows: list[KnownName], normalise: Callable[[str], str]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(normalise(row.name), set()).add(row.group_id)
    return groups
