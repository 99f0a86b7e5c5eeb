"""A Dagster instance on PostgreSQL for a team: the `dagster.yaml` that `flrisk dev --postgres URL`
writes into `$FLRISK_HOME/dagster`.

Runs, event logs and schedule/sensor state go to PostgreSQL (dagster-postgres), so the webserver, the
daemon, every run and `flrisk status` share one history. Runs wait in the daemon's queue
(`QueuedRunCoordinator`): at most one run tagged `flrisk/warehouse=writer` (every flrisk job) at a
time, the same limit as `deploy/dagster.yaml`. The URL carries no password: libpq reads it from
PGPASSWORD, ~/.pgpass or a service file in the environment of each Dagster process.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from warehouse.postgres.target import PostgresTarget

WRITER_TAG = {"key": "flrisk/warehouse", "value": "writer"}
RUN_COORDINATOR = {
    "module": "dagster.core.run_coordinator",
    "class": "QueuedRunCoordinator",
    "config": {"max_concurrent_runs": 4, "tag_concurrency_limits": [{**WRITER_TAG, "limit": 1}]},
}
# dagster-postgres binds parameters the psycopg2 way (`NOTIFY run_events, %(id)s`); SQLAlchemy 2.1 picks
# psycopg 3 for a plain postgresql:// URL when it is installed (flrisk publish needs it), and the server
# then rejects those statements. Dagster's storage therefore names its driver explicitly.
DAGSTER_DRIVER_SCHEME = "postgresql+psycopg2"
HEADER = (
    "# Written by `flrisk dev --postgres`: Dagster's runs, event logs and schedules in PostgreSQL, runs\n"
    "# queued one writer at a time. The password comes from PGPASSWORD / ~/.pgpass, never from this file.\n"
)


def dagster_url(target: PostgresTarget) -> str:
    """The target's URL with the driver Dagster's storage needs (psycopg2), e.g. postgresql+psycopg2://..."""
    return DAGSTER_DRIVER_SCHEME + target.url[target.url.index("://") :]


def postgres_instance(target: PostgresTarget) -> dict:
    """The instance configuration (what `dagster.yaml` holds) for `target`."""
    return {
        "telemetry": {"enabled": False},
        "storage": {"postgres": {"postgres_url": dagster_url(target)}},
        "run_coordinator": RUN_COORDINATOR,
        "python_logs": {"python_log_level": "INFO", "managed_python_loggers": ["flrisk"]},
    }


def write_postgres_instance(dagster_home: Path, target: PostgresTarget) -> Path:
    """Write `dagster_home/dagster.yaml` for `target` (replacing the local one) and return its path."""
    path = dagster_home / "dagster.yaml"
    path.write_text(HEADER + yaml.safe_dump(postgres_instance(target), sort_keys=False), encoding="utf-8")
    return path
