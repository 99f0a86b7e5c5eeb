"""The inbox: drop a file into `$FLRISK_HOME/inbox/<kind>/` (or `inbox/<kind>/<contributor>/`) and
flrisk loads it.

A readable file is registered (see `warehouse.received`) and moved to `processed/` beside it; an
unreadable one is moved to `failed/` beside it with `<name>.error.txt` saying why. Either way the file
is never lost, and one bad file never stops the sensor from handling the others. Who sent the file
(the contributor) comes from its sidecar `<name>.meta.yaml` (`contributor`, with optional
`received_at` and `edition`), else from the subfolder it sits in (`inbox/supplier-list/Northwind
Apparel/list.csv`); never from the file name. A file with neither goes to failed/ saying how to name
the sender, as does a sidecar that is not a YAML mapping of those keys (or names an impossible date).

Worker-voice files never stay in clear (issue 17): once registered (the received copy is sealed), the
inbox file is deleted instead of moved to processed/; a worker-voice file that fails is sealed into
failed/ (`<name>.sealed`, under the raw-access key), and its error never quotes a cell.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from connectors.manifest import read_manifest
from connectors.sealing import seal
from connectors.sources import worker_voice_headers
from connectors.worker_privacy import redact_message
from warehouse.home import flrisk_home, private_home
from warehouse.keys import raw_access_key
from warehouse.received import KINDS, SEALED_KINDS, SEALED_SUFFIX, received_manifest, register_file

SIDECAR_SUFFIX = ".meta.yaml"
OUTCOME_FOLDERS = ("processed", "failed")


@dataclass(frozen=True)
class InboxOutcome:
    """What happened to one inbox file."""

    kind: str
    name: str
    accepted: bool
    detail: str  # the registered source_file, or the error message
    run_key: str | None = None  # None when the file was rejected or its bytes were already received
    contributor: str | None = None  # who sent it (sidecar or subfolder), when accepted


def inbox_dir() -> Path:
    return flrisk_home() / "inbox"


def _waiting(folder: Path) -> list[Path]:
    return [
        p
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(SIDECAR_SUFFIX)
    ]


def pending_files() -> list[tuple[str, Path]]:
    """(kind, path) of every file waiting in an inbox kind folder or in a contributor subfolder of it
    (`processed/` and `failed/` excluded), by folder then name."""
    pending = []
    for kind in KINDS:
        folder = inbox_dir() / kind
        if not folder.is_dir():
            continue
        pending += [(kind, p) for p in _waiting(folder)]
        for sender in sorted(p for p in folder.iterdir() if p.is_dir()):
            if sender.name not in OUTCOME_FOLDERS and not sender.name.startswith("."):
                pending += [(kind, p) for p in _waiting(sender)]
    return pending


class MissingContributorError(ValueError):
    """An inbox file that does not say who sent it."""

    reason_code = "missing_contributor"


def contributor_of(kind: str, path: Path, meta: dict) -> str:
    """The sidecar's `contributor`, else the name of the contributor subfolder the file sits in."""
    if meta.get("contributor"):
        return meta["contributor"]
    if path.parent.parent == inbox_dir() / kind and path.parent.name.strip():
        return path.parent.name.strip()
    raise MissingContributorError(
        f"{path.name}: who sent it? Put it in {kind}/<contributor name>/ (e.g. {kind}/Northwind Apparel/"
        f"{path.name}) or add {path.name}{SIDECAR_SUFFIX} with `contributor: <name>`; the file name is "
        "never taken as the contributor"
    )


def _move(path: Path, folder: Path) -> Path:
    """Move `path` (and its sidecar) into `folder`, never overwriting an earlier file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():
        target = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.exists():
        shutil.move(sidecar, target.with_name(target.name + SIDECAR_SUFFIX))
    shutil.move(path, target)
    return target


def _sealed_in_place(path: Path) -> Path:
    """Replace `path` by `<name>.sealed` (its bytes under the raw-access key); returns the new path."""
    target = path.with_name(path.name + SEALED_SUFFIX)
    target.write_bytes(seal(path.read_bytes(), raw_access_key()))
    path.unlink()
    return target


def _received_files() -> set[str]:
    manifest = received_manifest()
    if not manifest.exists():
        return set()
    return {entry.relative_path for entry in read_manifest(manifest, strict=False)}


class SidecarError(ValueError):
    """A `<name>.meta.yaml` sidecar that cannot be used."""

    reason_code = "bad_sidecar"


def read_sidecar(path: Path) -> dict:
    """contributor, received_at and edition from the sidecar of `path` ({} when there is none);
    `SidecarError` naming the sidecar and the problem when it is not usable."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SidecarError(f"{sidecar.name}: not readable YAML ({type(error).__name__})") from error
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise SidecarError(f"{sidecar.name}: expected a mapping of contributor, received_at, edition")
    unknown = sorted(str(key) for key in meta if key not in ("contributor", "received_at", "edition"))
    if unknown:
        raise SidecarError(f"{sidecar.name}: unknown key(s) {', '.join(unknown)}")
    try:
        received = meta.get("received_at")
        edition = meta.get("edition")
        return {
            "contributor": str(meta["contributor"]).strip() if meta.get("contributor") else "",
            "received_at": date.fromisoformat(str(received)) if received else None,
            "edition": int(edition) if edition not in (None, "") else None,
        }
    except ValueError as error:
        raise SidecarError(f"{sidecar.name}: {error}") from error


def accept(kind: str, path: Path) -> InboxOutcome:
    """Register one inbox file and move it to processed/ or failed/. A file whose bytes were already
    received from the same contributor is moved to processed/ without a run key: the same content never
    triggers a second load. Whatever is wrong with the file or its sidecar, the outcome says so."""
    private_home()
    known = _received_files()
    try:
        meta = read_sidecar(path)
        contributor = contributor_of(kind, path, meta)
        entry = register_file(path, kind, contributor, meta.get("received_at"), edition=meta.get("edition"))
    except Exception as error:  # noqa: BLE001 - whatever is wrong, the file goes to failed/ with why
        detail = str(error)
        if kind in SEALED_KINDS:
            detail = redact_message(detail, frozenset({str(path), path.name}), worker_voice_headers())
            path = _sealed_in_place(path)
        failed = _move(path, path.parent / "failed")
        code = getattr(error, "reason_code", "unreadable_file")
        failed.with_name(failed.name + ".error.txt").write_text(f"[{code}] {detail}\n", encoding="utf-8")
        return InboxOutcome(kind, path.name, False, detail)
    if kind in SEALED_KINDS:
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if sidecar.exists():
            _move(sidecar, path.parent / "processed")
        path.unlink()  # the received copy (sealed) is the record; no clear copy stays in the inbox
    else:
        _move(path, path.parent / "processed")
    run_key = None if entry.relative_path in known else f"inbox:{entry.relative_path}"
    return InboxOutcome(kind, path.name, True, entry.relative_path, run_key, entry.contributor)
