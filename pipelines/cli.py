"""The `flrisk` command line: run the demo, serve the Dagster UI, query the warehouse."""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time

import click

from pipelines.settings import REPO_ROOT, flrisk_home, prepare_dagster_home, pseudonymisation_key_file


@click.group()
def main() -> None:
    """flrisk: forced-labour risk data for supply chains (Dagster + DuckDB)."""


def ensure_demo_key() -> None:
    """Create a local pseudonymisation key for the demo if none is configured, and say so."""
    if os.environ.get("FLRISK_PSEUDONYMISATION_KEY"):
        return
    path = pseudonymisation_key_file()
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo(
        f"Generated a local pseudonymisation key for the demo at {path} (keep it secret; "
        "set FLRISK_PSEUDONYMISATION_KEY to use your own)."
    )


@main.command()
@click.option("--as-of", default="", help="Score as of this date (YYYY-MM-DD); default today.")
def demo(as_of: str) -> None:
    """Materialize the whole asset graph on the bundled demo data and print a summary."""
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.summary import demo_summary
    from pipelines.warehouse import WarehouseResource

    prepare_dagster_home()
    ensure_demo_key()
    click.echo(f"flrisk home: {flrisk_home()}")
    started = time.perf_counter()
    run_config = {"ops": {"published_risk_tables": {"config": {"as_of": as_of}}}}
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False
        )
    if not result.success:
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                click.echo(f"step {event.step_key} failed: {event.step_failure_data.error.message}", err=True)
        raise SystemExit(1)
    click.echo(
        f"Materialized the asset graph in {time.perf_counter() - started:.1f} s (run {result.run_id}).\n"
    )
    click.echo(demo_summary(WarehouseResource()))


@main.command()
@click.option("--port", default=3000, show_default=True)
def dev(port: int) -> None:
    """Serve the Dagster UI on 127.0.0.1 with every asset, check, job and schedule."""
    prepare_dagster_home()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    os.chdir(REPO_ROOT)
    os.execv(dagster, [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)])


@main.command()
@click.argument("sql")
def query(sql: str) -> None:
    """Run a read-only SQL query against the warehouse and print the result."""
    import duckdb
    import polars as pl

    from pipelines.settings import warehouse_path

    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        frame = con.sql(sql).pl()
    with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60, tbl_width_chars=200):
        click.echo(frame)


if __name__ == "__main__":
    main()
