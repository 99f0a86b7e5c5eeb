"""Whole-file failures: one received file that cannot be standardised at all never stops the others.

A file can fail as a whole after it was received: two headers that mean the same field, a reference
list whose edition cannot be told, a file that vanished from the received folder, or anything a
connector raises while reading it. `standardise_isolated` standardises a source type's files together
(the fast path); only when that raises does it try each file alone, set aside the ones that fail with
their reason, and standardise the others together again, so they come out exactly as they would have
without the bad file. `describe_failure` turns an error into a reason code and a message that names
the file and the rule; for worker-voice files it never quotes anything a connector did not write
itself, so no cell (a worker's identity) reaches a log, an error message or a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from connectors.headers import HeaderConflictError
from connectors.reading.errors import MalformedFileError
from connectors.staging import Standardised, merge_parts, standardise_reconciled
from connectors.worker_privacy import redact_message

PRIVATE_SOURCE_PREFIX = "worker_voice"
FALLBACK_CODE = "file_failed"


@dataclass(frozen=True)
class FileFailure:
    """Why one file was set aside as a whole."""

    source_file: str
    reason_code: str
    message: str

    @property
    def reason(self) -> str:
        """`[code] message`, as the received register and `flrisk load` show it."""
        return f"[{self.reason_code}] {self.message}"


def describe_failure(error: BaseException, source_type: str, source_file: str) -> FileFailure:
    """The reason code and a safe message for `error` raised while standardising `source_file`."""
    code = getattr(error, "reason_code", None) or FALLBACK_CODE
    known = isinstance(error, (HeaderConflictError, MalformedFileError, FileNotFoundError)) or (
        code != FALLBACK_CODE
    )
    if known:
        message = str(error) if source_file in str(error) else f"{source_file}: {error}"
        if source_type.startswith(PRIVATE_SOURCE_PREFIX):
            from connectors.sources import worker_voice_headers

            message = redact_message(message, frozenset({source_file}), worker_voice_headers())
    elif source_type.startswith(PRIVATE_SOURCE_PREFIX):
        message = (
            f"{source_file}: {type(error).__name__} while standardising the file (details withheld: "
            "a worker-voice file's cells never appear in messages)"
        )
    else:
        message = f"{source_file}: {type(error).__name__} while standardising the file: {error}"
    return FileFailure(source_file, code, message[:1000])


def standardise_isolated(
    standardise: Callable[[pl.DataFrame], Standardised], raw: pl.DataFrame, source_type: str
) -> tuple[Standardised | None, dict[str, object] | None, list[FileFailure]]:
    """Standardise and reconcile `raw` (see `standardise_reconciled`), setting aside every file that
    raises on its own. Returns the result of the usable files (None when none is usable), their
    figures, and the failures."""
    try:
        result, figures = standardise_reconciled(standardise, raw)
        return result, figures, []
    except Exception:  # noqa: BLE001 - any error: find the file(s) it came from
        pass
    failures, usable, alone = [], [], []
    for part in raw.partition_by("source_file", maintain_order=True):
        source_file = str(part["source_file"][0])
        try:
            alone.append(standardise_reconciled(standardise, part))
            usable.append(source_file)
        except Exception as error:  # noqa: BLE001 - the file is set aside with its reason
            failures.append(describe_failure(error, source_type, source_file))
    if not usable:
        return None, None, failures
    try:
        together = raw.filter(pl.col("source_file").is_in(usable))
        result, figures = standardise_reconciled(standardise, together)
    except Exception:  # noqa: BLE001 - the usable files only fail together: take each one's own result
        result, figures = merge_parts(alone)
    return result, figures, failures
