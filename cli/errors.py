"""Known failures in one line: what went wrong and how to fix it, never a traceback (unless --debug).

`explain` walks an exception and its causes for a failure a user can act on: a read-only or foreign
home, a full disk, the warehouse or a register held by another process, a damaged reader copy, a
warehouse of another schema version, a missing warehouse. `cli.main` prints the line and exits 2;
anything else exits 1 with its type and message and a pointer to `--debug`. Dates are checked before
any work starts (`as_of_option`).
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator

import click

UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
DISK_FULL_TEXT = ("no space left on device", "database or disk is full", "disk quota exceeded")
READ_ONLY_TEXT = (
    "read-only file system",
    "readonly database",
    "permission denied",
    "unable to open database file",
)
DAMAGED_TEXT = ("not a valid duckdb database", "database file", "corrupt", "checksum", "could not read")
NEARLY_FULL_BYTES = 16 * 1024 * 1024
DISK_FULL_MESSAGE = (
    "the disk holding FLRISK_HOME is full: free some space (or move FLRISK_HOME), then run again; "
    "nothing half-written was published"
)
HOME_FIX = "point FLRISK_HOME at a folder you can write (or fix its permissions), then run again"


def _looks_like_io(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, OSError) or "i/o error" in text or "io error" in text or "disk" in text


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _os_error(error: BaseException) -> str | None:
    if not isinstance(error, OSError) or error.errno is None:
        return None
    where = error.filename or "a file under FLRISK_HOME"
    if error.errno in DISK_FULL:
        return f"{DISK_FULL_MESSAGE} ({where})"
    if error.errno in UNWRITABLE:
        return f"cannot write {where}: the flrisk home is read-only or not yours; {HOME_FIX}"
    return None


def _by_text(error: BaseException) -> str | None:
    return explain_text(str(error), from_duckdb="duckdb" in type(error).__module__)


def explain_text(message: str, from_duckdb: bool = True) -> str | None:
    """One line for a known failure described by `message` (e.g. a failed run step's error)."""
    text = message.lower()
    if any(marker in text for marker in DISK_FULL_TEXT):
        return DISK_FULL_MESSAGE
    if any(marker in text for marker in READ_ONLY_TEXT):
        return f"cannot write under FLRISK_HOME: it is read-only or not yours; {HOME_FIX}"
    if "newer flrisk" in text or "flrisk migrate" in text:
        return next(line.strip() for line in message.splitlines() if "flrisk" in line.lower())
    if from_duckdb and any(marker in text for marker in DAMAGED_TEXT):
        return (
            f"a warehouse file is damaged ({message.splitlines()[0][:200]}); if it is the reader copy "
            "(warehouse.snapshot.duckdb) the next good run (`flrisk refresh`) replaces it, else restore "
            "warehouse.duckdb from a backup"
        )
    if from_duckdb and "could not set lock" in text:
        return "another process has the warehouse open for writing; wait for it to finish, then run again"
    return None


def _disk_nearly_full() -> bool:
    """True when the file system of FLRISK_HOME has almost no space left (an I/O error there is then
    a full disk, whatever words the library that hit it chose)."""
    from warehouse.home import flrisk_home

    home = flrisk_home()
    folder = home if home.exists() else home.parent
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def explain(error: BaseException) -> str | None:
    """One line for a known failure anywhere in `error`'s chain, or None."""
    from warehouse.locking import FileBusyError, WarehouseBusyError
    from warehouse.migrations import MigrationError, WarehouseOutdatedError

    if any(_looks_like_io(link) for link in _chain(error)) and _disk_nearly_full():
        return DISK_FULL_MESSAGE
    for link in _chain(error):
        if isinstance(link, (WarehouseBusyError, FileBusyError, MigrationError, WarehouseOutdatedError)):
            return str(link)
        if isinstance(link, FileNotFoundError) and "no warehouse at" in str(link):
            return str(link)
        found = _os_error(link) or _by_text(link)
        if found:
            return found
    return None


def _check_as_of(_context: click.Context, _parameter: click.Parameter, value: str) -> str:
    from risk_model.inputs import scoring_date

    try:
        scoring_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    return value


def as_of_option(function):
    """`--as-of YYYY-MM-DD`, checked before any work: a real date, not before 2000, not in the future."""
    return click.option(
        "--as-of",
        default="",
        callback=_check_as_of,
        help="Score as of this date (YYYY-MM-DD, 2000-01-01 to today); default today.",
    )(function)
