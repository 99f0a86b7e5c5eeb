"""`flrisk` run as a program ends without the interpreter's teardown once its command finished
(`cli.main.exit_now`, issue 19 fast loads): the exit status, the output and the exit handlers are
those of an ordinary exit; only objects still alive are not freed one by one. With another thread
still running it exits the ordinary way, which waits for that thread; so does it under a profiler."""

from __future__ import annotations

import subprocess
import sys

from tests.pipelines.operations_support import ROOT, python_probe

PROBE = """
import atexit, os, sys, threading, time
import cli.main

quick = os._exit
os._exit = lambda code: (print("quick exit", flush=True), quick(code))

atexit.register(lambda: print("exit handler ran", flush=True))
if sys.argv[1] == "--profiled":
    sys.argv.pop(1)
    sys.setprofile(lambda *args: None)
if sys.argv[1] == "--with-thread":
    sys.argv.pop(1)
    threading.Thread(target=lambda: (time.sleep(0.5), print("thread finished", flush=True))).start()
cli.main.main(sys.argv[1:])
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_a_finished_command_keeps_status_output_and_exit_handlers_without_the_teardown():
    done = _run("--help")
    assert done.returncode == 0
    assert "Usage:" in done.stdout and "exit handler ran" in done.stdout
    assert "quick exit" in done.stdout


def test_a_failed_command_keeps_its_exit_status_and_message():
    done = _run("load", "supplier-list", "/no/such/list.csv")
    assert done.returncode == 2
    assert "does not exist" in done.stderr
    assert "exit handler ran" in done.stdout and "quick exit" in done.stdout


def test_with_another_thread_running_the_process_exits_the_ordinary_way():
    done = _run("--with-thread", "--help")
    assert done.returncode == 0
    assert "thread finished" in done.stdout and "exit handler ran" in done.stdout
    assert "quick exit" not in done.stdout
    assert "leaked" not in done.stderr  # what the program froze was unfrozen: DuckDB's objects freed


def test_under_a_profiler_the_process_exits_the_ordinary_way():
    done = _run("--profiled", "--help")
    assert done.returncode == 0 and "Usage:" in done.stdout
    assert "exit handler ran" in done.stdout and "quick exit" not in done.stdout


COLLECTOR = """
import gc, json, sys
import cli
from cli.loading import load_pipelines
if sys.argv[1] == "program":
    cli.running_as_program()
load_pipelines()
print(json.dumps([gc.get_freeze_count(), gc.isenabled(), gc.get_threshold()[0], "dagster" in sys.modules]))
"""


def _collector(mode: str) -> list:
    return python_probe(COLLECTOR, mode)


def test_a_program_freezes_what_dagster_and_the_code_location_loaded():
    frozen, enabled, threshold, loaded = _collector("program")
    assert frozen > 100_000 and enabled and loaded and threshold == 10_000


def test_a_test_process_calling_commands_keeps_its_collector_as_it_is():
    frozen, enabled, threshold, loaded = _collector("test")
    assert frozen == 0 and enabled and loaded and threshold == 10_000
