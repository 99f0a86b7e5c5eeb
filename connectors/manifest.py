"""The source manifest: which files arrived, what kind of source each is, and who sent it.

A manifest is a YAML file listing `files:` with `path` (absolute, or relative to the manifest),
`source_type`, `contributor`, `received_at` and optionally `source_file`, the name recorded as the
row's source file (default: `path`), `original_name` (the file's name as sent, before flrisk stored it
under a hash prefix), `edition` (a reference list's edition year, given by the sender), `encoding` and
`sheet` (how to read a CSV / XLSX, when given at `flrisk load`), `sha256` and,
once a run could not use the file, `status: failed` with `failure` (the reason). Unknown source types
are reported, never skipped; a missing file is an error unless the caller reads leniently (then the
run reports that one file as failed and carries on with the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

# libyaml's parser when PyYAML has it (same safe constructors, several times faster than the pure-Python
# one): the manifest is read a few times a run and grows by one entry per file received.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SOURCE_TYPES = (
    "oshub_download",
    "supplier_list",
    "social_audit",
    "worker_voice_grievance",
    "worker_voice_survey",
    "reference_dol_goods",
    "reference_entity_list",
    "reference_country_risk",
)


class ManifestError(ValueError):
    """The manifest names an unknown source type, a missing file or lacks a field."""


@dataclass(frozen=True)
class ManifestEntry:
    """One received file."""

    path: Path
    relative_path: str
    source_type: str
    contributor: str
    received_at: date | None
    original_name: str = ""  # the name the file was sent under ("" = the name of `path`)
    edition: int | None = None  # a reference list's edition, as declared by whoever sent it
    status: str = ""  # "failed" when the last run could not use the file as a whole
    failure: str = ""  # why, naming the file, row and column and the rule (never a cell's content)
    encoding: str = ""  # a CSV's encoding as its sender declared it ("" = detected)
    sheet: str = ""  # the XLSX worksheet to read ("" = the one whose header fits)

    @property
    def name_as_sent(self) -> str:
        """The file name as its sender gave it: `original_name`, else the stored file's name."""
        return self.original_name or self.path.name


def read_manifest(manifest_path: Path, strict: bool = True) -> list[ManifestEntry]:
    """Parse and validate a manifest; paths come back absolute. With `strict=False` an entry whose
    file is missing is returned anyway (the caller fails that file alone)."""
    data = yaml.load(manifest_path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}  # noqa: S506
    if not isinstance(data, dict) or not isinstance(data.get("files") or [], list):
        raise ManifestError(f"{manifest_path}: not a manifest (expected a mapping with a `files:` list)")
    entries = []
    for number, item in enumerate(data.get("files") or [], start=1):
        where = f"{manifest_path}: files[{number}]"
        if not isinstance(item, dict):
            raise ManifestError(f"{where}: not a mapping")
        missing = [key for key in ("path", "source_type", "contributor") if not item.get(key)]
        if missing:
            raise ManifestError(f"{where}: missing {', '.join(missing)}")
        if item["source_type"] not in SOURCE_TYPES:
            raise ManifestError(
                f"{where}: unknown source_type {item['source_type']!r}; known: {SOURCE_TYPES}"
            )
        path = (manifest_path.parent / item["path"]).resolve()
        if strict and not path.is_file():
            raise ManifestError(f"{where}: file not found: {path}")
        entries.append(_entry(item, path, where))
    return entries


def _entry(item: dict, path: Path, where: str) -> ManifestEntry:
    received, edition = item.get("received_at"), item.get("edition")
    try:
        return ManifestEntry(
            path,
            str(item.get("source_file") or item["path"]),
            item["source_type"],
            str(item["contributor"]),
            date.fromisoformat(str(received)) if received else None,
            original_name=str(item.get("original_name") or ""),
            edition=int(edition) if edition not in (None, "") else None,
            status=str(item.get("status") or ""),
            failure=str(item.get("failure") or ""),
            encoding=str(item.get("encoding") or ""),
            sheet=str(item.get("sheet") or ""),
        )
    except ValueError as error:
        raise ManifestError(f"{where}: {error}") from error
