"""A Dagster logger that shows a run's progress on a terminal: one line per asset step started and
finished, with the rows each asset wrote and the seconds since the run began (check steps only when
they fail).

It reads the structured Dagster events behind each log record (never the messages), writes plain
lines to stderr, and is only added to a run's loggers when the caller asks (`pipelines.runner`:
`flrisk demo/load/refresh` on a terminal, not piped, not `--quiet`).
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

SHOWN = {
    dg.DagsterEventType.STEP_START: "started",
    dg.DagsterEventType.STEP_SUCCESS: "done",
    dg.DagsterEventType.STEP_FAILURE: "FAILED",
}


def is_check_step(step: str) -> bool:
    """Contract and freshness check steps: shown only when they fail (there are dozens of them)."""
    return step.endswith("__contract_checks") or step.startswith("freshness_check")


class ProgressHandler(logging.Handler):
    """Writes '[  12.3s] step: started|done (rows per table)' lines to a stream."""

    def __init__(self, stream=None) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.rows: dict[str, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return
        step = event.step_key or ""
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count")
            if rows is not None:
                table = ".".join(materialization.asset_key.path)
                self.rows.setdefault(step, []).append(f"{table} {rows.value:,}")
            return
        if event.event_type not in SHOWN:
            return
        if is_check_step(step) and event.event_type != dg.DagsterEventType.STEP_FAILURE:
            return
        detail = ""
        if event.event_type == dg.DagsterEventType.STEP_SUCCESS and self.rows.get(step):
            detail = " (" + ", ".join(self.rows.pop(step)[:4]) + ")"
        elapsed = time.monotonic() - self.started
        self.stream.write(f"[{elapsed:7.1f}s] {step}: {SHOWN[event.event_type]}{detail}\n")
        self.stream.flush()


@dg.logger(description="Step-by-step progress on stderr (steps, rows written, elapsed seconds).")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    """The progress logger: every event reaches it (DEBUG), it shows only step starts and ends."""
    logger = logging.Logger("flrisk_progress", level=logging.DEBUG)
    logger.addHandler(ProgressHandler())
    return logger
