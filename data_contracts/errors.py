"""The two ways a contract can say no: the contract file is wrong, or the data is."""

from __future__ import annotations


class ContractError(ValueError):
    """A contract file is missing, is not valid ODCS v3, or breaks flrisk's conventions."""


class ContractViolation(ValueError):  # noqa: N818 - the name the pipeline code uses
    """A frame does not have the contract's shape: missing or unexpected columns, or a column
    that cannot be cast to its contract type."""

    def __init__(
        self,
        table: str,
        *,
        missing: tuple[str, ...] = (),
        unexpected: tuple[str, ...] = (),
        detail: str | None = None,
    ) -> None:
        self.table = table
        self.missing = missing
        self.unexpected = unexpected
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected columns: {', '.join(unexpected)}")
        if detail:
            parts.append(detail)
        super().__init__(f"{table} does not match its contract; " + "; ".join(parts))
