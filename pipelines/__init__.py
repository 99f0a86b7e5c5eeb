"""The Dagster code location: Definitions, jobs, schedules, sensors, alerts, deployment, and the one
runner module the CLI calls."""
