"""Contracts and reports for auditors: `flrisk contracts lint|test`, `flrisk report` (issue 5)."""

from __future__ import annotations

import click


@click.group()
def contracts() -> None:
    """Data contracts: lint them, or test the warehouse against them."""


@contracts.command()
def lint() -> None:
    """Check every contract against the ODCS v3.0.2 JSON Schema and flrisk's conventions.
    Exit 1 if any contract is invalid."""
    from data_contracts.lint import lint_all

    results = lint_all()
    for result in results:
        click.echo(f"{'ok     ' if result.valid else 'INVALID'} {result.table_key}")
        for problem in result.problems:
            click.echo(f"        {problem}")
    invalid = sum(1 for result in results if not result.valid)
    click.echo(f"{len(results) - invalid} of {len(results)} contracts valid.")
    raise SystemExit(1 if invalid else 0)


@contracts.command(name="test")
@click.option("--table", "tables", multiple=True, help="Only this table (schema.table); repeatable.")
@click.option("--fail-on-warning", is_flag=True, help="Exit 1 on non-blocking rule failures too.")
def test_contracts(tables: tuple[str, ...], fail_on_warning: bool) -> None:
    """Run every contract's rules against the warehouse, read-only. Exit 1 if a blocking rule fails
    or a contracted table is missing."""
    from cli.contract_testing import run_contract_tests

    outcome = run_contract_tests(tables)
    for line in outcome.lines():
        click.echo(line)
    failed = outcome.blocking_failures + outcome.missing_tables
    if fail_on_warning:
        failed += outcome.warnings
    raise SystemExit(1 if failed else 0)


@click.command()
def report() -> None:
    """Rebuild the data-quality summary and Great Expectations Data Docs from the warehouse and print
    where they are."""
    from pipelines.runner import build_quality_reports

    reports = build_quality_reports()
    click.echo(f"Data-quality summary: {reports.index}")
    click.echo(f"Summary as JSON:      {reports.index.with_name('summary.json')}")
    click.echo(f"Great Expectations Data Docs: {reports.data_docs_index}")
    click.echo(
        f"{len(reports.tables)} tables checked; {reports.failed_rules} rule(s) failed, "
        f"{reports.blocking_failed_rules} blocking."
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    group.add_command(contracts)
    group.add_command(report)
