"""Privacy-preserving sharing: synthetic data, HTCDS export, sharing bundles (issue 7).

`flrisk synthesize TABLE --out FILE`, `flrisk export-htcds --out FILE`, `flrisk share --out DIR
[--facility ID]` and `flrisk share --verify DIR`. Each reads the warehouse read-only; the logic lives
in the pure `sharing` package. k defaults to the risk model's k-anonymity threshold (parameters.yaml).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click


@contextmanager
def _warehouse(staged: bool = False) -> Iterator:
    """A read-only connection to the reader copy (the last good run; never blocks a run), or exit 2
    naming the missing warehouse. `staged`: the warehouse itself (under the writer lock), for the
    commands that derive safe outputs from staged case data, which the reader copy never holds."""
    from warehouse.home import warehouse_path
    from warehouse.migrations import require_current
    from warehouse.readers import read_connection, reader_database

    path = warehouse_path()
    if not path.is_file():
        click.echo(f"no warehouse at {path}: run `flrisk demo` or load data first", err=True)
        raise SystemExit(2)
    source = path if staged else reader_database(path)
    with read_connection(source) as con:
        require_current(con, source)
        yield con


def _default_k(k: int | None) -> int:
    from risk_model.parameters import load_parameters

    return k if k is not None else int(load_parameters()["worker_voice"]["k_anonymity"])


def _check_output(path: Path, force: bool) -> None:
    """Refuse, before any work, an output that is not CSV/Parquet, is flrisk state, or exists."""
    from cli.outputs import OutputRefusedError, check_target

    if path.suffix.lower() not in {".csv", ".parquet"}:
        click.echo(f"{path}: the output must end in .csv or .parquet", err=True)
        raise SystemExit(2)
    try:
        check_target(path, force)
    except OutputRefusedError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from error


@contextmanager
def _output(path: Path, force: bool) -> Iterator[Path]:
    """A temporary path for `path` and its side files, renamed into place at the end (`cli.outputs`)."""
    from cli.outputs import OutputRefusedError, output_files

    try:
        with output_files(path, force) as temporary:
            yield temporary
    except OutputRefusedError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from error


@click.command()
@click.argument("table")
@click.option("--out", "output", required=True, type=click.Path(path_type=Path), help="CSV or Parquet.")
@click.option("--rows", type=int, default=None, help="Synthetic rows (default: as many as real).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--k", type=int, default=None, help="Rare-combination threshold (default: the model's k).")
@click.option("--force", is_flag=True, help="Replace the output files if they exist.")
def synthesize(table: str, output: Path, rows: int | None, seed: int, k: int | None, force: bool) -> None:
    """Write a synthetic version of a sensitive TABLE (worker_voice_grievances, audit_findings) and
    its fidelity and disclosure report beside it (<stem>.fidelity.json and .md)."""
    from sharing.fidelity import fidelity_report, write_report
    from sharing.tables import spec_for

    _check_output(output, force)
    try:
        spec = spec_for(table)
    except KeyError as error:
        click.echo(str(error.args[0]), err=True)
        raise SystemExit(2) from error
    with _warehouse(staged=True) as con:
        real = con.sql(spec.sql()).pl()
    k = _default_k(k)
    frame = _synthesise(real, spec, rows, k, seed)
    report = fidelity_report(real, frame, spec, k)
    with _output(output, force) as temporary:
        frame.write_parquet(temporary) if output.suffix.lower() == ".parquet" else frame.write_csv(temporary)
        json_path, markdown_path = (output.with_name(path.name) for path in write_report(report, temporary))
    click.echo(
        f"{frame.height} synthetic rows -> {output}; mean TVD {report['mean_total_variation_distance']}, "
        f"copies on quasi-identifiers {report['exact_copies_on_quasi_identifiers']}, rare combinations "
        f"reproduced {report['rare_combinations_reproduced']}; report {json_path} and {markdown_path}"
    )


def _synthesise(real, spec, rows: int | None, k: int, seed: int):
    from sharing.synthesis import synthesize as draw

    try:
        return draw(real, spec, rows=rows, k=k, seed=seed).frame
    except ValueError as error:
        click.echo(f"cannot synthesise: {error}", err=True)
        raise SystemExit(1) from error


@click.command(name="export-htcds")
@click.option("--out", "output", required=True, type=click.Path(path_type=Path), help="CSV or Parquet.")
@click.option("--k", type=int, default=None, help="Cases a facility needs to be named (default: model k).")
@click.option("--force", is_flag=True, help="Replace the output files if they exist.")
def export_htcds(output: Path, k: int | None, force: bool) -> None:
    """Export worker-voice grievance cases with HTCDS v2 field names and picklist values; the report
    (<stem>.htcds-report.json) lists the mapping and every unmapped HTCDS field."""
    from sharing import htcds

    _check_output(output, force)
    k = _default_k(k)
    with _warehouse(staged=True) as con:
        cases = con.sql(htcds.source_sql()).pl()
    exported = htcds.to_htcds(cases, k)
    report = htcds.export_report(exported, k, left_out=cases.height - exported.height)
    with _output(output, force) as temporary:
        report_path = output.with_name(htcds.write_export(exported, report, temporary).name)
    click.echo(
        f"{exported.height} cases -> {output} ({report['cases_left_out_without_forced_labour_indicator']} "
        f"without a forced-labour indicator left out); {len(report['mapped_fields'])} HTCDS fields mapped "
        f"({len(report['core_fields']['mapped'])} of {report['core_fields']['total']} Core), "
        f"{len(report['unmapped_htcds_fields'])} unmapped (listed in {report_path})"
    )
    raise SystemExit(1 if report["invalid_picklist_values"] else 0)


@click.command()
@click.option("--out", "output", type=click.Path(path_type=Path), help="Write a bundle into this new folder.")
@click.option("--verify", "verify", type=click.Path(path_type=Path), help="Check the bundle in this folder.")
@click.option(
    "--facility", default=None, help="Only this facility's data (facility_id), e.g. for a supplier."
)
def share(output: Path | None, verify: Path | None, facility: str | None) -> None:
    """Write a sharing bundle (published tables as Parquet and CSV, contracts, data-quality summary,
    manifest with SHA-256 checksums), or --verify one: exit 1 naming each missing or altered file."""
    from sharing.bundle import BundleError, verify_bundle, write_bundle

    if (output is None) == (verify is None):
        click.echo("give exactly one of --out DIR or --verify DIR", err=True)
        raise SystemExit(2)
    if verify is not None:
        problems = verify_bundle(verify)
        for problem in problems:
            click.echo(f"FAILED {problem}", err=True)
        click.echo(f"{verify}: {'bundle intact' if not problems else f'{len(problems)} problem(s)'}")
        raise SystemExit(1 if problems else 0)
    from cli.outputs import OutputRefusedError, output_folder
    from warehouse.home import reports_dir

    with _warehouse() as con:
        try:
            with output_folder(output) as folder:
                manifest = write_bundle(con, folder, facility, reports_dir())
        except (BundleError, OutputRefusedError) as error:
            click.echo(str(error), err=True)
            raise SystemExit(2) from error
    counts = ", ".join(f"{name} {table['rows']}" for name, table in manifest["tables"].items())
    click.echo(f"Bundle written to {output} ({len(manifest['files'])} files): {counts}")


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    for command in (synthesize, export_htcds, share):
        group.add_command(command)
