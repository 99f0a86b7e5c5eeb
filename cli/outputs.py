"""Outputs never overwrite inputs or state: where `export`, `share`, `synthesize` and `export-htcds` write.

A command writes its file(s) into a private temporary folder beside the target, then renames each one
into place: a crash or a full disk never leaves half a file under the name asked for. Before anything
is renamed, every target is checked: a path inside the state of `$FLRISK_HOME` (the warehouse and its
reader copy, WAL and lock, the received files, the Dagster instance, the inbox, the secrets) is
refused whatever the flags, and an existing file is replaced only with `--force`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.home import flrisk_home, warehouse_path

STATE_FOLDERS = ("received", "dagster", "inbox", "secrets")


class OutputRefusedError(ValueError):
    """The output path would overwrite state, an input, or an existing file without --force."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def state_paths(home: Path | None = None) -> list[Path]:
    """What no output may overwrite: the warehouse files and the state folders of the home."""
    home = (home or flrisk_home()).resolve()
    database = warehouse_path(home).resolve()
    files = [database.with_name(database.stem + part) for part in (".duckdb", ".snapshot.duckdb")]
    files += [path.with_name(path.name + extra) for path in files for extra in (".wal", ".lock")]
    return files + [home / folder for folder in STATE_FOLDERS]


def check_target(target: Path, force: bool) -> Path:
    """`target` resolved (symlinks and `..` followed), or `OutputRefusedError` saying why not."""
    resolved = target.expanduser().resolve()
    home = flrisk_home().resolve()
    clashes = [protected for protected in state_paths() if _inside(resolved, protected)]
    if clashes or (resolved.parent == home and resolved.suffix == ".duckdb"):
        what = clashes[0].name if clashes else "a database file"
        raise OutputRefusedError(
            f"{target} is flrisk state ({what} in {home}); refusing to write there. Write outputs "
            "outside the warehouse files and the received, dagster, inbox and secrets folders of "
            "$FLRISK_HOME"
        )
    if resolved.is_dir():
        raise OutputRefusedError(f"{target} is a directory; give a file name")
    if resolved.exists() and not force:
        raise OutputRefusedError(f"{target} exists; pass --force to replace it")
    return resolved


@contextmanager
def output_files(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path named like `target` in a private folder beside it; the command writes
    there (side files too, e.g. `<stem>.fidelity.json`). When the block succeeds every file written is
    checked (`check_target`) and renamed into place; otherwise nothing is."""
    check_target(target, force)
    folder = target.expanduser().resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".flrisk-output-", dir=folder))
    try:
        yield staging / target.name
        written = sorted(path for path in staging.iterdir() if path.is_file())
        for path in written:
            check_target(folder / path.name, force)
        for path in written:
            os.replace(path, folder / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def output_folder(target: Path) -> Iterator[Path]:
    """Yield a temporary folder to fill; it is renamed to `target` when the block succeeds. `target`
    must not exist, or be an empty folder, and must not be state."""
    resolved = target.expanduser().resolve()
    for protected in state_paths():
        if _inside(resolved, protected) or _inside(protected, resolved):
            raise OutputRefusedError(f"{target} holds or is flrisk state ({protected}); choose a new folder")
    if resolved.exists() and (not resolved.is_dir() or any(resolved.iterdir())):
        raise OutputRefusedError(f"{target} exists and is not an empty folder; choose a new folder")
    resolved.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{resolved.name}.", suffix=".tmp", dir=resolved.parent))
    try:
        yield staging
        if resolved.exists():
            resolved.rmdir()  # empty, checked above
        os.replace(staging, resolved)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
