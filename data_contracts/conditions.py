"""ODCS comparison operators (``mustBe``, ``mustBeBetween``, ...) as one small value object.

A :class:`Condition` is what an observed number must satisfy. The same object serves three
uses: judging a check's observed value, writing the SQL predicate for rows that break a
per-value range, and giving Great Expectations its min/max bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

OPERATORS = (
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
)

_WORDS = {
    "mustBe": "must be",
    "mustNotBe": "must not be",
    "mustBeGreaterThan": "must be greater than",
    "mustBeGreaterOrEqualTo": "must be at least",
    "mustBeLessThan": "must be less than",
    "mustBeLessOrEqualTo": "must be at most",
    "mustBeBetween": "must be between",
    "mustNotBeBetween": "must not be between",
}

# Operators whose satisfying values form one interval: the only ones a per-value range may use.
RANGE_OPERATORS = frozenset(
    {
        "mustBe",
        "mustBeGreaterThan",
        "mustBeGreaterOrEqualTo",
        "mustBeLessThan",
        "mustBeLessOrEqualTo",
        "mustBeBetween",
    }
)


@dataclass(frozen=True)
class Condition:
    """An ODCS ``operator`` applied to ``value`` (a number, or a (low, high) pair)."""

    operator: str
    value: float | tuple[float, float]

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(f"unknown ODCS operator {self.operator!r}")
        pair = self.operator.endswith("Between")
        if pair != isinstance(self.value, tuple):
            expected = "a [low, high] pair" if pair else "a number"
            raise ValueError(f"{self.operator} takes {expected}")

    def holds(self, observed: float) -> bool:
        """True when ``observed`` satisfies the condition (NaN never does)."""
        if observed is None or math.isnan(observed):
            return False
        op, value = self.operator, self.value
        if op == "mustBeBetween":
            return value[0] <= observed <= value[1]
        if op == "mustNotBeBetween":
            return not value[0] <= observed <= value[1]
        return {
            "mustBe": observed == value,
            "mustNotBe": observed != value,
            "mustBeGreaterThan": observed > value,
            "mustBeGreaterOrEqualTo": observed >= value,
            "mustBeLessThan": observed < value,
            "mustBeLessOrEqualTo": observed <= value,
        }[op]

    def describe(self) -> str:
        """Plain words, e.g. ``must be between 0 and 100``."""
        if isinstance(self.value, tuple):
            return f"{_WORDS[self.operator]} {_number(self.value[0])} and {_number(self.value[1])}"
        return f"{_WORDS[self.operator]} {_number(self.value)}"

    def bounds(self) -> tuple[float | None, float | None, bool, bool]:
        """(min, max, strict_min, strict_max) of a range operator; for GE and SQL predicates."""
        op, value = self.operator, self.value
        if op not in RANGE_OPERATORS:
            raise ValueError(f"{op} is not a single interval")
        if op == "mustBeBetween":
            return value[0], value[1], False, False
        return {
            "mustBe": (value, value, False, False),
            "mustBeGreaterThan": (value, None, True, False),
            "mustBeGreaterOrEqualTo": (value, None, False, False),
            "mustBeLessThan": (None, value, False, True),
            "mustBeLessOrEqualTo": (None, value, False, False),
        }[op]


def condition_from_rule(rule: dict, default: Condition | None = None) -> Condition | None:
    """Read the single ODCS operator of a quality rule; ``default`` when it has none."""
    found = [op for op in OPERATORS if op in rule]
    if len(found) > 1:
        raise ValueError(f"a rule takes one operator, found {', '.join(found)}")
    if not found:
        return default
    raw = rule[found[0]]
    if isinstance(raw, list):
        if len(raw) != 2 or not all(_is_number(v) for v in raw) or raw[0] > raw[1]:
            raise ValueError(f"{found[0]} takes [low, high] numbers, got {raw!r}")
        return Condition(found[0], (raw[0], raw[1]))
    if not _is_number(raw):
        raise ValueError(f"{found[0]} takes a number, got {raw!r}")
    return Condition(found[0], raw)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
