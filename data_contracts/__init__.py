"""flrisk data contracts: ODCS v3 files plus the loader that derives everything from them.

Public API::

    from data_contracts import load_contract, all_contracts
    contract = load_contract("published.facility_risk")
    contract.ddl(); contract.polars_schema(); contract.conform(frame)
    contract.column_metadata(); contract.checks(); contract.run_checks(con)

This package never imports dagster, assets or pipelines; Great Expectations is imported lazily
(see :mod:`data_contracts.ge_suite`).
"""

from data_contracts.checks import Check, CheckResult, blocking_failures
from data_contracts.conditions import Condition
from data_contracts.errors import ContractError, ContractViolation
from data_contracts.ge_suite import great_expectations_suite, validate_with_great_expectations
from data_contracts.loader import CONTRACTS_DIR, all_contracts, contract_path, load_contract
from data_contracts.model import Contract
from data_contracts.parts import Column, QualityRule
from data_contracts.quality_report import TableQuality, render_report

__all__ = [
    "CONTRACTS_DIR",
    "Check",
    "CheckResult",
    "Column",
    "Condition",
    "Contract",
    "ContractError",
    "ContractViolation",
    "QualityRule",
    "TableQuality",
    "all_contracts",
    "blocking_failures",
    "contract_path",
    "great_expectations_suite",
    "load_contract",
    "render_report",
    "validate_with_great_expectations",
]
