"""Issue 16, break 9: `flrisk share --verify` never reads outside the bundle, cross-checks every CSV copy
against its Parquet twin, and reports a malformed bundle as a failure, never as a traceback."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.pipelines.operations_support import copy_home, run_flrisk

TABLE = "facility_risk"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A demo home and an intact bundle written from it."""
    root = tmp_path_factory.mktemp("share")
    home = copy_home(root / "home")
    bundle = root / "bundle"
    written = run_flrisk(home, "share", "--out", str(bundle))
    assert written.returncode == 0, written.stderr
    return home, bundle


@pytest.fixture
def bundle(made, tmp_path) -> tuple[Path, Path]:
    home, original = made
    copy = tmp_path / "bundle"
    shutil.copytree(original, copy)
    return home, copy


def _entry(path: Path) -> dict:
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def _edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _verify(home, folder: Path):
    done = run_flrisk(home, "share", "--verify", str(folder))
    assert "Traceback" not in done.stdout + done.stderr
    return done


def test_an_intact_bundle_verifies(bundle):
    home, folder = bundle
    assert _verify(home, folder).returncode == 0


def test_a_path_outside_the_bundle_is_refused_not_read(bundle):
    home, folder = bundle
    outside = Path("/etc/hostname")
    escape = "../" * (len(folder.resolve().parts) + 2) + "etc/hostname"
    _edit_manifest(folder, lambda m: m["files"].__setitem__(escape, _entry(outside)))
    (folder / "tables" / "link.csv").symlink_to(outside)
    _edit_manifest(folder, lambda m: m["files"].__setitem__("tables/link.csv", _entry(outside)))
    done = _verify(home, folder)
    assert done.returncode == 1
    assert f"FAILED {escape}: points outside the bundle" in done.stderr
    assert "FAILED tables/link.csv: points outside the bundle" in done.stderr


def test_a_csv_row_added_with_its_checksum_recomputed_is_caught(bundle):
    home, folder = bundle
    csv = folder / "tables" / f"{TABLE}.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text("\n".join([*lines, lines[-1]]) + "\n", encoding="utf-8")
    _edit_manifest(folder, lambda m: m["files"].__setitem__(f"tables/{TABLE}.csv", _entry(csv)))
    done = _verify(home, folder)
    assert done.returncode == 1
    assert f"tables/{TABLE}.csv: differs from tables/{TABLE}.parquet" in done.stderr


def test_a_corrupt_parquet_file_is_a_failure(bundle):
    home, folder = bundle
    parquet = folder / "tables" / f"{TABLE}.parquet"
    parquet.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    _edit_manifest(folder, lambda m: m["files"].__setitem__(f"tables/{TABLE}.parquet", _entry(parquet)))
    done = _verify(home, folder)
    assert done.returncode == 1 and f"tables/{TABLE}.parquet: not a readable Parquet file" in done.stderr


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.__setitem__("tables", ["facility_risk"]),
        lambda m: m["tables"].__setitem__(TABLE, 5),
        lambda m: m.__setitem__("files", ["tables/facility_risk.csv"]),
        lambda m: m["files"].__setitem__("README.md", "not a mapping"),
    ],
    ids=["tables-a-list", "table-a-number", "files-a-list", "entry-a-string"],
)
def test_a_malformed_manifest_is_a_failure(bundle, change):
    home, folder = bundle
    _edit_manifest(folder, change)
    done = _verify(home, folder)
    assert done.returncode == 1 and done.stderr.startswith("FAILED ")


def test_a_bundle_that_is_not_json_is_a_failure(bundle):
    home, folder = bundle
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    done = _verify(home, folder)
    assert done.returncode == 1 and "manifest.json: missing or unreadable" in done.stderr
