"""One writer at a time: an advisory file lock held by the process that writes the warehouse.

DuckDB allows one read-write process per database file, but flrisk opens short-lived connections,
so two runs would interleave their transactions (run B staging while run A resolves). The lock makes
a whole run the unit of writing: the second run waits up to `wait_seconds`, then fails with a message
naming the holder ("another flrisk run holds the warehouse since ..."). The lock is an `flock` on
`<warehouse>.lock`, so the kernel releases it when the holder dies, even by SIGKILL: a crashed run
never blocks the next one. Within one process the lock is re-entrant (counted).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

POLL_SECONDS = 0.2
_held: dict[Path, tuple[int, int]] = {}  # lock path -> (file descriptor, depth) in this process
_guard = threading.Lock()


class WarehouseBusyError(RuntimeError):
    """Another process held the warehouse writer lock for longer than we were willing to wait."""


class FileBusyError(RuntimeError):
    """Another process held a file lock (`file_lock`) for longer than we were willing to wait."""


@contextmanager
def file_lock(path: Path, what: str, wait_seconds: float = 60.0) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` for the block: one process (and one thread) at a time
    changes `what` (the received register, the reports folder). Not re-entrant: never nest it on one
    path. The kernel drops the lock when the holder dies, so a crash never blocks the next process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = _try_lock(path, wait_seconds)
    if descriptor is None:
        raise FileBusyError(
            f"{what} stayed locked by another flrisk process for {wait_seconds:.0f} s ({path}); "
            "wait for it to finish, then try again"
        )
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def lock_path(database: Path) -> Path:
    """The lock file beside a warehouse database file."""
    return database.with_name(database.name + ".lock")


def holder(database: Path) -> dict:
    """Who wrote the lock file last ({} if nobody): pid, since, purpose. Informational only."""
    try:
        return json.loads(lock_path(database).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def writer_active(database: Path) -> bool:
    """True while another process holds the writer lock of `database` (a run is writing it)."""
    path = lock_path(database)
    with _guard:
        if path in _held:
            return False
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file (never written) or unreadable: nobody can hold it
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing drops the probe's lock
    return False


def _busy_message(database: Path, waited: float) -> str:
    info = holder(database)
    return (
        f"another flrisk run holds the warehouse since {info.get('since', 'an unknown time')} "
        f"(pid {info.get('pid', '?')}, {info.get('purpose', 'a run')}); waited {waited:.0f} s for "
        f"{database}. Wait for it to finish (or stop it), then run again."
    )


def _try_lock(path: Path, wait_seconds: float) -> int | None:
    """An open descriptor holding an exclusive flock on `path`, or None after `wait_seconds`."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return descriptor
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(descriptor)
                return None
            time.sleep(POLL_SECONDS)


@contextmanager
def writer_lock(database: Path, purpose: str = "a run", wait_seconds: float = 60.0) -> Iterator[None]:
    """Hold the warehouse writer lock for the block (re-entrant within this process).

    Raises `WarehouseBusyError` when another process keeps it for more than `wait_seconds`.
    """
    acquire(database, purpose, wait_seconds)
    try:
        yield
    finally:
        release(database)


def acquire(database: Path, purpose: str = "a run", wait_seconds: float = 60.0) -> None:
    """Take the writer lock (or deepen this process's hold on it); see `writer_lock`."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _guard:
        if path in _held:
            descriptor, depth = _held[path]
            _held[path] = (descriptor, depth + 1)
            return
    started = time.monotonic()
    descriptor = _try_lock(path, wait_seconds)
    if descriptor is None:
        raise WarehouseBusyError(_busy_message(database, time.monotonic() - started))
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = json.dumps({"pid": os.getpid(), "since": since, "purpose": purpose}).encode()
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, record, 0)
    with _guard:
        _held[path] = (descriptor, 1)


def release(database: Path) -> None:
    """Undo one `acquire`; the lock is released when this process's last hold ends."""
    path = lock_path(database)
    with _guard:
        if path not in _held:
            return
        descriptor, depth = _held.pop(path)
        if depth > 1:
            _held[path] = (descriptor, depth - 1)
            return
    os.ftruncate(descriptor, 0)
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    os.close(descriptor)
