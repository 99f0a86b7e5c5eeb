"""The `flrisk` command line: the group, with the commands of each audience added from their modules.

`cli.loading` (demo, refresh, load, check-list, resolve), `cli.sourcing` (facility, brand, export, query,
review-hit), `cli.contracts` (contracts lint|test, report), `cli.sharing` (share, synthesize,
export-htcds) and `cli.operations` (status, sync-oshub, accept-pull, migrate, dev).

Every command's output escapes control characters (`cli.terminal`), and a known failure (read-only
home, full disk, warehouse busy, damaged copy, old warehouse) ends as one line naming the cause and the
fix, exit code 2 (`cli.errors`); `--debug` (or FLRISK_DEBUG=1) shows the full traceback instead.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

import click

from cli import (
    contracts,
    daily,
    disclosure,
    loading,
    operations,
    publishing,
    running_as_program,
    sharing,
    sourcing,
    unloading,
)
from cli.errors import explain
from cli.terminal import EscapingStream, error

UNEXPECTED_EXIT = 1
KNOWN_FAILURE_EXIT = 2
CLOSED_PIPE_EXIT = 141
"""What a shell reports for a command stopped by SIGPIPE (`flrisk search x | head -1`), as git does."""


class FlriskGroup(click.Group):
    """The `flrisk` group: turns failures into one line unless debugging, and a finished command run
    as a program exits without tearing the interpreter down (`__call__`)."""

    def __call__(self, *args, **kwargs):
        """`flrisk` run as a program (the console script, `python -m cli.main`): the command, then
        `exit_now` with its exit status. (Tests invoking `main.main(...)` through click's runner do
        not come here.)"""
        if kwargs.get("standalone_mode", True) is False:
            return super().__call__(*args, **kwargs)
        running_as_program()
        try:
            self.main(*args, **kwargs)
        except SystemExit as done:
            exit_now(done.code)
        exit_now(0)

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


def exit_now(status: object) -> NoReturn:
    """End the process with `status` as `sys.exit` would (None: 0, a number: itself, anything else:
    printed, then 1), once the exit handlers (`atexit`: logging, temporary folders, ...) have run and
    the output is flushed, but without the interpreter's own teardown: freeing, module by module, the
    ~2,300 modules and the objects of a command that ran Dagster took ~0.6 s of a 10-row `flrisk
    load` (a second under load), and every file and connection is closed by then. With another
    thread still running, or under a profiler, coverage or a debugger (they write their results on
    the way out), it exits the ordinary way."""
    others = [thread for thread in threading.enumerate() if thread is not threading.main_thread()]
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if watched or any(thread.is_alive() and not thread.daemon for thread in others):
        sys.exit(status)
    if status is None:
        code = 0
    elif isinstance(status, int):
        code = status
    else:
        print(status, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(code)


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
