"""The `flrisk` command line: the group, with the commands of each audience added from their modules.

`cli.loading` (demo, refresh, load, check-list, resolve), `cli.sourcing` (facility, brand, export, query,
review-hit), `cli.contracts` (contracts lint|test, report), `cli.sharing` (share, synthesize,
export-htcds) and `cli.operations` (status, sync-oshub, accept-pull, migrate, dev).

Every command's output escapes control characters (`cli.terminal`), and a known failure (read-only
home, full disk, warehouse busy, damaged copy, old warehouse) ends as one line naming the cause and the
fix, exit code 2 (`cli.errors`); `--debug` (or FLRISK_DEBUG=1) shows the full traceback instead.
"""

from __future__ import annotations

import os
import sys

import click

from cli import contracts, daily, disclosure, loading, operations, publishing, sharing, sourcing, unloading
from cli.errors import explain
from cli.terminal import EscapingStream, error

UNEXPECTED_EXIT = 1
KNOWN_FAILURE_EXIT = 2
CLOSED_PIPE_EXIT = 141
"""What a shell reports for a command stopped by SIGPIPE (`flrisk search x | head -1`), as git does."""


class FlriskGroup(click.Group):
    """The `flrisk` group: turns failures into one line unless debugging."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:
            _quiet_closed_stdout()
            ctx.exit(CLOSED_PIPE_EXIT)
        except Exception as failure:  # noqa: BLE001 - the last line of defence: one line, not a traceback
            if ctx.params.get("debug") or os.environ.get("FLRISK_DEBUG") == "1":
                raise
            known = explain(failure)
            if known:
                error(f"error: {known}")
                ctx.exit(KNOWN_FAILURE_EXIT)
            first = (str(failure).strip().splitlines() or [""])[0][:300]
            error(
                f"error: unexpected {type(failure).__name__}: {first} "
                "(run again with --debug for the full traceback, and please report it)"
            )
            ctx.exit(UNEXPECTED_EXIT)


def _quiet_closed_stdout() -> None:
    """The reader of our output went away (`| head`): stop quietly, with nothing more written to the
    closed pipe (Python would otherwise complain again when it flushes stdout at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


@click.group(cls=FlriskGroup)
@click.option("--debug", is_flag=True, help="Show the full traceback when a command fails.")
def main(debug: bool) -> None:
    """flrisk: forced-labour risk data for supply chains (Dagster + DuckDB)."""
    os.umask(0o077)  # everything flrisk writes under $FLRISK_HOME is private (warehouse.home.private_home)
    if not isinstance(sys.stdout, EscapingStream):
        sys.stdout = EscapingStream(sys.stdout)


for _module in (loading, contracts, sourcing, sharing, operations, daily, unloading, disclosure, publishing):
    _module.register(main)

if __name__ == "__main__":
    main()
