"""The error a received file raises when it cannot be read as a table at all.

It names the file, the row (header = row 1) and the 1-based column as far as they are known, and
carries a file-level ``reason_code`` from ``reference/reason_codes.csv`` (applies_to = file), so a
caller can record the refusal without parsing the message.
"""

from __future__ import annotations


class MalformedFileError(ValueError):
    """A file cannot be read as a table; the message names the file, the row and the column."""

    def __init__(
        self,
        source_file: str,
        row: int,
        column: int | None,
        problem: str,
        reason_code: str = "malformed_file",
    ) -> None:
        self.source_file, self.row, self.column, self.problem = source_file, row, column, problem
        self.reason_code = reason_code
        where = f"column {column}" if column is not None else "column unknown"
        super().__init__(f"{source_file}: row {row}, {where}: {problem}")
