"""Run-failure alerts: a structured record per failed run, appended to a JSON-lines file and, when
`FLRISK_ALERT_WEBHOOK_URL` is set, POSTed as JSON to that URL.

Alerts go to a file, not to a warehouse table: the sensor runs in the Dagster daemon while another
run may hold DuckDB's single writer, and an alert must never wait for (or fail on) that lock. The
record carries what an on-call engineer needs (job, run, steps, errors, where to look) and nothing
secret: no run config, no environment, and the values of flrisk's secret variables are redacted
from every message before it is written or sent.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines.run_tags import CAUSE_TAGS
from warehouse.home import alerts_dir

WEBHOOK_ENV = "FLRISK_ALERT_WEBHOOK_URL"
SECRET_ENVS = (
    "FLRISK_OSHUB_TOKEN",
    "FLRISK_PSEUDONYMISATION_KEY",
    WEBHOOK_ENV,
    "DAGSTER_PG_PASSWORD",
    "FLRISK_SMTP_PASSWORD",
)
ALERTS_FILE = "run_failures.jsonl"
SHARED_TAGS = (
    "dagster/schedule_name",
    "dagster/sensor_name",
    "dagster/run_key",
    "flrisk/inbox_file",
    *CAUSE_TAGS,
)


def redact(text: str) -> str:
    """`text` with the value of every secret environment variable replaced by `[redacted]`."""
    for name in SECRET_ENVS:
        value = os.environ.get(name, "")
        if len(value) >= 4:
            text = text.replace(value, "[redacted]")
    return text


def _timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _step_error(event) -> str:
    """The innermost error message of a step failure (Dagster wraps the real cause)."""
    error = event.step_failure_data.error if event.step_failure_data else None
    while error is not None and error.cause is not None:
        error = error.cause
    return redact(error.message.strip()) if error is not None else ""


def failure_record(context: dg.RunFailureSensorContext) -> dict:
    """The alert for one failed run: job, run id, times, failed steps and their error messages."""
    run = context.dagster_run
    record = context.instance.get_run_record_by_id(run.run_id)
    steps = [
        {"step": event.step_key, "error": _step_error(event)} for event in context.get_step_failure_events()
    ]
    return {
        "alert": "run_failed",
        "job": run.job_name,
        "run_id": run.run_id,
        "started_at": _timestamp(record.start_time if record else None),
        "failed_at": _timestamp(record.end_time if record else None)
        or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "message": redact(context.failure_event.message or ""),
        "failed_steps": steps,
        "tags": {key: redact(run.tags[key]) for key in SHARED_TAGS if key in run.tags},
        "dagster_home": os.environ.get("DAGSTER_HOME", ""),
    }


def write_alert(record: dict, directory: Path | None = None) -> Path:
    """Append `record` as one JSON line to `$FLRISK_HOME/alerts/run_failures.jsonl` (one write call,
    so concurrent writers never interleave a line)."""
    folder = directory or alerts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ALERTS_FILE
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)
    return path


def post_alert(record: dict, url: str, timeout_seconds: float = 10.0) -> int:
    """POST `record` as JSON to `url`; returns the HTTP status (raises `httpx.HTTPError` on failure)."""
    import httpx  # only when an alert is posted (~0.2 s to import)

    response = httpx.post(url, json=record, timeout=timeout_seconds)
    response.raise_for_status()
    return response.status_code


def build_failure_alert_sensor() -> dg.SensorDefinition:
    """A run-failure sensor over this code location's jobs: record every failed run, post if asked."""

    @dg.run_failure_sensor(
        name="run_failure_alerts",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Writes one JSON alert per failed run to $FLRISK_HOME/alerts/run_failures.jsonl and "
        f"POSTs it to ${WEBHOOK_ENV} when that is set.",
    )
    def run_failure_alerts(context: dg.RunFailureSensorContext) -> None:
        record = failure_record(context)
        path = write_alert(record)
        context.log.info(f"alert for failed run {record['run_id']} written to {path}")
        url = os.environ.get(WEBHOOK_ENV, "")
        if not url:
            return
        import httpx

        try:
            status = post_alert(record, url)
            context.log.info(f"alert posted to the webhook (HTTP {status})")
        except httpx.HTTPError as error:
            context.log.warning(f"could not post the alert to the webhook: {redact(str(error))}")

    return run_failure_alerts
