"""The flrisk command line lists its subcommands and queries the warehouse read-only."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import main


def test_help_lists_the_subcommands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "dev", "query"):
        assert command in result.output


def test_query_reads_the_warehouse(tmp_path, monkeypatch):
    import duckdb

    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA published; CREATE TABLE published.t AS SELECT 42 AS answer")
    result = CliRunner().invoke(main, ["query", "SELECT answer FROM published.t"])
    assert result.exit_code == 0, result.output
    assert "42" in result.output
