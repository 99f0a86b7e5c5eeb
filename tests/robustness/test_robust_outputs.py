"""Issue 16, break 5: outputs never overwrite inputs or state. `export`, `share`, `synthesize` and
`export-htcds` refuse a path inside $FLRISK_HOME's state (however it is spelt: `..`, symlinks) and an
existing file unless --force, and write through a temporary file and a rename."""

from __future__ import annotations

import hashlib

import pytest

from tests.pipelines.operations_support import copy_home, run_flrisk


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return copy_home(tmp_path_factory.mktemp("outputs") / "home")


def _state(home) -> dict[str, str]:
    files = [
        home / "warehouse.duckdb",
        home / "warehouse.snapshot.duckdb",
        home / "received" / "manifest.yaml",
    ]
    return {str(path): _digest(path) for path in files}


@pytest.mark.parametrize(
    "target",
    [
        "warehouse.duckdb",
        "warehouse.snapshot.duckdb",
        "received/manifest.yaml",
        "dagster/runs.csv",
        "reports/../warehouse.duckdb",
    ],
)
def test_export_refuses_flrisk_state(home, target):
    before = _state(home)
    done = run_flrisk(
        home, "export", "facility_risk", "--format", "csv", "--out", str(home / target), "--force"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "flrisk state" in done.stderr and "Traceback" not in done.stderr
    assert _state(home) == before


def test_a_symlink_to_the_warehouse_is_refused(home, tmp_path):
    link = tmp_path / "innocent.csv"
    link.symlink_to(home / "warehouse.duckdb")
    before = _state(home)
    done = run_flrisk(home, "export", "facility_risk", "--format", "csv", "--out", str(link), "--force")
    assert done.returncode == 2 and "flrisk state" in done.stderr
    assert _state(home) == before


def test_an_existing_file_is_replaced_only_with_force(home, tmp_path):
    out = tmp_path / "risk.csv"
    out.write_text("keep me\n", encoding="utf-8")
    refused = run_flrisk(home, "export", "facility_risk", "--format", "csv", "--out", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    forced = run_flrisk(home, "export", "facility_risk", "--format", "csv", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_text(encoding="utf-8").startswith("facility_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["risk.csv"]  # no temporary file left behind


def test_sharing_commands_refuse_state_and_existing_files(home, tmp_path):
    before = _state(home)
    for args in (
        ("synthesize", "worker_voice_grievances", "--out", str(home / "received" / "synthetic.csv")),
        ("export-htcds", "--out", str(home / "dagster" / "cases.csv")),
        ("share", "--out", str(home / "received" / "bundle")),
        ("share", "--out", str(home)),
    ):
        done = run_flrisk(home, *args)
        assert done.returncode == 2, f"{args}: {done.stdout}{done.stderr}"
        assert "state" in done.stderr, done.stderr
    assert _state(home) == before
    existing = tmp_path / "cases.csv"
    existing.write_text("keep me\n", encoding="utf-8")
    refused = run_flrisk(home, "export-htcds", "--out", str(existing))
    assert refused.returncode == 2 and existing.read_text(encoding="utf-8") == "keep me\n"
    synthetic = tmp_path / "synthetic.csv"
    made = run_flrisk(home, "synthesize", "worker_voice_grievances", "--out", str(synthetic))
    assert made.returncode == 0, made.stderr
    assert {p.name for p in tmp_path.iterdir()} == {
        "cases.csv",
        "synthetic.csv",
        "synthetic.fidelity.json",
        "synthetic.fidelity.md",
    }
    bundle = tmp_path / "bundle"
    assert run_flrisk(home, "share", "--out", str(bundle)).returncode == 0
    assert run_flrisk(home, "share", "--verify", str(bundle)).returncode == 0
