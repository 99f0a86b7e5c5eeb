"""Lint: every contract is valid against the ODCS v3.0.2 JSON Schema, flrisk's conventions and, when
it is installed, datacontract-cli; broken contracts are named with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from data_contracts.lint import lint_all, lint_file
from data_contracts.loader import CONTRACTS_DIR

REVIEW_QUEUE = CONTRACTS_DIR / "resolved" / "review_queue.odcs.yaml"


def test_every_bundled_contract_is_valid():
    results = lint_all()
    assert len(results) >= 22
    assert {r.table_key: r.problems for r in results if not r.valid} == {}


def broken_copy(tmp_path: Path, change) -> Path:
    document = yaml.safe_load(REVIEW_QUEUE.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "review_queue.odcs.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(apiVersion="v9.9.9"), "ODCS v3.0.2 schema: apiVersion"),
        (lambda d: d["schema"][0]["properties"][0].update(logicalType="float"), "logicalType"),
        (lambda d: d.pop("status"), "'status' is a required property"),
        (
            lambda d: d["schema"][0]["properties"][0].update(primarykey=True),
            "'primarykey' was unexpected",
        ),
        (lambda d: d.pop("team"), "missing required key 'team'"),
        (lambda d: d["schema"][0]["properties"][0].update(physicalType="INT"), "flrisk conventions"),
    ],
)
def test_a_broken_contract_is_reported_with_the_reason(tmp_path, change, expected):
    result = lint_file(broken_copy(tmp_path, change), "resolved.review_queue")
    assert not result.valid
    assert any(expected in problem for problem in result.problems), result.problems


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "bad.odcs.yaml"
    path.write_text("schema: [unclosed\n", encoding="utf-8")
    assert lint_file(path, "resolved.review_queue").problems[0].startswith("not valid YAML")


def test_lint_command_exits_non_zero_on_an_invalid_contract(tmp_path, monkeypatch):
    from cli.main import main

    assert CliRunner().invoke(main, ["contracts", "lint"]).exit_code == 0
    contracts = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR, contracts)
    broken = contracts / "resolved" / "review_queue.odcs.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("team:", "teem:"), encoding="utf-8")
    monkeypatch.setattr("data_contracts.lint.CONTRACTS_DIR", contracts)
    monkeypatch.setattr(lint_all, "__defaults__", (contracts,))
    result = CliRunner().invoke(main, ["contracts", "lint"])
    assert result.exit_code == 1
    assert "INVALID resolved.review_queue" in result.output and "teem" in result.output


def test_every_contract_passes_datacontract_cli_lint_without_warnings():
    pytest.importorskip("datacontract", reason="datacontract-cli (optional `contracts` group) not installed")
    from datacontract.data_contract import DataContract

    outcomes = {}
    for result in lint_all():
        run = DataContract(data_contract_file=str(result.path)).lint()
        outcomes[result.table_key] = [
            f"{check.name}: {check.reason}"
            for check in run.checks
            if str(check.result) != "ResultEnum.passed"
        ]
    assert {key: problems for key, problems in outcomes.items() if problems} == {}
