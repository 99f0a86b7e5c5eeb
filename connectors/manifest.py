"""The source manifest: which files arrived, what kind of source each is, and who sent it.

A manifest is a YAML file listing `files:` with `path` (absolute, or relative to the manifest),
`source_type`, `contributor`, `received_at` and optionally `source_file`, the name recorded as the
row's source file (default: `path`). Unknown source types and missing files are reported, never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

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


def read_manifest(manifest_path: Path) -> list[ManifestEntry]:
    """Parse and validate a manifest; paths come back absolute."""
    data = yaml.safe_load(manifest_path.read_text(encoding="utf-8")) or {}
    entries = []
    for number, item in enumerate(data.get("files") or [], start=1):
        where = f"{manifest_path}: files[{number}]"
        missing = [key for key in ("path", "source_type", "contributor") if not item.get(key)]
        if missing:
            raise ManifestError(f"{where}: missing {', '.join(missing)}")
        if item["source_type"] not in SOURCE_TYPES:
            raise ManifestError(
                f"{where}: unknown source_type {item['source_type']!r}; known: {SOURCE_TYPES}"
            )
        path = (manifest_path.parent / item["path"]).resolve()
        if not path.is_file():
            raise ManifestError(f"{where}: file not found: {path}")
        received = item.get("received_at")
        entries.append(
            ManifestEntry(
                path,
                str(item.get("source_file") or item["path"]),
                item["source_type"],
                str(item["contributor"]),
                date.fromisoformat(str(received)) if received else None,
            )
        )
    return entries
