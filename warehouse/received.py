"""The register of received files: `$FLRISK_HOME/received/manifest.yaml` and the copies beside it.

Every way a file reaches flrisk (the demo, `flrisk load`, the inbox sensor) ends here: the file is
checked readable, copied under `received/<kind>/` (the demo bundle is registered in place), and
listed in the received manifest, which the raw assets read. Registering the same bytes twice is a
no-op, so nothing is loaded twice and nothing received is ever lost.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import yaml

from connectors.manifest import ManifestEntry, read_manifest
from connectors.reading.files import read_table_file
from warehouse.home import DEMO_MANIFEST, flrisk_home

KINDS = {
    "supplier-list": "supplier_list",
    "oshub-download": "oshub_download",
    "audits": "social_audit",
    "worker-voice": "worker_voice",
    "reference-dol-goods": "reference_dol_goods",
    "reference-entity-list": "reference_entity_list",
    "reference-country-risk": "reference_country_risk",
}


def received_manifest(home: Path | None = None) -> Path:
    return (home or flrisk_home()) / "received" / "manifest.yaml"


def source_type_of(kind: str, headers: list[str]) -> str:
    """The source type a file of `kind` is; worker-voice files are told apart by their columns."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if KINDS[kind] != "worker_voice":
        return KINDS[kind]
    normalised = {header.strip().lower().replace(" ", "_") for header in headers}
    return "worker_voice_grievance" if "case_id" in normalised else "worker_voice_survey"


def _append(manifest: Path, item: dict) -> None:
    """Add one entry to the received manifest (written whole to a temp file, then renamed)."""
    manifest.parent.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) if manifest.exists() else None
    data = data or {"files": []}
    data["files"].append(item)
    temporary = manifest.with_suffix(".yaml.tmp")
    temporary.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    temporary.replace(manifest)


def _registered_digests(manifest: Path) -> dict[str, ManifestEntry]:
    if not manifest.exists():
        return {}
    return {hashlib.sha256(e.path.read_bytes()).hexdigest(): e for e in read_manifest(manifest)}


def register_file(path: Path, kind: str, contributor: str, received_at: date | None = None) -> ManifestEntry:
    """Check `path` is readable, copy it under `received/<kind>/` and list it; idempotent per content.

    Raises `connectors.reading.errors.MalformedFileError` (naming file, row and column) for an
    unreadable file.
    """
    raw_file = read_table_file(path)
    source_type = source_type_of(kind, raw_file.headers)
    manifest = received_manifest()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    existing = _registered_digests(manifest)
    if digest in existing:
        return existing[digest]
    relative = f"{kind}/{digest[:8]}-{path.name}"
    destination = manifest.parent / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, destination)
    _append(
        manifest,
        {
            "path": relative,
            "source_type": source_type,
            "contributor": contributor,
            "received_at": (received_at or date.today()).isoformat(),
        },
    )
    return next(e for e in read_manifest(manifest) if e.relative_path == relative)


def register_demo_bundle() -> int:
    """List the bundled demo files in the received manifest, in place; returns how many were new."""
    manifest = received_manifest()
    known = {e.path for e in read_manifest(manifest)} if manifest.exists() else set()
    added = 0
    for entry in read_manifest(DEMO_MANIFEST):
        if entry.path in known:
            continue
        _append(
            manifest,
            {
                "path": str(entry.path),
                "source_file": entry.relative_path,
                "source_type": entry.source_type,
                "contributor": entry.contributor,
                "received_at": entry.received_at.isoformat() if entry.received_at else None,
            },
        )
        added += 1
    return added
