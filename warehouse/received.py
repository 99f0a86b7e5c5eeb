"""The register of received files: `$FLRISK_HOME/received/manifest.yaml` and the copies beside it.

Every way a file reaches flrisk (the demo, `flrisk load`, the inbox sensor) ends here: the file is
checked readable, copied under `received/<kind>/` (the demo bundle is registered in place), and
listed in the received manifest, which the raw assets read. Registering the same bytes from the same
contributor (or from an unnamed one) twice is a no-op, so nothing is loaded twice and nothing received
is ever lost; the same bytes from another named contributor are a second entry (the file counts for
both brands).

Many processes register at once (several `flrisk load`, the inbox sensor): every change to the register
is made under one file lock (`received/.manifest.lock`), reads the register afresh, and replaces it
through a uniquely named temporary file and an atomic rename, so no registration is ever lost and a
reader never sees half a register. Runs record here which files they could not use (`record_outcomes`).

Worker-voice files are kept sealed (issue 17): the copy is `<kind>/<hash8>-<name>.sealed`, the file's
bytes under AES-GCM with the raw-access key (`connectors.sealing`), and the register records the SHA-256
of the bytes as received, so "exactly as received" stays provable by whoever holds the key while the
copy tells nobody else anything. `opened_received` hands readers a clear copy for the time of a read.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from connectors.manifest import ManifestEntry, read_manifest
from connectors.reading.file_shapes import KINDS, check_file_shape
from connectors.reading.workbooks import read_source_file
from connectors.sealing import seal, unseal
from warehouse.home import DEMO_MANIFEST, flrisk_home
from warehouse.locking import file_lock

REGISTER_LOCK_WAIT_SECONDS = 120.0
SEALED_KINDS = frozenset({"worker-voice"})
SEALED_SUFFIX = ".sealed"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _load_yaml(text: str):
    """The safe YAML loader, with libyaml's parser when PyYAML has it (several times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe


def received_manifest(home: Path | None = None) -> Path:
    """The received-files register."""
    return (home or flrisk_home()) / "received" / "manifest.yaml"


def source_type_of(kind: str, headers: list[str]) -> str:
    """The source type a file of `kind` is; worker-voice files are told apart by their columns."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if KINDS[kind] != "worker_voice":
        return KINDS[kind]
    normalised = {header.strip().lower().replace(" ", "_") for header in headers}
    return "worker_voice_grievance" if "case_id" in normalised else "worker_voice_survey"


@contextmanager
def _locked_register(manifest: Path) -> Iterator[dict]:
    """The register's contents, read under the register lock; what the block leaves in the dict is
    written back atomically when the block ends without an error."""
    lock = manifest.with_name(".manifest.lock")
    with file_lock(lock, "the received-files register", REGISTER_LOCK_WAIT_SECONDS):
        data = _load_yaml(manifest.read_text(encoding="utf-8")) if manifest.exists() else None
        data = data if isinstance(data, dict) else {}
        data["files"] = list(data.get("files") or [])
        before = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        yield data
        after = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        if after != before:
            _replace_atomically(manifest, after.encode("utf-8"))


def _replace_atomically(target: Path, content: bytes) -> None:
    """Write `content` to a uniquely named temporary file beside `target`, then rename it over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a uniquely named temporary file and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _seal_atomically(source: Path, target: Path) -> None:
    """Write `source` sealed under the raw-access key to `target` (temporary file, then a rename)."""
    from warehouse.keys import raw_access_key

    _replace_atomically(target, seal(source.read_bytes(), raw_access_key()))


def is_sealed(path: Path) -> bool:
    """True for a sealed received copy."""
    return Path(path).name.endswith(SEALED_SUFFIX)


def received_bytes(path: Path) -> bytes:
    """The bytes of a received file as they arrived (unsealed with the raw-access key if sealed)."""
    if not is_sealed(path):
        return Path(path).read_bytes()
    from warehouse.keys import raw_access_key

    return unseal(Path(path).read_bytes(), raw_access_key(create=False))


@contextmanager
def opened_received(path: Path) -> Iterator[Path]:
    """A path to read the received file at: itself, or for a sealed copy a clear copy in a private
    temporary folder (0700, outside `$FLRISK_HOME`) that is deleted when the block ends."""
    path = Path(path)
    if not is_sealed(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="flrisk-unsealed-") as folder:
        clear = Path(folder) / path.name.removesuffix(SEALED_SUFFIX)
        descriptor = os.open(clear, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(received_bytes(path))
        yield clear


def _digest_of(item: dict, base: Path) -> str | None:
    """The SHA-256 of a registered file: recorded at registration, else computed (older registers)."""
    if item.get("sha256"):
        return str(item["sha256"])
    path = base / str(item.get("path", ""))
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _stored_name(kind: str, digest: str, name: str, contributor: str, taken: set[str]) -> str:
    """Where a copy goes: `<kind>/<hash8>-<name>` (control characters in the name become `_`, so a
    name can never drive a terminal), with a contributor tag when another contributor already sent
    the same bytes under that name."""
    name = _CONTROL.sub("_", name)
    relative = f"{kind}/{digest[:8]}-{name}"
    if relative not in taken:
        return relative
    tag = hashlib.sha256(contributor.encode("utf-8")).hexdigest()[:6]
    return f"{kind}/{digest[:8]}-{tag}-{name}"


def register_file(
    path: Path,
    kind: str,
    contributor: str | None,
    received_at: date | None = None,
    edition: int | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ManifestEntry:
    """Check `path` is readable and of its kind, copy it under `received/<kind>/` and list it;
    idempotent per content and contributor (a new `edition` updates the existing entry). `contributor`
    None means the sender did not say: the same bytes received from anyone count as received, and a
    new file is listed under its name without extension. `encoding` (a CSV's) and `sheet` (an XLSX's)
    are recorded with the entry so every run reads the file the same way.

    Raises `connectors.reading.errors.MalformedFileError` (naming file, row and column) for an
    unreadable file, a file without data rows or one that is not of `kind`, before anything is copied.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    raw_file = read_source_file(path, KINDS[kind], encoding=encoding, sheet=sheet)
    check_file_shape(raw_file.headers, raw_file.rows.height, KINDS[kind], str(path))
    source_type = source_type_of(kind, raw_file.headers)
    manifest = received_manifest()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with _locked_register(manifest) as data:
        for item in data["files"]:
            same_sender = contributor in (None, str(item.get("contributor")))
            same_kind = item.get("source_type") == source_type
            if same_sender and same_kind and _digest_of(item, manifest.parent) == digest:
                if edition is not None:
                    item["edition"] = edition
                relative = str(item["path"])
                break
        else:
            contributor = contributor or path.stem
            taken = {str(item.get("path")) for item in data["files"]}
            stored = path.name + (SEALED_SUFFIX if kind in SEALED_KINDS else "")
            relative = _stored_name(kind, digest, stored, contributor, taken)
            if kind in SEALED_KINDS:
                _seal_atomically(path, manifest.parent / relative)
            else:
                _copy_atomically(path, manifest.parent / relative)
            item = {
                "path": relative,
                "source_type": source_type,
                "contributor": contributor,
                "received_at": (received_at or date.today()).isoformat(),
                "original_name": path.name,
                "sha256": digest,
            }
            if edition is not None:
                item["edition"] = edition
            if encoding:
                item["encoding"] = encoding
            if raw_file.sheet:
                item["sheet"] = raw_file.sheet
            data["files"].append(item)
    return next(e for e in read_manifest(manifest, strict=False) if e.relative_path == relative)


INBOX_README = """Drop files here for flrisk's `inbox_files` sensor (on while `flrisk dev` runs).

One folder per kind of file: {kinds}.
Say who sent a file, in one of two ways (the file name is never used as the contributor):
  - put it in a subfolder named after the sender: supplier-list/Northwind Apparel/list.csv
  - or add a sidecar beside it: list.csv.meta.yaml with `contributor: Northwind Apparel`
    (optional keys: received_at: 2026-10-01, edition: 2024)
A file is registered and moved to processed/ beside it, or to failed/ with <name>.error.txt saying why.
Every run it causes is tagged flrisk/files and flrisk/contributors (Dagster UI, Runs).
"""


def registered_files(home: Path | None = None) -> list[tuple[str, str]]:
    """(source file, contributor) of every file in the received register, in register order."""
    manifest = received_manifest(home)
    if not manifest.exists():
        return []
    return [(entry.relative_path, entry.contributor or "") for entry in read_manifest(manifest, strict=False)]


def ensure_inbox_folders(home: Path | None = None) -> Path:
    """Create `$FLRISK_HOME/inbox/<kind>/` for every kind, with a README saying how to use them."""
    inbox = (home or flrisk_home()) / "inbox"
    for kind in KINDS:
        (inbox / kind).mkdir(parents=True, exist_ok=True)
    readme = inbox / "README.txt"
    if not readme.exists():
        readme.write_text(INBOX_README.format(kinds=", ".join(KINDS)), encoding="utf-8")
    return inbox


def register_demo_bundle() -> int:
    """List the bundled demo files in the received manifest, in place; returns how many were new."""
    manifest = received_manifest()
    added = 0
    with _locked_register(manifest) as data:
        known = {str((manifest.parent / str(item.get("path", ""))).resolve()) for item in data["files"]}
        for entry in read_manifest(DEMO_MANIFEST):
            if str(entry.path) in known:
                continue
            data["files"].append(
                {
                    "path": str(entry.path),
                    "source_file": entry.relative_path,
                    "source_type": entry.source_type,
                    "contributor": entry.contributor,
                    "received_at": entry.received_at.isoformat() if entry.received_at else None,
                }
            )
            added += 1
    return added


def record_outcomes(failed: dict[str, str], usable: set[str], home: Path | None = None) -> None:
    """After a run: mark the files it could not use as a whole (`failed`: source file -> reason) and
    clear the mark of those it used (`usable`). Files of other manifests are left alone."""
    manifest = received_manifest(home)
    if not manifest.exists() or not (failed or usable):
        return
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _locked_register(manifest) as data:
        for item in data["files"]:
            name = str(item.get("source_file") or item.get("path"))
            if name in failed:
                if item.get("failure") != failed[name]:
                    item.update(status="failed", failure=failed[name], failed_at=now)
            elif name in usable:
                for key in ("status", "failure", "failed_at"):
                    item.pop(key, None)


def failed_files(home: Path | None = None) -> list[ManifestEntry]:
    """Received files the last run could not use, with the reason (for `flrisk status`)."""
    manifest = received_manifest(home)
    if not manifest.exists():
        return []
    return [entry for entry in read_manifest(manifest, strict=False) if entry.status == "failed"]


class UnknownFileError(LookupError):
    """`flrisk unload` was given an id that matches no received file (or several)."""


def _matches(item: dict, file_id: str) -> bool:
    """A received file is named by its stored path, its stored file name, the name it was sent under,
    or the start (8+ hex characters) of its SHA-256."""
    path = str(item.get("path", ""))
    digest = str(item.get("sha256") or "")
    return file_id in (path, Path(path).name, str(item.get("original_name") or "")) or (
        len(file_id) >= 8 and bool(digest) and digest.startswith(file_id.lower())
    )


def unregister_file(file_id: str, reason: str = "") -> dict:
    """Take a received file back out: its entry moves from `files` to `removed` (with when and why),
    so the next run stages nothing from it; its stored copy and its raw rows stay, auditable. Raises
    UnknownFileError when `file_id` matches no file, or several."""
    manifest = received_manifest()
    with _locked_register(manifest) as data:
        matches = [item for item in data["files"] if _matches(item, file_id)]
        if len(matches) != 1:
            known = ", ".join(str(item.get("path")) for item in data["files"]) or "none"
            detail = "matches no received file" if not matches else f"matches {len(matches)} files"
            raise UnknownFileError(f"{file_id!r} {detail}; received files: {known}")
        item = matches[0]
        data["files"].remove(item)
        removed = {**item, "removed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if reason:
            removed["removed_reason"] = reason
        data["removed"] = [*(data.get("removed") or []), removed]
    return removed


def removed_files(home: Path | None = None) -> set[str]:
    """Source files (stored paths) taken back out with `flrisk unload` and not received again since."""
    manifest = received_manifest(home)
    if not manifest.exists():
        return set()
    data = _load_yaml(manifest.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        return set()
    active = {str(item.get("source_file") or item.get("path")) for item in data.get("files") or []}
    removed = {str(item.get("source_file") or item.get("path")) for item in data.get("removed") or []}
    return removed - active
